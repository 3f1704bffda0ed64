package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A PodMetrics (metrics.k8s.io/v1beta1): each running container's CPU and memory usage. Read-only.
 * Kubernetes: {@code staging/src/k8s.io/metrics/pkg/apis/metrics/v1beta1/types.go}.
 */
public class PodMetrics extends KubeObject {
    /** When the usage was measured (RFC 3339). */
    public String timestamp;
    /** The span the CPU rate is averaged over, as a Go duration ({@code 10s}). */
    public String window;
    public List<ContainerMetrics> containers = new ArrayList<>();

    public PodMetrics() {
        super("metrics.k8s.io/v1beta1", "PodMetrics");
    }

    /** One container's usage: {@code cpu} in cores, {@code memory} (working set) in bytes. */
    public static class ContainerMetrics {
        public String name;
        public Map<String, Quantity> usage = new LinkedHashMap<>();
    }
}
