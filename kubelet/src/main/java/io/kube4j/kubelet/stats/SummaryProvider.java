package io.kube4j.kubelet.stats;

import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ContainerUsage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Supplier;

/**
 * Builds one node's {@link Summary}: every running container of the pods bound to the node, measured by
 * a {@link UsageSource}; pods sum their containers; the node is measured by {@code nodeUsage} (the machine)
 * or, when that gives nothing (hollow nodes), sums its pods. {@code usageNanoCores} is the rate between
 * this sample and the previous one of the same container (as cAdvisor derives it); a container's first sample
 * reports its average since it started, the node's is measured against a baseline taken when this provider
 * was made (the machine's counter runs since the host booted).
 *
 * <p>Kubernetes: {@code pkg/kubelet/stats/provider.go} ({@code GetCPUAndMemoryStats}) and
 * {@code cri_stats_provider.go}.
 */
public final class SummaryProvider {
    private static final Logger log = LoggerFactory.getLogger(SummaryProvider.class);

    private static final Duration MIN_RATE_WINDOW = Duration.ofSeconds(1);

    private final String nodeName;
    private final Instant nodeStartTime;
    private final Supplier<List<Pod>> pods;
    private final ContainerRuntime runtime;
    private final UsageSource usage;
    private final Supplier<ContainerUsage> nodeUsage;
    private final Clock clock;
    // previous sample per container id (and "node"), for the rate
    private final Map<String, ContainerUsage> previous = new ConcurrentHashMap<>();
    private static final String NODE = "node";

    /**
     * @param pods      the pods bound to the node (the kubelet's informer cache)
     * @param nodeUsage the machine's usage, or a supplier of null for a node that is only the sum of its pods
     */
    public SummaryProvider(String nodeName, Instant nodeStartTime, Supplier<List<Pod>> pods, ContainerRuntime runtime, UsageSource usage,
                           Supplier<ContainerUsage> nodeUsage, Clock clock) {
        this.nodeName = nodeName;
        this.nodeStartTime = nodeStartTime;
        this.pods = pods;
        this.runtime = runtime;
        this.usage = usage;
        this.nodeUsage = nodeUsage;
        this.clock = clock;
        // The machine's counter (the host's /proc/stat) counts since the host booted, not since this node
        // started: a baseline taken now lets the first summary report a true rate over [now, first scrape]
        // (cAdvisor's usageNanoCores = delta(usageCoreNanoSeconds) / delta(t)) instead of the host's whole
        // busy time divided by the kubelet's age (tens of "cores" on a 2-core host).
        ContainerUsage baseline = safely(nodeUsage);
        if (baseline != null) {
            previous.put(NODE, baseline);
        }
    }

    private static ContainerUsage safely(Supplier<ContainerUsage> s) {
        try {
            return s.get();
        } catch (RuntimeException e) {
            return null;
        }
    }

    /** The usage of the runtime's own measurements, for the docker and process runtimes. */
    public static UsageSource fromRuntime(ContainerRuntime runtime) {
        return (pod, container) -> container.running() ? runtime.containerUsage(container.id()) : null;
    }

    /** Samples now. */
    public Summary summary() {
        Map<String, List<ContainerInfo>> byPod = new java.util.HashMap<>();
        for (ContainerInfo c : runtime.listContainers()) {
            if (c.running()) {
                byPod.computeIfAbsent(c.pod().uid(), k -> new ArrayList<>()).add(c);
            }
        }
        Set<String> seen = new HashSet<>();
        List<Summary.PodStats> podStats = new ArrayList<>();
        long nodeCpu = 0;
        long nodeMemory = 0;
        Long nodeRate = 0L;
        for (Pod pod : pods.get()) {
            List<ContainerInfo> running = byPod.get(pod.metadata.uid);
            if (running == null) {
                continue;
            }
            List<Summary.ContainerStats> containers = new ArrayList<>();
            long podCpu = 0;
            long podMemory = 0;
            Long podRate = 0L;
            Instant podTime = null;
            for (ContainerInfo c : running) {
                ContainerUsage u;
                try {
                    u = usage.usage(pod, c);
                } catch (RuntimeException e) {
                    log.debug("usage of container {} of {}: {}", c.name(), pod.key(), e.toString());
                    continue;
                }
                if (u == null) {
                    continue;
                }
                seen.add(c.id());
                Long derived = rate(c.id(), u, c.startedAt());
                Long rate = u.usageNanoCores() != null ? u.usageNanoCores() : derived;
                containers.add(new Summary.ContainerStats(c.name(), time(c.startedAt()),
                        new Summary.CPUStats(time(u.time()), rate, u.usageCoreNanoSeconds()),
                        new Summary.MemoryStats(time(u.time()), u.workingSetBytes())));
                podCpu += u.usageCoreNanoSeconds();
                podMemory += u.workingSetBytes();
                podRate = podRate == null || rate == null ? null : podRate + rate;
                podTime = podTime == null || u.time().isAfter(podTime) ? u.time() : podTime;
            }
            if (containers.isEmpty()) {
                continue;
            }
            containers.sort(java.util.Comparator.comparing(Summary.ContainerStats::name));
            String startTime = pod.status != null && pod.status.startTime != null ? pod.status.startTime : time(podTime);
            podStats.add(new Summary.PodStats(new Summary.PodReference(pod.metadata.name, pod.metadata.namespace, pod.metadata.uid),
                    startTime, containers, new Summary.CPUStats(time(podTime), podRate, podCpu), new Summary.MemoryStats(time(podTime), podMemory)));
            nodeCpu += podCpu;
            nodeMemory += podMemory;
            nodeRate = nodeRate == null || podRate == null ? null : nodeRate + podRate;
        }
        previous.keySet().removeIf(id -> !id.equals(NODE) && !seen.contains(id));
        Instant now = clock.instant();
        ContainerUsage machine = nodeUsage.get();
        Summary.CPUStats cpu;
        Summary.MemoryStats memory;
        if (machine != null) {
            // no start for the fallback average: the machine's counter did not start with this node
            cpu = new Summary.CPUStats(time(machine.time()), rate(NODE, machine, null), machine.usageCoreNanoSeconds());
            memory = new Summary.MemoryStats(time(machine.time()), machine.workingSetBytes());
        } else {
            cpu = new Summary.CPUStats(time(now), podStats.isEmpty() ? Long.valueOf(0) : nodeRate, nodeCpu);
            memory = new Summary.MemoryStats(time(now), nodeMemory);
        }
        podStats.sort(java.util.Comparator.comparing((Summary.PodStats p) -> p.podRef().namespace()).thenComparing(p -> p.podRef().name()));
        return new Summary(new Summary.NodeStats(nodeName, time(nodeStartTime), cpu, memory), podStats);
    }

    /**
     * Nanocores between the previous sample of {@code id} and {@code u}. Without a previous sample, the
     * average since {@code start} (null when unknown). Samples closer than a second to the previous one are
     * measured against it but do not replace it, so frequent scrapes do not turn the rate into noise.
     */
    private Long rate(String id, ContainerUsage u, Instant start) {
        ContainerUsage prev = previous.get(id);
        if (prev == null || u.usageCoreNanoSeconds() < prev.usageCoreNanoSeconds()) {
            // first sample, or the counter went back (a restart): start over
            previous.put(id, u);
            if (start == null) {
                return null;
            }
            long since = Duration.between(start, u.time()).toNanos();
            return since <= 0 ? null : Math.round(u.usageCoreNanoSeconds() * 1e9 / since);
        }
        long nanos = Duration.between(prev.time(), u.time()).toNanos();
        if (nanos <= 0) {
            return null;
        }
        if (nanos >= MIN_RATE_WINDOW.toNanos()) {
            previous.put(id, u);
        }
        return Math.round((u.usageCoreNanoSeconds() - prev.usageCoreNanoSeconds()) * 1e9 / nanos);
    }

    private static String time(Instant t) {
        return t == null ? null : io.kube4j.json.Times.format(t);
    }
}
