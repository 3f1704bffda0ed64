package io.kube4j.scheduler.plugins.noderesources;

import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Resource;
import io.kube4j.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Whether the node has room for the pod's requests next to the requests of the pods already on it
 * (bound or assumed): cpu, memory, any other named resource the pod requests, and the pod count.
 */
public final class NodeResourcesFit implements FilterPlugin {
    public static final String NAME = "NodeResourcesFit";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        List<InsufficientResource> missing = insufficientResources(pod, node);
        if (missing.isEmpty()) {
            return Status.SUCCESS;
        }
        String[] reasons = new String[missing.size()];
        for (int i = 0; i < reasons.length; i++) {
            reasons[i] = missing.get(i).reason();
        }
        return Status.unschedulable(reasons);
    }

    /** Every resource the node lacks for the pod; empty when the pod fits. */
    public static List<InsufficientResource> insufficientResources(PodInfo pod, NodeInfo node) {
        List<InsufficientResource> out = new ArrayList<>(0);
        long podCount = node.pods().size();
        if (podCount + 1 > node.allowedPods()) {
            out.add(new InsufficientResource("pods", 1, podCount, node.allowedPods()));
        }
        Resource want = pod.requests();
        Resource used = node.requested();
        Resource alloc = node.allocatable();
        // a resource the pod does not request cannot be short, even on an overcommitted node
        if (want.milliCpu() > 0 && want.milliCpu() > alloc.milliCpu() - used.milliCpu()) {
            out.add(new InsufficientResource(Resource.CPU, want.milliCpu(), used.milliCpu(), alloc.milliCpu()));
        }
        if (want.memory() > 0 && want.memory() > alloc.memory() - used.memory()) {
            out.add(new InsufficientResource(Resource.MEMORY, want.memory(), used.memory(), alloc.memory()));
        }
        for (Map.Entry<String, Long> e : want.scalars().entrySet()) {
            long w = e.getValue();
            if (w > 0 && w > alloc.scalar(e.getKey()) - used.scalar(e.getKey())) {
                out.add(new InsufficientResource(e.getKey(), w, used.scalar(e.getKey()), alloc.scalar(e.getKey())));
            }
        }
        return out;
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_ALLOCATABLE_CHANGED, ClusterEvent.ASSIGNED_POD_REMOVED);
    }
}
