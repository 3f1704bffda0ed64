package io.kube4j.kubelet.stats;

import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerUsage;
import io.kube4j.quantity.Quantity;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The usage of hollow (fake runtime) containers, which run nothing: a configurable load, so hollow nodes
 * can feed {@code kubectl top} and drive a HorizontalPodAutoscaler. Each container uses the CPU rate and
 * memory named by its pod's annotations {@value #CPU_ANNOTATION} and {@value #MEMORY_ANNOTATION}
 * (quantities, e.g. {@code 250m} and {@code 64Mi}; per container), else the kubelet's defaults. Annotations
 * can be changed on a running pod ({@code kubectl annotate --overwrite}) to start or stop the load. The
 * cumulative CPU time integrates the rate over time, so a rate change shows in the next sample.
 * This is kube4j's own: Kubernetes' kubemark hollow nodes report no usage.
 */
public final class SyntheticLoad implements UsageSource {
    /** The CPU rate each container of the pod uses, as a quantity of cores. */
    public static final String CPU_ANNOTATION = "kube4j.io/synthetic-cpu";
    /** The working set each container of the pod has, as a quantity of bytes. */
    public static final String MEMORY_ANNOTATION = "kube4j.io/synthetic-memory";

    private final Clock clock;
    private final long defaultNanoCores;
    private final long defaultBytes;
    // container id -> cumulative CPU time so far and when it was last advanced
    private final Map<String, Accumulated> cpu = new ConcurrentHashMap<>();

    private record Accumulated(Instant at, long coreNanoSeconds) {
    }

    /**
     * @param defaultCpu    the CPU rate of containers whose pod has no annotation (a quantity of cores, e.g. {@code 0} or {@code 5m})
     * @param defaultMemory the working set of such containers (a quantity of bytes)
     */
    public SyntheticLoad(Clock clock, String defaultCpu, String defaultMemory) {
        this.clock = clock;
        this.defaultNanoCores = nanoCores(defaultCpu);
        this.defaultBytes = bytes(defaultMemory);
    }

    @Override
    public ContainerUsage usage(Pod pod, ContainerInfo container) {
        if (!container.running()) {
            cpu.remove(container.id());
            return null;
        }
        Map<String, String> annotations = pod.metadata.annotations == null ? Map.of() : pod.metadata.annotations;
        long rate = annotations.containsKey(CPU_ANNOTATION) ? nanoCores(annotations.get(CPU_ANNOTATION)) : defaultNanoCores;
        long memory = annotations.containsKey(MEMORY_ANNOTATION) ? bytes(annotations.get(MEMORY_ANNOTATION)) : defaultBytes;
        Instant now = clock.instant();
        Instant started = container.startedAt() == null ? now : container.startedAt();
        Accumulated next = cpu.compute(container.id(), (id, prev) -> {
            // the first sample assumes the current rate has held since the container started
            Instant from = prev == null ? started : prev.at();
            long base = prev == null ? 0 : prev.coreNanoSeconds();
            long elapsed = Math.max(0, Duration.between(from, now).toNanos());
            return new Accumulated(now, base + Math.round(rate * (elapsed / 1e9)));
        });
        // the rate is known exactly: no need to derive it (and round it) from two samples
        return new ContainerUsage(now, next.coreNanoSeconds(), memory, rate);
    }

    /** Forgets containers that no longer exist. */
    public void retain(java.util.Set<String> containerIds) {
        cpu.keySet().retainAll(containerIds);
    }

    private static long nanoCores(String q) {
        if (q == null || q.isBlank()) {
            return 0;
        }
        return Math.max(0, Math.round(Quantity.parse(q.trim()).exact().doubleValue() * 1e9));
    }

    private static long bytes(String q) {
        if (q == null || q.isBlank()) {
            return 0;
        }
        return Math.max(0, Math.round(Quantity.parse(q.trim()).exact().doubleValue()));
    }
}
