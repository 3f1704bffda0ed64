package io.kube4j.scheduler.core;

import io.kube4j.api.Node;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.queue.SchedulingQueue;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps the cache's nodes current and tells the queue what changed. Heartbeat-only status updates
 * (conditions, times) change nothing the plugins look at, so they wake no unschedulable pod.
 */
public final class NodeEventHandler implements ResourceEventHandler<Node> {
    private final SchedulingQueue queue;
    private final SchedulerCache cache;

    public NodeEventHandler(SchedulingQueue queue, SchedulerCache cache) {
        this.queue = queue;
        this.cache = cache;
    }

    @Override
    public void onAdd(Node node) {
        cache.addOrUpdateNode(node);
        queue.onEvent(ClusterEvent.NODE_ADDED);
    }

    @Override
    public void onUpdate(Node oldNode, Node newNode) {
        cache.addOrUpdateNode(newNode);
        for (ClusterEvent e : changes(oldNode, newNode)) {
            queue.onEvent(e);
        }
    }

    @Override
    public void onDelete(Node node) {
        cache.removeNode(node.metadata.name);
    }

    /** The scheduling-relevant differences between two versions of a node. */
    static List<ClusterEvent> changes(Node a, Node b) {
        List<ClusterEvent> events = new ArrayList<>();
        if (!Objects.equals(a.metadata.labels, b.metadata.labels)) {
            events.add(ClusterEvent.NODE_LABELS_CHANGED);
        }
        if (!Objects.equals(String.valueOf(a.spec.taints), String.valueOf(b.spec.taints))) {
            events.add(ClusterEvent.NODE_TAINTS_CHANGED);
        }
        if (!Objects.equals(a.status.allocatable, b.status.allocatable) || !Objects.equals(a.status.capacity, b.status.capacity)) {
            events.add(ClusterEvent.NODE_ALLOCATABLE_CHANGED);
        }
        if (!Objects.equals(a.spec.unschedulable, b.spec.unschedulable)) {
            events.add(ClusterEvent.NODE_SCHEDULABILITY_CHANGED);
        }
        return events;
    }
}
