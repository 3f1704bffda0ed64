package io.kube4j.scheduler.core;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.Status;
import io.kube4j.client.ApiException;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.scheduler.plugins.PluginRegistry;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.kube4j.scheduler.plugins.defaultpreemption.PreemptionMetrics;
import io.kube4j.scheduler.queue.Nominator;
import io.kube4j.scheduler.queue.SchedulingQueue;
import io.kube4j.scheduler.testing.RecordingPreemptionApi;
import io.kube4j.scheduler.testing.PodBuilder;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * The scheduling loop with the production plugins (DefaultPreemption included, its apiserver calls
 * recorded), a fake binder and reporter: bindings run on the calling thread.
 */
class SchedulerTest {
    private final Map<String, Pod> pods = new ConcurrentHashMap<>();
    private final Nominator nominator = new Nominator(pods::get);
    private final RecordingPreemptionApi preemptionApi = new RecordingPreemptionApi();
    private final Framework framework = PluginRegistry.defaultFramework(Map.of(),
            List.of(new DefaultPreemption(pods::get, List::of, preemptionApi, new Random(1), PreemptionMetrics.NONE)), nominator);
    private final SchedulingQueue queue = new SchedulingQueue(System::nanoTime, Duration.ofMillis(20), Duration.ofMillis(100), Duration.ofSeconds(60),
            framework.preEnqueuePlugins(), (pod, status) -> { }, nominator);
    private final SchedulerCache cache = new SchedulerCache();
    private final Map<String, String> bound = new LinkedHashMap<>();
    private final List<ApiException> bindFailures = new ArrayList<>();
    private final Map<String, String> unschedulable = new HashMap<>();
    private final Map<String, NominatingInfo> nominations = new HashMap<>();
    private final List<String> scheduledEvents = new ArrayList<>();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();

    private final Binder binder = (pod, node) -> {
        if (!bindFailures.isEmpty()) {
            throw bindFailures.removeFirst();
        }
        bound.put(pod.metadata.name, node);
    };

    private final SchedulingReporter reporter = new SchedulingReporter() {
        @Override
        public void scheduled(Pod pod, String nodeName) {
            scheduledEvents.add(pod.metadata.name + "->" + nodeName);
        }

        @Override
        public void unschedulable(Pod pod, String message) {
            unschedulable.put(pod.metadata.name, message);
        }

        @Override
        public void unschedulable(Pod pod, String message, NominatingInfo nominating) {
            unschedulable(pod, message);
            nominations.put(pod.metadata.name, nominating);
        }

        @Override
        public void failed(Pod pod, String message) {
        }
    };

    private final Scheduler scheduler = new Scheduler(queue, cache, framework, new SchedulingAlgorithm(framework, 0, new Random(1)),
            binder, reporter, new SchedulerMetrics(registry, queue), pods::get, Runnable::run, 4);

    private void submit(PodBuilder b) {
        Pod p = b.build();
        pods.put(p.key(), p);
        queue.add(p);
    }

    private void drain() throws InterruptedException {
        while (queue.activeSize() > 0) {
            scheduler.scheduleOne();
        }
    }

    private double attempts(String result) {
        return registry.get("scheduler.schedule.attempts").tag("result", result).counter().count();
    }

    @Test
    void aBurstNeverOvercommitsANodeBeforeTheInformerConfirms() throws Exception {
        for (int i = 1; i <= 3; i++) {
            cache.addOrUpdateNode(node("n" + i).cpu("2").build());
        }
        for (int i = 0; i < 7; i++) {
            submit(pod("p" + i).cpu("1"));
        }
        drain();
        assertThat(bound).hasSize(6);
        Map<String, Long> perNode = new HashMap<>();
        bound.values().forEach(n -> perNode.merge(n, 1L, Long::sum));
        assertThat(perNode).containsOnly(Map.entry("n1", 2L), Map.entry("n2", 2L), Map.entry("n3", 2L));
        String leftOver = pods.keySet().stream().map(k -> k.substring("default/".length())).filter(n -> !bound.containsKey(n)).findFirst().orElseThrow();
        assertThat(unschedulable).containsEntry(leftOver, "0/3 nodes are available: 3 Insufficient cpu. "
                + "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
        assertThat(nominations.get(leftOver)).isEqualTo(NominatingInfo.override(""));
        assertThat(preemptionApi.actions()).isEmpty();
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        assertThat(attempts("scheduled")).isEqualTo(6);
        assertThat(attempts("unschedulable")).isEqualTo(1);
        assertThat(scheduledEvents).hasSize(6);
    }

    @Test
    void theMessageCountsEachNodesReason() throws Exception {
        cache.addOrUpdateNode(node("small-1").cpu("1").build());
        cache.addOrUpdateNode(node("small-2").cpu("1").build());
        cache.addOrUpdateNode(node("gpu").cpu("8").taint("dedicated", "gpu", "NoSchedule").build());
        submit(pod("big").cpu("2"));
        drain();
        // the tainted node is UnschedulableAndUnresolvable: preemption does not even try it
        assertThat(unschedulable).containsEntry("big", "0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu. "
                + "preemption: 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No preemption victims found for incoming pod.");
    }

    @Test
    void anAddedNodeThatFitsSchedulesTheWaitingPod() throws Exception {
        cache.addOrUpdateNode(node("small").cpu("1").build());
        submit(pod("big").cpu("2"));
        drain();
        assertThat(bound).isEmpty();
        new NodeEventHandler(queue, cache).onAdd(node("large").cpu("4").build());
        Thread.sleep(30);
        scheduler.scheduleOne();
        assertThat(bound).containsEntry("big", "large");
    }

    @Test
    void onlyEventsThatCanHelpWakeAnUnschedulablePod() throws Exception {
        cache.addOrUpdateNode(node("gpu").taint("dedicated", "gpu", "NoSchedule").build());
        submit(pod("p"));
        drain();
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        Thread.sleep(30);
        // freed resources cannot help a pod kept out by a taint
        new PodEventHandler(queue, cache, "default-scheduler").onDelete(pod("gone").nodeName("gpu").build());
        queue.onEvent(io.kube4j.scheduler.framework.ClusterEvent.ASSIGNED_POD_REMOVED);
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        // an untainted node can
        Node clean = node("gpu").build();
        new NodeEventHandler(queue, cache).onUpdate(node("gpu").taint("dedicated", "gpu", "NoSchedule").build(), clean);
        assertThat(queue.unschedulableSize()).isZero();
        scheduler.scheduleOne();
        assertThat(bound).containsEntry("p", "gpu");
    }

    @Test
    void aFailedBindingIsForgottenAndRetriedWithBackoff() throws Exception {
        cache.addOrUpdateNode(node("n1").cpu("1").build());
        bindFailures.add(new ApiException(500, Status.failure(500, "InternalError", "etcd hiccup"), "500", null));
        submit(pod("p").cpu("1"));
        scheduler.scheduleOne();
        assertThat(cache.contains("default/p")).as("forgotten").isFalse();
        assertThat(queue.backoffSize()).isEqualTo(1);
        assertThat(attempts("error")).isEqualTo(1);
        scheduler.scheduleOne();
        assertThat(bound).containsEntry("p", "n1");
    }

    @Test
    void aConflictOnBindingDropsThePod() throws Exception {
        cache.addOrUpdateNode(node("n1").cpu("1").build());
        bindFailures.add(new ApiException(409, Status.failure(409, "Conflict", "already assigned"), "409", null));
        submit(pod("p").cpu("1"));
        scheduler.scheduleOne();
        assertThat(cache.contains("default/p")).isFalse();
        assertThat(queue.contains("default/p")).isFalse();
        assertThat(bound).isEmpty();
    }

    @Test
    void antiAffineReplicasOfABurstLandOnDifferentNodes() throws Exception {
        for (int i = 1; i <= 3; i++) {
            cache.addOrUpdateNode(node("n" + i).build());
        }
        for (int i = 0; i < 4; i++) {
            submit(pod("web-" + i).label("app", "web").podAntiAffinity("kubernetes.io/hostname", Map.of("app", "web")));
        }
        drain();
        assertThat(bound).hasSize(3);
        assertThat(new java.util.HashSet<>(bound.values())).hasSize(3);
        assertThat(unschedulable.values()).containsExactly("0/3 nodes are available: 3 node(s) didn't satisfy existing pods anti-affinity rules. "
                + "preemption: 0/3 nodes are available: 3 No preemption victims found for incoming pod.");
    }

    @Test
    void podsAlreadyCountedOrBeingDeletedAreSkipped() throws Exception {
        cache.addOrUpdateNode(node("n1").build());
        Pod deleting = pod("deleting").build();
        deleting.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        queue.add(deleting);
        scheduler.scheduleOne();
        assertThat(bound).isEmpty();
        assertThat(queue.contains("default/deleting")).isFalse();
    }

    @Test
    void aPodWithAMalformedSpecIsReportedNotCrashed() throws Exception {
        cache.addOrUpdateNode(node("n1").build());
        submit(pod("bad").requiredNodeAffinity("gen", "Gt", "x"));
        drain();
        assertThat(unschedulable.get("bad")).startsWith("0/1 nodes are available: invalid pod spec:")
                .endsWith(". preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling.");
    }

    /** A pod bound to a node, as the informer's event handler would count it. */
    private void running(PodBuilder b) {
        Pod p = b.build();
        pods.put(p.key(), p);
        cache.addOrUpdatePod(p);
    }

    @Test
    void aHighPriorityPodPreemptsIsNominatedAndIsBoundThereOnceTheVictimIsGone() throws Exception {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        running(pod("low").nodeName("n1").cpu("2").priority(0));
        submit(pod("high").cpu("2").priority(1000));
        scheduler.scheduleOne();
        assertThat(preemptionApi.actions()).containsExactly("preempt default/low on n1 for default/high");
        // preemption succeeded: no "preemption:" part, the node is nominated
        assertThat(unschedulable).containsEntry("high", "0/1 nodes are available: 1 Insufficient cpu.");
        assertThat(nominations.get("high")).isEqualTo(NominatingInfo.override("n1"));
        assertThat(nominator.nominatedNodeFor("default/high")).isEqualTo("n1");
        assertThat(queue.unschedulableSize()).isEqualTo(1);

        // the victim's deletion completes: the pod is retried and takes the room
        Pod low = pods.remove("default/low");
        new PodEventHandler(queue, cache, "default-scheduler").onDelete(low);
        Thread.sleep(30);
        scheduler.scheduleOne();
        assertThat(bound).containsEntry("high", "n1");
        assertThat(nominator.nominatedNodeFor("default/high")).as("bound pods reserve nothing").isNull();
    }

    @Test
    void theRoomPreemptionFreedIsReservedAgainstLowerPriorityPods() throws Exception {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        running(pod("low").nodeName("n1").cpu("2").priority(0));
        submit(pod("high").cpu("2").priority(1000));
        scheduler.scheduleOne();
        Pod low = pods.remove("default/low");
        new PodEventHandler(queue, cache, "default-scheduler").onDelete(low);
        // the high pod is backing off (20 ms); a pod of lower priority comes first and must not take its
        // room. On a loaded machine the back-off may already be over and the high pod comes first: the
        // outcome must be the same either way, so both attempts run before the assertions.
        submit(pod("medium").cpu("2").priority(500));
        scheduler.scheduleOne();
        Thread.sleep(30);
        scheduler.scheduleOne();
        assertThat(bound).containsEntry("high", "n1").doesNotContainKey("medium");
        assertThat(unschedulable.get("medium")).isEqualTo("0/1 nodes are available: 1 Insufficient cpu. "
                + "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
    }

    @Test
    void aNominatedNodeIsTriedFirst() throws Exception {
        // scoring prefers the emptier node a; the pod's status nominates b, which it takes
        cache.addOrUpdateNode(node("a").cpu("8").build());
        cache.addOrUpdateNode(node("b").cpu("4").build());
        submit(pod("p").cpu("1").nominatedNodeName("b"));
        scheduler.scheduleOne();
        assertThat(bound).containsEntry("p", "b");
    }

    @Test
    void aPodWithPreemptionPolicyNeverStaysPendingAndPreemptsNothing() throws Exception {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        running(pod("low").nodeName("n1").cpu("2").priority(0));
        submit(pod("polite").cpu("2").priority(1000).preemptionPolicy("Never"));
        scheduler.scheduleOne();
        assertThat(preemptionApi.actions()).isEmpty();
        assertThat(unschedulable).containsEntry("polite", "0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
        assertThat(nominations.get("polite")).isEqualTo(NominatingInfo.NOOP);
        assertThat(queue.unschedulableSize()).isEqualTo(1);
    }

    @Test
    void aPreemptorWaitsWhileItsVictimsTerminate() throws Exception {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        running(pod("low").nodeName("n1").cpu("2").priority(0).terminating().condition("DisruptionTarget", "True", "PreemptionByScheduler"));
        submit(pod("high").cpu("2").priority(1000).nominatedNodeName("n1"));
        scheduler.scheduleOne();
        assertThat(preemptionApi.actions()).isEmpty();
        assertThat(unschedulable).containsEntry("high", "0/1 nodes are available: 1 Insufficient cpu. "
                + "preemption: not eligible due to a terminating pod on the nominated node.");
    }
}
