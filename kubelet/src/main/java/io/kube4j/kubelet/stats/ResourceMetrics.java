package io.kube4j.kubelet.stats;

import java.time.Instant;
import java.util.Locale;

/**
 * The kubelet's {@code /metrics/resource} endpoint: a {@link Summary} in the Prometheus text format, with
 * Kubernetes' metric names, help texts, label order and millisecond timestamps.
 *
 * <p>Kubernetes: {@code pkg/kubelet/metrics/collectors/resource_metrics.go} (swap metrics omitted: not measured).
 */
public final class ResourceMetrics {
    private ResourceMetrics() {
    }

    /** The exposition of {@code summary}; {@code error} sets {@code resource_scrape_error} (the summary is then ignored). */
    public static String render(Summary summary, boolean error) {
        StringBuilder out = new StringBuilder();
        Summary.NodeStats node = summary == null ? null : summary.node();
        if (!error && summary != null) {
            header(out, "container_cpu_usage_seconds_total", "Cumulative cpu time consumed by the container in core-seconds", "counter");
            for (Summary.PodStats p : summary.pods()) {
                for (Summary.ContainerStats c : p.containers()) {
                    if (c.cpu() != null && c.cpu().usageCoreNanoSeconds() != null) {
                        sample(out, "container_cpu_usage_seconds_total", containerLabels(c, p), c.cpu().usageCoreNanoSeconds() / 1e9, c.cpu().time());
                    }
                }
            }
            header(out, "container_memory_working_set_bytes", "Current working set of the container in bytes", "gauge");
            for (Summary.PodStats p : summary.pods()) {
                for (Summary.ContainerStats c : p.containers()) {
                    if (c.memory() != null && c.memory().workingSetBytes() != null) {
                        sample(out, "container_memory_working_set_bytes", containerLabels(c, p), c.memory().workingSetBytes(), c.memory().time());
                    }
                }
            }
            header(out, "container_start_time_seconds", "Start time of the container since unix epoch in seconds", "gauge");
            for (Summary.PodStats p : summary.pods()) {
                for (Summary.ContainerStats c : p.containers()) {
                    if (c.startTime() != null) {
                        Instant s = Instant.parse(c.startTime());
                        sample(out, "container_start_time_seconds", containerLabels(c, p), s.getEpochSecond() + s.getNano() / 1e9, null);
                    }
                }
            }
            header(out, "node_cpu_usage_seconds_total", "Cumulative cpu time consumed by the node in core-seconds", "counter");
            if (node.cpu() != null && node.cpu().usageCoreNanoSeconds() != null) {
                sample(out, "node_cpu_usage_seconds_total", "", node.cpu().usageCoreNanoSeconds() / 1e9, node.cpu().time());
            }
            header(out, "node_memory_working_set_bytes", "Current working set of the node in bytes", "gauge");
            if (node.memory() != null && node.memory().workingSetBytes() != null) {
                sample(out, "node_memory_working_set_bytes", "", node.memory().workingSetBytes(), node.memory().time());
            }
            header(out, "pod_cpu_usage_seconds_total", "Cumulative cpu time consumed by the pod in core-seconds", "counter");
            for (Summary.PodStats p : summary.pods()) {
                if (p.cpu() != null && p.cpu().usageCoreNanoSeconds() != null) {
                    sample(out, "pod_cpu_usage_seconds_total", podLabels(p), p.cpu().usageCoreNanoSeconds() / 1e9, p.cpu().time());
                }
            }
            header(out, "pod_memory_working_set_bytes", "Current working set of the pod in bytes", "gauge");
            for (Summary.PodStats p : summary.pods()) {
                if (p.memory() != null && p.memory().workingSetBytes() != null) {
                    sample(out, "pod_memory_working_set_bytes", podLabels(p), p.memory().workingSetBytes(), p.memory().time());
                }
            }
        }
        header(out, "resource_scrape_error", "1 if there was an error while getting container metrics, 0 otherwise", "gauge");
        sample(out, "resource_scrape_error", "", error ? 1 : 0, null);
        return out.toString();
    }

    private static void header(StringBuilder out, String name, String help, String type) {
        // component-base prefixes the help of STABLE metrics with their stability level
        out.append("# HELP ").append(name).append(" [STABLE] ").append(help).append('\n');
        out.append("# TYPE ").append(name).append(' ').append(type).append('\n');
    }

    private static String containerLabels(Summary.ContainerStats c, Summary.PodStats p) {
        return "{container=\"" + escape(c.name()) + "\",namespace=\"" + escape(p.podRef().namespace()) + "\",pod=\"" + escape(p.podRef().name()) + "\"}";
    }

    private static String podLabels(Summary.PodStats p) {
        return "{namespace=\"" + escape(p.podRef().namespace()) + "\",pod=\"" + escape(p.podRef().name()) + "\"}";
    }

    private static void sample(StringBuilder out, String name, String labels, double value, String time) {
        out.append(name).append(labels).append(' ').append(number(value));
        if (time != null) {
            out.append(' ').append(Instant.parse(time).toEpochMilli());
        }
        out.append('\n');
    }

    private static String number(double v) {
        if (v == Math.rint(v) && Math.abs(v) < 1e15) {
            return Long.toString((long) v);
        }
        // Go's strconv.FormatFloat(v, 'g', -1, 64) for the values seen here: shortest round-trip form
        String s = Double.toString(v);
        return s.contains("E") ? String.format(Locale.ROOT, "%e", v) : s;
    }

    private static String escape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n");
    }
}
