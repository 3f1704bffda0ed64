package io.kube4j.scheduler.plugins.nodeports;

import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.HostPort;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.Set;

/** A pod's host ports must be free on the node: same port and protocol conflict when the host IPs overlap. */
public final class NodePorts implements FilterPlugin {
    public static final String NAME = "NodePorts";
    static final String REASON = "node(s) didn't have free ports for the requested pod ports";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        for (HostPort wanted : pod.hostPorts()) {
            for (HostPort used : node.usedPorts()) {
                if (wanted.conflictsWith(used)) {
                    return Status.unschedulable(REASON);
                }
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.ASSIGNED_POD_REMOVED);
    }
}
