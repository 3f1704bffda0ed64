package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import io.kube4j.labels.Selector;
import io.kube4j.quantity.Quantity;
import tools.jackson.databind.JsonNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.Map;

/**
 * {@link MetricsClient} over {@code GET /apis/metrics.k8s.io/v1beta1/namespaces/{ns}/pods?labelSelector=...}.
 * Kubernetes: {@code pkg/controller/podautoscaler/metrics/client.go} ({@code resourceMetricsClient}).
 */
public final class RestMetricsClient implements MetricsClient {
    private final ApiClient client;

    public RestMetricsClient(ApiClient client) {
        this.client = client;
    }

    @Override
    public PodMetrics getResourceMetric(String resource, String namespace, Selector selector, String container) {
        String path = "/apis/metrics.k8s.io/v1beta1/namespaces/" + namespace + "/pods";
        String sel = selector.toString();
        if (!sel.isEmpty()) {
            path += "?labelSelector=" + URLEncoder.encode(sel, StandardCharsets.UTF_8);
        }
        JsonNode list;
        try {
            list = Json.tree(client.getText(path).getBytes(StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new MetricsException("unable to fetch metrics from resource metrics API: " + e.getMessage());
        }
        return parse(list, resource, container);
    }

    /** The metrics of a PodMetricsList, as Kubernetes' {@code getPodMetrics}. */
    static PodMetrics parse(JsonNode list, String resource, String container) {
        JsonNode items = list.path("items");
        if (items.isEmpty()) {
            throw new MetricsException("no metrics returned from resource metrics API");
        }
        Map<String, PodMetric> out = new HashMap<>();
        for (JsonNode m : items) {
            long sum = 0;
            boolean missing = false;
            boolean any = false;
            for (JsonNode c : m.path("containers")) {
                if (!container.isEmpty() && !container.equals(c.path("name").asString())) {
                    continue;
                }
                JsonNode v = c.path("usage").path(resource);
                if (v.isMissingNode() || v.isNull()) {
                    missing = true;
                    break;
                }
                any = true;
                sum += Quantity.parse(v.asString()).milliValue();
            }
            if (!missing && (container.isEmpty() || any)) {
                out.put(m.path("metadata").path("name").asString(),
                        new PodMetric(Instant.parse(m.path("timestamp").asString()), window(m.path("window").asString("")), sum));
            }
        }
        return new PodMetrics(out, Instant.parse(items.get(0).path("timestamp").asString()));
    }

    /** A Go duration as metrics-server writes it ({@code 10s}, {@code 1.5s}, {@code 1m0s}). */
    static Duration window(String s) {
        if (s.isEmpty()) {
            return Duration.ZERO;
        }
        Duration d = Duration.ZERO;
        java.util.regex.Matcher m = java.util.regex.Pattern.compile("([0-9.]+)(h|ms|m|s)").matcher(s);
        while (m.find()) {
            double v = Double.parseDouble(m.group(1));
            d = d.plusNanos(Math.round(v * switch (m.group(2)) {
                case "h" -> 3600e9;
                case "m" -> 60e9;
                case "ms" -> 1e6;
                default -> 1e9;
            }));
        }
        return d;
    }
}
