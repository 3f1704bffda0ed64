package io.kube4j.scheduler.plugins.noderesources;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.ScorePlugin;

/**
 * Prefers nodes whose cpu and memory would be used in equal proportion after placing the pod, so
 * that neither runs out while the other idles: {@code (1 - stddev(cpu fraction, memory fraction)) * 100}.
 */
public final class BalancedAllocation implements ScorePlugin {
    public static final String NAME = "NodeResourcesBalancedAllocation";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        double cpu = fraction(node.nonZeroMilliCpu() + pod.nonZeroMilliCpu(), node.allocatable().milliCpu());
        double mem = fraction(node.nonZeroMemory() + pod.nonZeroMemory(), node.allocatable().memory());
        // the standard deviation of two values is half their distance
        double std = Math.abs(cpu - mem) / 2;
        return (long) ((1 - std) * MAX_SCORE);
    }

    private static double fraction(long requested, long capacity) {
        if (capacity <= 0) {
            return 1;
        }
        return Math.min(1.0, (double) requested / capacity);
    }
}
