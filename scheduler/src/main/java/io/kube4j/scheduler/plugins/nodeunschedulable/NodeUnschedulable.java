package io.kube4j.scheduler.plugins.nodeunschedulable;

import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.Set;

/** Rejects cordoned nodes ({@code spec.unschedulable}) unless the pod tolerates the unschedulable taint. */
public final class NodeUnschedulable implements FilterPlugin {
    public static final String NAME = "NodeUnschedulable";
    static final String REASON = "node(s) were unschedulable";
    private static final Taint UNSCHEDULABLE = new Taint("node.kubernetes.io/unschedulable", null, "NoSchedule");

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        if (!node.unschedulable()) {
            return Status.SUCCESS;
        }
        for (Toleration t : pod.tolerations()) {
            if (t.tolerates(UNSCHEDULABLE)) {
                return Status.SUCCESS;
            }
        }
        return Status.unresolvable(REASON);
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_SCHEDULABILITY_CHANGED);
    }
}
