package io.kube4j.kubelet.stats;

import java.util.List;

/**
 * The kubelet Summary API document served at {@code /stats/summary}: the node and each pod with its
 * containers' CPU and memory. Only the fields metrics-server and {@code kubectl top} read are filled
 * (no network, filesystem, volume or swap stats). Times are RFC 3339.
 *
 * <p>Kubernetes: {@code staging/src/k8s.io/kubelet/pkg/apis/stats/v1alpha1/types.go} ({@code Summary}).
 */
public record Summary(NodeStats node, List<PodStats> pods) {

    /** {@code NodeStats}: the whole node's usage. */
    public record NodeStats(String nodeName, String startTime, CPUStats cpu, MemoryStats memory) {
    }

    /** {@code PodStats}: a pod's usage, the sum of its containers'. */
    public record PodStats(PodReference podRef, String startTime, List<ContainerStats> containers, CPUStats cpu, MemoryStats memory) {
    }

    /** {@code PodReference}. */
    public record PodReference(String name, String namespace, String uid) {
    }

    /** {@code ContainerStats}: one running container's usage. */
    public record ContainerStats(String name, String startTime, CPUStats cpu, MemoryStats memory) {
    }

    /**
     * {@code CPUStats}.
     *
     * @param time                 when sampled
     * @param usageNanoCores       the average rate since the previous sample, in nanocores (null on the first sample)
     * @param usageCoreNanoSeconds cumulative CPU time, in core-nanoseconds
     */
    public record CPUStats(String time, Long usageNanoCores, Long usageCoreNanoSeconds) {
    }

    /** {@code MemoryStats}: only the working set (what metrics-server and the eviction manager use). */
    public record MemoryStats(String time, Long workingSetBytes) {
    }
}
