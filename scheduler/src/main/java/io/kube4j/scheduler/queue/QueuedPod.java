package io.kube4j.scheduler.queue;

import io.kube4j.api.Pod;

/**
 * A pod handed out by the {@link SchedulingQueue} for one scheduling attempt.
 *
 * @param pod             the pod as last seen by the queue (informer object: read-only)
 * @param attempts        scheduling attempts so far, this one included
 * @param firstQueuedNanos when the pod first entered the queue ({@link System#nanoTime()}), for latency
 * @param cycle           the scheduling cycle of this attempt
 */
public record QueuedPod(Pod pod, int attempts, long firstQueuedNanos, long cycle) {
    public String key() {
        return pod.key();
    }
}
