package io.kube4j.scheduler.plugins.nodename;

import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.Set;

/** A pod that names its node ({@code spec.nodeName}) fits only there. */
public final class NodeName implements FilterPlugin {
    public static final String NAME = "NodeName";
    static final String REASON = "node(s) didn't match the requested node name";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        String wanted = pod.nodeName();
        return wanted == null || wanted.isEmpty() || wanted.equals(node.name()) ? Status.SUCCESS : Status.unresolvable(REASON);
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED);
    }
}
