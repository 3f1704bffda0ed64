package io.kube4j.scheduler.framework;

/**
 * Runs when a pod fits on no node (Kubernetes' PostFilter extension point), to make it fit in a
 * later cycle, typically by preempting lower-priority pods. The plugins run in order until one
 * succeeds or says nothing can help ({@link Status.Code#UNSCHEDULABLE_AND_UNRESOLVABLE}).
 */
public interface PostFilterPlugin extends Plugin {
    /**
     * @param handle    the framework, to re-run Filter and the PreFilter extensions on simulated nodes
     *                  (Kubernetes hands the {@code framework.Handle} to the plugin's factory; kube4j passes it
     *                  per call, so plugins and framework need no construction cycle)
     * @param state     the failed cycle's state (PreFilter data); copy it before changing anything
     * @param pod       the pod that fits nowhere
     * @param diagnosis why each node rejected it (Kubernetes' {@code NodeToStatusReader})
     */
    PostFilterResult postFilter(Handle handle, CycleState state, PodInfo pod, Diagnosis diagnosis);

    /** What of the framework a PostFilter plugin may use (a slice of Kubernetes' {@code framework.Handle}). */
    interface Handle {
        /** Filter with the node's nominated pods of equal or higher priority counted (see {@link Framework#runFiltersWithNominatedPods}). */
        Status runFiltersWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node);

        /** Tells every PreFilter plugin's extensions that {@code podToAdd} was added to {@code node}. */
        Status runPreFilterExtensionAddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node);

        /** Tells every PreFilter plugin's extensions that {@code podToRemove} was removed from {@code node}. */
        Status runPreFilterExtensionRemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node);

        /** The nominated pods. */
        PodNominator nominator();
    }
}
