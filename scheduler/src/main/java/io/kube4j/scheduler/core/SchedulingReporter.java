package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;

/** Tells users what became of a pod: Events, and the PodScheduled condition when it fits nowhere. */
public interface SchedulingReporter {
    /** The pod was bound to {@code nodeName}: a {@code Scheduled} Event. */
    void scheduled(Pod pod, String nodeName);

    /** The pod fits nowhere: condition PodScheduled=False/Unschedulable with {@code message}, and a {@code FailedScheduling} Event. */
    void unschedulable(Pod pod, String message);

    /** Scheduling failed for another reason (binding error, plugin error): a {@code FailedScheduling} Event. */
    void failed(Pod pod, String message);
}
