package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.queue.SchedulingQueue;

import java.util.Objects;

/**
 * Routes pod events: bound pods go to the cache (where they count against their node; a bound pod
 * the scheduler assumed confirms the assumption), pending pods this scheduler is responsible for go
 * to the queue. Finished pods (Succeeded/Failed) no longer use their node's resources.
 */
public final class PodEventHandler implements ResourceEventHandler<Pod> {
    private final SchedulingQueue queue;
    private final SchedulerCache cache;
    private final String schedulerName;

    public PodEventHandler(SchedulingQueue queue, SchedulerCache cache, String schedulerName) {
        this.queue = queue;
        this.cache = cache;
        this.schedulerName = schedulerName;
    }

    @Override
    public void onAdd(Pod pod) {
        if (assigned(pod)) {
            if (!terminal(pod)) {
                cache.addOrUpdatePod(pod);
                queue.onEvent(ClusterEvent.ASSIGNED_POD_ADDED);
            }
        } else if (wantsScheduling(pod)) {
            queue.add(pod);
        }
    }

    @Override
    public void onUpdate(Pod oldPod, Pod newPod) {
        String key = newPod.key();
        if (assigned(newPod)) {
            if (!assigned(oldPod)) {
                queue.delete(key);
            }
            if (terminal(newPod)) {
                if (cache.removePod(key)) {
                    queue.onEvent(ClusterEvent.ASSIGNED_POD_REMOVED);
                }
                return;
            }
            boolean known = cache.contains(key) && !cache.isAssumed(key);
            cache.addOrUpdatePod(newPod);
            if (!known) {
                queue.onEvent(ClusterEvent.ASSIGNED_POD_ADDED);
            } else if (!Objects.equals(oldPod.metadata.labels, newPod.metadata.labels)) {
                queue.onEvent(ClusterEvent.ASSIGNED_POD_LABELS_CHANGED);
            }
        } else if (wantsScheduling(newPod)) {
            queue.update(oldPod, newPod);
        } else {
            // being deleted, or handed to another scheduler
            queue.delete(key);
        }
    }

    @Override
    public void onDelete(Pod pod) {
        queue.delete(pod.key());
        if (cache.removePod(pod.key())) {
            queue.onEvent(ClusterEvent.ASSIGNED_POD_REMOVED);
        }
    }

    private boolean wantsScheduling(Pod pod) {
        String name = pod.spec.schedulerName;
        return (name == null || name.isEmpty() || name.equals(schedulerName))
                && pod.metadata.deletionTimestamp == null && !terminal(pod);
    }

    static boolean assigned(Pod pod) {
        return pod.spec.nodeName != null && !pod.spec.nodeName.isEmpty();
    }

    static boolean terminal(Pod pod) {
        return pod.status != null && ("Succeeded".equals(pod.status.phase) || "Failed".equals(pod.status.phase));
    }
}
