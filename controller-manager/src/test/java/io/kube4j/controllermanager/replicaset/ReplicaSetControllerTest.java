package io.kube4j.controllermanager.replicaset;

import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.created;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.replicaSet;
import static io.kube4j.controllermanager.testing.Fixtures.running;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class ReplicaSetControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "web");
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final ReplicaSetController controller = new ReplicaSetController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC));

    void given(ReplicaSet rs, Pod... pods) {
        preload(informers.informer(ReplicaSet.class), rs);
        preload(informers.informer(Pod.class), pods);
    }

    static ReplicaSet withStatus(ReplicaSet rs, int replicas, int ready, int available) {
        rs.status.replicas = replicas;
        rs.status.fullyLabeledReplicas = replicas;
        rs.status.readyReplicas = ready;
        rs.status.availableReplicas = available;
        rs.status.observedGeneration = rs.metadata.generation;
        return rs;
    }

    @Test
    void createsMissingPodsControlledByTheReplicaSet() {
        ReplicaSet rs = replicaSet("web", 3, LABELS);
        given(rs);

        Result result = controller.reconcile(NS + "/web");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions("create", "Pod")).hasSize(3).allSatisfy(a -> {
            Pod p = (Pod) a.object();
            assertThat(p.metadata.generateName).isEqualTo("web-");
            assertThat(p.metadata.labels).containsAllEntriesOf(LABELS);
            assertThat(p.spec.containers).extracting(c -> c.image).containsExactly("nginx:1");
            OwnerReference ref = p.metadata.controllerRef();
            assertThat(ref.uid).isEqualTo("uid-web");
            assertThat(ref.kind).isEqualTo("ReplicaSet");
        });
        assertThat(client.eventReasons()).containsExactly("SuccessfulCreate", "SuccessfulCreate", "SuccessfulCreate");
        assertThat(controller.pendingCreations(NS + "/web")).isEqualTo(3);
    }

    @Test
    void doesNothingWhenReplicasAndStatusAreCurrent() {
        ReplicaSet rs = withStatus(replicaSet("web", 2, LABELS), 2, 2, 2);
        given(rs, ready(pod("a", LABELS, rs), "n1", NOW.minusSeconds(60)), ready(pod("b", LABELS, rs), "n1", NOW.minusSeconds(60)));

        Result result = controller.reconcile(NS + "/web");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void deletesUnscheduledAndNotReadyPodsBeforeReadyOnes() {
        ReplicaSet rs = withStatus(replicaSet("web", 2, LABELS), 4, 2, 2);
        given(rs,
                ready(pod("ready-old", LABELS, rs), "n1", NOW.minusSeconds(600)),
                ready(pod("ready-new", LABELS, rs), "n1", NOW.minusSeconds(60)),
                pod("unscheduled", LABELS, rs),
                running(pod("not-ready", LABELS, rs), "n2"));

        controller.reconcile(NS + "/web");

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("unscheduled", "not-ready");
        assertThat(client.eventReasons()).containsExactly("SuccessfulDelete", "SuccessfulDelete");
    }

    @Test
    void amongReadyPodsDeletesTheOneReadyForTheShortestTime() {
        ReplicaSet rs = withStatus(replicaSet("web", 2, LABELS), 3, 3, 3);
        given(rs,
                ready(created(pod("a", LABELS, rs), "2026-01-01T00:00:00Z"), "n1", NOW.minusSeconds(300)),
                ready(created(pod("b", LABELS, rs), "2026-01-01T00:00:01Z"), "n1", NOW.minusSeconds(30)),
                ready(created(pod("c", LABELS, rs), "2026-01-01T00:00:02Z"), "n1", NOW.minusSeconds(200)));

        controller.reconcile(NS + "/web");

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("b");
    }

    @Test
    void adoptsAMatchingOrphanInsteadOfCreatingAPod() {
        ReplicaSet rs = replicaSet("web", 1, LABELS);
        Pod orphan = ready(pod("orphan", LABELS, null), "n1", NOW.minusSeconds(60));
        given(rs, orphan);
        client.live(orphan);

        controller.reconcile(NS + "/web");

        assertThat(client.summaries()).containsExactly("patch Pod default/orphan", "updateStatus ReplicaSet default/web");
        JsonNode refs = Json.tree(client.actions("patch", "Pod").getFirst().patch()).path("metadata").path("ownerReferences");
        assertThat(refs).hasSize(1);
        assertThat(refs.get(0).path("uid").asString()).isEqualTo("uid-web");
        assertThat(refs.get(0).path("controller").asBoolean()).isTrue();
        ReplicaSet status = (ReplicaSet) client.actions("updateStatus", "ReplicaSet").getFirst().object();
        assertThat(status.status.replicas).isEqualTo(1);
        assertThat(status.status.availableReplicas).isEqualTo(1);
    }

    @Test
    void releasesAPodThatNoLongerMatchesAndReplacesIt() {
        ReplicaSet rs = withStatus(replicaSet("web", 1, LABELS), 1, 1, 1);
        Pod relabelled = ready(pod("debug", Map.of("app", "debugging"), rs), "n1", NOW.minusSeconds(60));
        given(rs, relabelled);

        controller.reconcile(NS + "/web");

        Action release = client.actions("patch", "Pod").getFirst();
        assertThat(release.name()).isEqualTo("debug");
        assertThat(Json.tree(release.patch()).path("metadata").path("ownerReferences").isNull()).isTrue();
        assertThat(client.actions("create", "Pod")).hasSize(1);
    }

    @Test
    void ignoresPodsControlledBySomethingElse() {
        ReplicaSet rs = withStatus(replicaSet("web", 1, LABELS), 1, 1, 1);
        ReplicaSet other = replicaSet("other", 1, LABELS);
        given(rs, ready(pod("mine", LABELS, rs), "n1", NOW.minusSeconds(60)), ready(pod("theirs", LABELS, other), "n1", NOW.minusSeconds(60)));

        controller.reconcile(NS + "/web");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void neverCreatesTwiceWhileTheWatchLags() {
        given(replicaSet("web", 3, LABELS));

        controller.reconcile(NS + "/web");
        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "Pod")).hasSize(3);

        // the informer catches up: the three pods are observed, and the ReplicaSet may act again
        for (Action a : client.actions("create", "Pod")) {
            Pod p = Json.copy((Pod) a.object());
            p.metadata.uid = "uid-" + p.metadata.name;
            controller.podAdded(p);
        }
        assertThat(controller.pendingCreations(NS + "/web")).isZero();
    }

    @Test
    void aFailedCreateEndsTheSlowStartAndIsRetried() {
        given(replicaSet("web", 5, LABELS));
        client.failWhen(a -> a.verb().equals("create"), 403);

        Result result = controller.reconcile(NS + "/web");

        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(client.eventReasons()).containsExactly("FailedCreate");
        ReplicaSet failed = (ReplicaSet) client.actions("updateStatus", "ReplicaSet").getFirst().object();
        assertThat(failed.status.conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("ReplicaFailure");
            assertThat(c.reason).isEqualTo("FailedCreate");
        });
        // the failed and the skipped creations are no longer expected, so the retry may create again
        assertThat(controller.pendingCreations(NS + "/web")).isZero();
        client.failWhen(a -> false, 0);
        controller.reconcile(NS + "/web");
        assertThat(client.actions("create", "Pod")).hasSize(5);
        // (the cache still shows the failure condition; a sync without failure drops it)
        ReplicaSet recovered = (ReplicaSet) client.actions("updateStatus", "ReplicaSet").getLast().object();
        assertThat(recovered.status.conditions).isEmpty();
    }

    @Test
    void terminatingPodsDoNotCountAndAreReplaced() {
        ReplicaSet rs = withStatus(replicaSet("web", 2, LABELS), 2, 2, 2);
        Pod leaving = ready(pod("leaving", LABELS, rs), "n1", NOW.minusSeconds(60));
        leaving.metadata.deletionTimestamp = Times.format(NOW);
        given(rs, ready(pod("staying", LABELS, rs), "n1", NOW.minusSeconds(60)), leaving);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "Pod")).hasSize(1);
        assertThat(client.actions("delete", "Pod")).isEmpty();
    }

    @Test
    void countsAPodAvailableOnlyAfterMinReadySecondsAndLooksAgainThen() {
        ReplicaSet rs = replicaSet("web", 1, LABELS);
        rs.spec.minReadySeconds = 10;
        given(rs, ready(pod("a", LABELS, rs), "n1", NOW.minusSeconds(4)));

        Result result = controller.reconcile(NS + "/web");

        ReplicaSet written = (ReplicaSet) client.actions("updateStatus", "ReplicaSet").getFirst().object();
        assertThat(written.status.readyReplicas).isEqualTo(1);
        assertThat(written.status.availableReplicas).isZero();
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after().toMillis()).isBetween(6000L, 7000L);
    }

    @Test
    void aDeletedReplicaSetIsDone() {
        Result result = controller.reconcile(NS + "/gone");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aPodEventQueuesItsControllingReplicaSet() {
        ReplicaSet rs = replicaSet("web", 1, LABELS);
        given(rs);

        controller.podAdded(pod("a", LABELS, rs));

        assertThat(controller.queue().isQueued(NS + "/web")).isTrue();
    }
}
