package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.framework.Status;

/** Tells users what became of a pod: Events, and the PodScheduled condition when it fits nowhere or is gated. */
public interface SchedulingReporter {
    /** The pod was bound to {@code nodeName}: a {@code Scheduled} Event. */
    void scheduled(Pod pod, String nodeName);

    /** The pod fits nowhere: condition PodScheduled=False/Unschedulable with {@code message}, and a {@code FailedScheduling} Event. */
    void unschedulable(Pod pod, String message);

    /**
     * The pod fits nowhere now; {@code nominating} says whether its {@code status.nominatedNodeName} changes
     * (preemption made room on a node, or found none). By default the nomination is not reported.
     */
    default void unschedulable(Pod pod, String message, NominatingInfo nominating) {
        unschedulable(pod, message);
    }

    /** Scheduling failed for another reason (binding error, plugin error): a {@code FailedScheduling} Event. */
    void failed(Pod pod, String message);

    /**
     * A PreEnqueue plugin keeps the pod from being scheduled ({@code status} says which and why, e.g.
     * {@code waiting for scheduling gates: [a]}). By default nothing is reported.
     */
    default void gated(Pod pod, Status status) {
    }
}
