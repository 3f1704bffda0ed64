package io.kube4j.scheduler.framework;

import java.util.EnumSet;
import java.util.Set;

/** Decides whether a pod can run on one node. Must be cheap: it runs for (many) nodes per pod. */
public interface FilterPlugin extends Plugin {
    Status filter(CycleState state, PodInfo pod, NodeInfo node);

    /**
     * The cluster events after which a pod this plugin rejected may fit, so the queue moves it out of
     * the unschedulable pool only then (Kubernetes' EnqueueExtensions). By default: any event.
     */
    default Set<ClusterEvent> requeueOn() {
        return EnumSet.allOf(ClusterEvent.class);
    }
}
