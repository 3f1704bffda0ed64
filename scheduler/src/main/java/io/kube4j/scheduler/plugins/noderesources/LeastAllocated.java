package io.kube4j.scheduler.plugins.noderesources;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.ScorePlugin;

/**
 * Prefers the emptiest nodes, spreading load: per resource (cpu, memory, equally weighted)
 * {@code (allocatable - requested) * 100 / allocatable}, counting this pod, where pods that request
 * nothing count as 100m / 200Mi so that they spread too.
 */
public final class LeastAllocated implements ScorePlugin {
    public static final String NAME = "NodeResourcesLeastAllocated";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long cpu = free(node.nonZeroMilliCpu() + pod.nonZeroMilliCpu(), node.allocatable().milliCpu());
        long mem = free(node.nonZeroMemory() + pod.nonZeroMemory(), node.allocatable().memory());
        return (cpu + mem) / 2;
    }

    static long free(long requested, long capacity) {
        if (capacity <= 0 || requested > capacity) {
            return 0;
        }
        return (capacity - requested) * MAX_SCORE / capacity;
    }
}
