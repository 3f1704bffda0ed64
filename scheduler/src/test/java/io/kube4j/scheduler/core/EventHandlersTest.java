package io.kube4j.scheduler.core;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.queue.SchedulingQueue;
import org.junit.jupiter.api.Test;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

class EventHandlersTest {
    private final SchedulingQueue queue = new SchedulingQueue();
    private final SchedulerCache cache = new SchedulerCache();
    private final PodEventHandler pods = new PodEventHandler(queue, cache, "default-scheduler");

    @Test
    void pendingPodsOfThisSchedulerAreQueued() {
        pods.onAdd(pod("mine").build());
        pods.onAdd(pod("named").schedulerName("default-scheduler").build());
        pods.onAdd(pod("theirs").schedulerName("other-scheduler").build());
        assertThat(queue.keys()).containsExactlyInAnyOrder("default/mine", "default/named");
    }

    @Test
    void aGatedPendingPodIsKeptInTheGatedPartOfTheQueueOfAFrameworkWithSchedulingGates() {
        SchedulingQueue gatedQueue = new SchedulingQueue(System::nanoTime, java.time.Duration.ofSeconds(1), java.time.Duration.ofSeconds(10),
                java.time.Duration.ofSeconds(60), io.kube4j.scheduler.plugins.PluginRegistry.defaultFramework(java.util.Map.of()).preEnqueuePlugins(),
                (p, s) -> {
                });
        PodEventHandler handler = new PodEventHandler(gatedQueue, cache, "default-scheduler");
        handler.onAdd(pod("gated").gate("a").build());
        assertThat(gatedQueue.gatedSize()).isEqualTo(1);
        assertThat(gatedQueue.activeSize()).isZero();
    }

    @Test
    void boundPodsGoToTheCacheAndLeaveTheQueue() {
        Pod pending = pod("p").cpu("1").build();
        pods.onAdd(pending);
        Pod bound = Json.copy(pending);
        bound.spec.nodeName = "n1";
        pods.onUpdate(pending, bound);
        assertThat(queue.contains("default/p")).isFalse();
        assertThat(cache.nodeOf("default/p")).isEqualTo("n1");
    }

    @Test
    void finishedPodsFreeTheirNode() {
        Pod running = pod("p").cpu("1").nodeName("n1").build();
        pods.onAdd(running);
        Pod done = Json.copy(running);
        done.status.phase = "Succeeded";
        pods.onUpdate(running, done);
        assertThat(cache.contains("default/p")).isFalse();
    }

    @Test
    void deletedPodsLeaveQueueAndCache() {
        Pod running = pod("r").nodeName("n1").build();
        pods.onAdd(running);
        pods.onAdd(pod("q").build());
        pods.onDelete(running);
        pods.onDelete(pod("q").build());
        assertThat(cache.contains("default/r")).isFalse();
        assertThat(queue.contains("default/q")).isFalse();
    }

    @Test
    void podsBeingDeletedAreNotScheduled() {
        Pod p = pod("p").build();
        pods.onAdd(p);
        Pod deleting = Json.copy(p);
        deleting.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        pods.onUpdate(p, deleting);
        assertThat(queue.contains("default/p")).isFalse();
    }

    @Test
    void heartbeatsAreNotSchedulingChanges() {
        Node a = node("n").build();
        Node heartbeat = Json.copy(a);
        heartbeat.status.conditions.add(new Node.NodeCondition());
        assertThat(NodeEventHandler.changes(a, heartbeat)).isEmpty();
    }

    @Test
    void nodeChangesAreClassified() {
        Node a = node("n").build();
        Node b = Json.copy(a);
        b.metadata.labels.put("zone", "x");
        b.spec.taints.add(new io.kube4j.api.Taint("k", "v", "NoSchedule"));
        b.status.allocatable.put("cpu", Quantity.parse("64"));
        b.spec.unschedulable = true;
        assertThat(NodeEventHandler.changes(a, b)).containsExactly(ClusterEvent.NODE_LABELS_CHANGED, ClusterEvent.NODE_TAINTS_CHANGED,
                ClusterEvent.NODE_ALLOCATABLE_CHANGED, ClusterEvent.NODE_SCHEDULABILITY_CHANGED);
    }
}
