package io.kube4j.kubelet.pod;

import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * The kubelet's own metrics, summed over every kubelet of the JVM (there are many with the hollow
 * runtime): {@code kubelet_running_pods}, {@code kubelet_running_containers} and
 * {@code kubelet_pod_start_duration_seconds} (first seen to all containers running).
 */
public final class KubeletMetrics {
    private final List<PodWorkers> nodes = new CopyOnWriteArrayList<>();
    private final Timer podStart;

    public KubeletMetrics(MeterRegistry registry) {
        Gauge.builder("kubelet.running.pods", this, m -> m.nodes.stream().mapToInt(PodWorkers::runningPods).sum())
                .description("Pods with a running sandbox and at least one running container").register(registry);
        Gauge.builder("kubelet.running.containers", this, m -> m.nodes.stream().mapToInt(PodWorkers::runningContainers).sum())
                .description("Containers running").register(registry);
        this.podStart = Timer.builder("kubelet.pod.start.duration")
                .description("From the kubelet first seeing a pod to all its containers running")
                .publishPercentileHistogram()
                .register(registry);
    }

    void track(PodWorkers workers) {
        nodes.add(workers);
    }

    void podStarted(Duration latency) {
        podStart.record(latency);
    }
}
