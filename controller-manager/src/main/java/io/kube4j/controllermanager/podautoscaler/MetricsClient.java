package io.kube4j.controllermanager.podautoscaler;

import io.kube4j.labels.Selector;

import java.time.Instant;
import java.util.Map;

/**
 * Where the HPA gets its pods' resource usage: the resource metrics API (metrics.k8s.io).
 * Kubernetes: {@code pkg/controller/podautoscaler/metrics/interfaces.go} ({@code MetricsClient.GetResourceMetric}).
 */
public interface MetricsClient {
    /** The usage of pods by name, and the timestamp of the first sample. */
    record PodMetrics(Map<String, PodMetric> byPod, Instant timestamp) {
    }

    /**
     * The usage of {@code resource} (cpu, memory) by each pod of {@code namespace} matching {@code selector}:
     * the sum over its containers, or the one named {@code container} (empty: all). Pods where a container
     * lacks the resource are left out.
     *
     * @throws MetricsException when the API cannot be read or has no metrics at all
     */
    PodMetrics getResourceMetric(String resource, String namespace, Selector selector, String container);

    /** The metrics API failed; the message is what Kubernetes puts in conditions and events. */
    class MetricsException extends RuntimeException {
        public MetricsException(String message) {
            super(message);
        }
    }
}
