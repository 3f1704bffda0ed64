package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A NodeMetrics (metrics.k8s.io/v1beta1): a node's CPU and memory usage as the kubelet last measured it,
 * averaged over {@code window}. Read-only; the apiserver builds it from the kubelets' Summary API.
 * Kubernetes: {@code staging/src/k8s.io/metrics/pkg/apis/metrics/v1beta1/types.go}.
 */
public class NodeMetrics extends KubeObject {
    /** When the usage was measured (RFC 3339). */
    public String timestamp;
    /** The span the CPU rate is averaged over, as a Go duration ({@code 10s}). */
    public String window;
    /** {@code cpu} in cores, {@code memory} (working set) in bytes. */
    public Map<String, Quantity> usage = new LinkedHashMap<>();

    public NodeMetrics() {
        super("metrics.k8s.io/v1beta1", "NodeMetrics");
    }
}
