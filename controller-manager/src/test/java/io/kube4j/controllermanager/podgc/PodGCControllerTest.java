package io.kube4j.controllermanager.podgc;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.Taint;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.kube4j.controllermanager.testing.Fixtures.created;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class PodGCControllerTest {
    static final Instant T0 = Instant.parse("2026-01-01T01:00:00Z");
    static final String KEY = PodGCController.GC_KEY;

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final MutableClock clock = new MutableClock(T0);
    final SimpleMeterRegistry metrics = new SimpleMeterRegistry();

    PodGCController controller(int threshold) {
        return new PodGCController(informers, client, clock, threshold, Duration.ofSeconds(20), Duration.ofSeconds(40), metrics);
    }

    final PodGCController gc = controller(PodGCController.DEFAULT_TERMINATED_POD_THRESHOLD);

    void given(Object... objects) {
        for (Object o : objects) {
            if (o instanceof Pod p) {
                preload(informers.informer(Pod.class), p);
            } else if (o instanceof Node n) {
                preload(informers.informer(Node.class), n);
            }
        }
    }

    static Node node(String name, boolean ready, Taint... taints) {
        Node n = new Node();
        n.metadata.name = name;
        n.metadata.uid = "uid-" + name;
        Node.NodeCondition c = new Node.NodeCondition();
        c.type = "Ready";
        c.status = ready ? "True" : "False";
        n.status.conditions.add(c);
        n.spec.taints.addAll(java.util.List.of(taints));
        return n;
    }

    static Pod onNode(String name, String node, String phase) {
        Pod p = pod(name, Map.of(), null);
        p.spec.nodeName = node;
        p.status.phase = phase;
        return p;
    }

    static Pod terminating(Pod p) {
        p.metadata.deletionTimestamp = "2026-01-01T00:30:00Z";
        p.metadata.deletionGracePeriodSeconds = 30L;
        return p;
    }

    static Pod withPhase(String name, String phase, String createdAt) {
        Pod p = created(pod(name, Map.of(), null), createdAt);
        p.spec.nodeName = "n1";
        p.status.phase = phase;
        return p;
    }

    static void assertForceDelete(Action a, String name) {
        assertThat(a.summary()).isEqualTo("delete Pod default/" + name);
        assertThat(a.deleteOptions()).isNotNull();
        assertThat(a.deleteOptions().gracePeriodSeconds).isZero();
    }

    double count(String name, String reason) {
        var c = metrics.find(name).tag("reason", reason).tag("namespace", "default").counter();
        return c == null ? 0 : c.count();
    }

    @Test
    void anOrphanedPodWaitsOutTheQuarantineThenIsMarkedFailedWithDisruptionTargetAndForceDeleted() {
        given(node("n1", true), onNode("orphan", "gone", "Running"), onNode("fine", "n1", "Running"));

        Result first = gc.reconcile(KEY);
        clock.advance(Duration.ofSeconds(39));
        gc.reconcile(KEY);
        assertThat(client.actions()).as("within the quarantine").isEmpty();
        assertThat(first.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(first.after()).isEqualTo(Duration.ofSeconds(20));

        clock.advance(Duration.ofSeconds(1));
        gc.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("updateStatus Pod default/orphan", "delete Pod default/orphan");
        Pod failed = (Pod) client.actions().getFirst().object();
        assertThat(failed.status.phase).isEqualTo("Failed");
        PodCondition c = failed.status.condition("DisruptionTarget");
        assertThat(c.status).isEqualTo("True");
        assertThat(c.reason).isEqualTo("DeletionByPodGC");
        assertThat(c.message).isEqualTo("PodGC: node no longer exists");
        assertThat(c.lastTransitionTime).isEqualTo(Times.format(T0.plusSeconds(40)));
        assertForceDelete(client.actions().get(1), "orphan");
        assertThat(count("pod.gc.collector.force.delete.pods", "orphaned")).isEqualTo(1);
    }

    @Test
    void aNodeTheCacheHasNotSeenYetButALiveGetFindsKeepsItsPods() {
        given(onNode("p", "late", "Running"));
        client.live(node("late", true));

        gc.reconcile(KEY);
        clock.advance(Duration.ofSeconds(60));
        gc.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void anOrphanAlreadyFailedIsOnlyDeleted() {
        given(onNode("done", "gone", "Succeeded"));

        gc.reconcile(KEY);
        clock.advance(Duration.ofSeconds(40));
        gc.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("delete Pod default/done");
    }

    @Test
    void terminatedPodsOverTheThresholdAreDeletedEvictedFirstThenOldestThenByName() {
        PodGCController small = controller(3);
        Pod evicted = withPhase("evicted", "Failed", "2026-01-01T00:00:50Z");
        evicted.status.reason = "Evicted";
        given(withPhase("old-a", "Succeeded", "2026-01-01T00:00:10Z"),
                withPhase("old-b", "Failed", "2026-01-01T00:00:10Z"),
                withPhase("oldest", "Failed", "2026-01-01T00:00:00Z"),
                evicted,
                withPhase("new-1", "Succeeded", "2026-01-01T00:00:30Z"),
                withPhase("new-2", "Failed", "2026-01-01T00:00:40Z"),
                withPhase("running", "Running", "2025-01-01T00:00:00Z"),
                withPhase("pending", "Pending", "2025-01-01T00:00:00Z"));

        small.reconcile(KEY);

        // 6 terminated, keep 3: the evicted one, then by age, ties by name
        assertThat(client.summaries()).containsExactlyInAnyOrder(
                "delete Pod default/evicted", "delete Pod default/oldest", "delete Pod default/old-a");
        client.actions().forEach(a -> assertThat(a.deleteOptions().gracePeriodSeconds).isZero());
        assertThat(count("pod.gc.collector.force.delete.pods", "terminated")).isEqualTo(3);
    }

    @Test
    void terminatedPodsUpToTheThresholdStayAndAThresholdOfZeroKeepsThemAll() {
        given(withPhase("a", "Succeeded", "2026-01-01T00:00:00Z"), withPhase("b", "Failed", "2026-01-01T00:00:01Z"));

        controller(2).reconcile(KEY);
        controller(0).reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aTerminatingPodOnANotReadyNodeWithTheOutOfServiceTaintIsMarkedFailedAndForceDeleted() {
        Taint outOfService = new Taint("node.kubernetes.io/out-of-service", "nodeshutdown", "NoExecute");
        given(node("down", false, outOfService),
                node("down-untainted", false),
                node("ready-tainted", true, outOfService),
                terminating(onNode("stuck", "down", "Running")),
                terminating(onNode("waits-for-kubelet", "down-untainted", "Running")),
                terminating(onNode("kubelet-will-finish", "ready-tainted", "Running")),
                onNode("not-terminating", "down", "Running"));

        gc.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("updateStatus Pod default/stuck", "delete Pod default/stuck");
        Pod failed = (Pod) client.actions().getFirst().object();
        assertThat(failed.status.phase).isEqualTo("Failed");
        assertThat(failed.status.condition("DisruptionTarget")).as("only orphans get the condition").isNull();
        assertForceDelete(client.actions().get(1), "stuck");
        assertThat(count("pod.gc.collector.force.delete.pods", "out-of-service")).isEqualTo(1);
    }

    @Test
    void anUnscheduledTerminatingPodIsMarkedFailedAndForceDeleted() {
        given(terminating(pod("never-bound", Map.of(), null)), pod("pending", Map.of(), null));

        gc.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("updateStatus Pod default/never-bound", "delete Pod default/never-bound");
        assertThat(((Pod) client.actions().getFirst().object()).status.phase).isEqualTo("Failed");
        assertForceDelete(client.actions().get(1), "never-bound");
        assertThat(count("pod.gc.collector.force.delete.pods", "unscheduled")).isEqualTo(1);
    }

    @Test
    void aConflictOnTheStatusWriteRereadsThePodAndWritesAgain() {
        Pod cached = terminating(pod("p", Map.of(), null));
        Pod live = Json.copy(cached);
        live.metadata.resourceVersion = "9";
        live.metadata.labels.put("changed", "meanwhile");
        given(cached);
        client.live(live);
        AtomicInteger statusWrites = new AtomicInteger();
        client.failWhen(a -> a.verb().equals("updateStatus") && statusWrites.incrementAndGet() == 1, 409);

        gc.reconcile(KEY);

        assertThat(client.summaries()).containsExactly("updateStatus Pod default/p", "delete Pod default/p");
        Pod written = (Pod) client.actions().getFirst().object();
        assertThat(written.metadata.labels).as("written from the live pod").containsEntry("changed", "meanwhile");
        assertThat(written.status.phase).isEqualTo("Failed");
    }

    @Test
    void aFailedDeletionIsCountedAndTriedAgainOnTheNextPass() {
        given(terminating(pod("p", Map.of(), null)));
        client.failWhen(a -> a.verb().equals("delete"), 500);

        gc.reconcile(KEY);

        assertThat(count("pod.gc.collector.force.delete.pod.errors", "unscheduled")).isEqualTo(1);
        client.failWhen(a -> false, 0);
        gc.reconcile(KEY);
        assertThat(client.actions("delete", "Pod")).hasSize(1);
    }

    @Test
    void aPodAlreadyGoneCountsAsDeleted() {
        given(terminating(pod("p", Map.of(), null)));
        client.failWhen(a -> a.verb().equals("updateStatus"), 404);

        gc.reconcile(KEY);

        assertThat(count("pod.gc.collector.force.delete.pod.errors", "unscheduled")).isZero();
    }

    @Test
    void healthyPodsAreLeftAlone() {
        given(node("n1", true), onNode("running", "n1", "Running"), pod("pending", Map.of(), null),
                terminating(onNode("terminating", "n1", "Running")));

        gc.reconcile(KEY);
        clock.advance(Duration.ofMinutes(5));
        gc.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void thePassIsQueuedFromTheStart() {
        assertThat(gc.queue().isQueued(KEY)).isTrue();
    }
}
