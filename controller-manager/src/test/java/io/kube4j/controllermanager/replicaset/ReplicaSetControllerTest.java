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
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.created;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.replicaSet;
import static io.kube4j.controllermanager.testing.Fixtures.running;
import static io.kube4j.informer.TestStores.preload;
import static io.kube4j.informer.TestStores.remove;
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

        // deletions run in parallel: which pods, not in what order
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("unscheduled", "not-ready");
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

    // ---- slow start, expectations, parallel deletes ----------------------------------------------

    static final List<Integer> HUNDRED_IN_BATCHES = List.of(1, 2, 4, 8, 16, 32, 37);

    @Test
    void aHundredReplicaSetIssuesAHundredCreatesInOneSync() {
        given(replicaSet("web", 100, LABELS));

        Result result = controller.reconcile(NS + "/web");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions("create", "Pod")).hasSize(100).extracting(Action::name).doesNotHaveDuplicates();
        assertThat(client.eventReasons().stream().filter("SuccessfulCreate"::equals)).hasSize(100);
        assertThat(controller.pendingCreations(NS + "/web")).isEqualTo(100);
    }

    /**
     * The batches as the apiserver sees them: a failure of the k-th create ends the sync with its batch,
     * so exactly as many creates are attempted as the batches up to and including that one hold.
     */
    @Test
    void theHundredCreatesComeInBatchesOf1_2_4_8_16_32_37AndAFailureEndsItsBatch() {
        for (int k = 1; k <= 100; k++) {
            SharedInformers inf = io.kube4j.controllermanager.testing.Fixtures.informers();
            RecordingClient c = new RecordingClient();
            ReplicaSetController rsc = new ReplicaSetController(inf, c, Clock.fixed(NOW, ZoneOffset.UTC));
            preload(inf.informer(ReplicaSet.class), replicaSet("web", 100, LABELS));
            AtomicInteger attempts = new AtomicInteger();
            int failing = k;
            c.failWhen(a -> a.verb().equals("create") && attempts.incrementAndGet() == failing, 403);

            Result result = rsc.reconcile(NS + "/web");

            int endOfBatch = 0;
            for (int size : HUNDRED_IN_BATCHES) {
                endOfBatch += size;
                if (endOfBatch >= k) {
                    break;
                }
            }
            assertThat(attempts).as("creates attempted when create #%d fails", k).hasValue(endOfBatch);
            assertThat(c.actions("create", "Pod")).as("created when create #%d fails", k).hasSize(endOfBatch - 1);
            assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
            assertThat(c.eventReasons().stream().filter("FailedCreate"::equals)).hasSize(1);
            // only the pods that exist are still expected: the failed and the skipped ones are not
            assertThat(rsc.pendingCreations(NS + "/web")).isEqualTo(endOfBatch - 1);
        }
    }

    @Test
    void aSecondSyncBeforeTheInformerHasSeenTheCreatedPodsCreatesNothing() {
        given(replicaSet("web", 100, LABELS));

        controller.reconcile(NS + "/web");
        List<Pod> created = new ArrayList<>();
        for (Action a : client.actions("create", "Pod")) {
            Pod p = Json.copy((Pod) a.object());
            p.metadata.uid = "uid-" + p.metadata.name;
            created.add(p);
        }
        // the informer has shown 60 of them so far
        for (Pod p : created.subList(0, 60)) {
            preload(informers.informer(Pod.class), p);
            controller.podAdded(p);
        }
        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "Pod")).as("no more creates while 40 are unseen").hasSize(100);
        assertThat(controller.pendingCreations(NS + "/web")).isEqualTo(40);

        for (Pod p : created.subList(60, 100)) {
            preload(informers.informer(Pod.class), p);
            controller.podAdded(p);
        }
        assertThat(controller.pendingCreations(NS + "/web")).isZero();
        controller.reconcile(NS + "/web");
        assertThat(client.actions("create", "Pod")).as("all 100 there: nothing to create").hasSize(100);
    }

    @Test
    void surplusPodsAreDeletedTogetherAndAFailedDeletionIsReportedAndNoLongerExpected() {
        ReplicaSet rs = withStatus(replicaSet("web", 0, LABELS), 10, 10, 10);
        List<Pod> pods = new ArrayList<>();
        for (int i = 0; i < 10; i++) {
            pods.add(ready(pod("p" + i, LABELS, rs), "n1", NOW.minusSeconds(60)));
        }
        given(rs, pods.toArray(Pod[]::new));
        client.failWhen(a -> a.verb().equals("delete") && a.name().equals("p3"), 500);

        Result result = controller.reconcile(NS + "/web");

        assertThat(client.actions("delete", "Pod")).hasSize(9).extracting(Action::name).doesNotContain("p3");
        assertThat(client.eventReasons().stream().filter("SuccessfulDelete"::equals)).hasSize(9);
        assertThat(client.events()).filteredOn(e -> e.reason.equals("FailedDelete")).singleElement()
                .satisfies(e -> assertThat(e.message).isEqualTo("Error deleting: injected failure"));
        assertThat(result.kind()).isEqualTo(Result.Kind.RETRY);
        ReplicaSet failed = (ReplicaSet) client.actions("updateStatus", "ReplicaSet").getLast().object();
        assertThat(failed.status.conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("ReplicaFailure");
            assertThat(c.reason).isEqualTo("FailedDelete");
            assertThat(c.message).isEqualTo("unable to delete pods: injected failure");
        });

        // before the informer shows the nine deletions, a retry deletes nothing
        client.clear();
        client.failWhen(a -> false, 0);
        controller.reconcile(NS + "/web");
        assertThat(client.actions("delete", "Pod")).isEmpty();

        // once it has, only p3 is left to delete
        for (Pod p : pods) {
            if (!p.metadata.name.equals("p3")) {
                remove(informers.informer(Pod.class), p);
                controller.podDeleted(p);
            }
        }
        controller.reconcile(NS + "/web");
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("p3");
    }

    @Test
    void aNamespaceBeingDeletedIsNotACreateFailure() {
        given(replicaSet("web", 3, LABELS));
        io.kube4j.api.Status forbidden = io.kube4j.api.Status.failure(403, "Forbidden",
                "pods \"web-x\" is forbidden: unable to create new content in namespace default because it is being terminated");
        forbidden.details = new io.kube4j.api.Status.Details();
        forbidden.details.causes.add(new io.kube4j.api.Status.Cause("NamespaceTerminating", "namespace default is being terminated", "metadata.namespace"));
        client.failWhen(a -> a.verb().equals("create"), forbidden);

        Result result = controller.reconcile(NS + "/web");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.eventReasons()).doesNotContain("FailedCreate");
    }

    @Test
    void theFailureConditionCarriesTheApiserversMessageAsKubernetesErrError() {
        given(replicaSet("web", 2, LABELS));
        client.failWhen(a -> a.verb().equals("create"), io.kube4j.api.Status.failure(403, "Forbidden",
                "pods \"web-abcde\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2"));

        controller.reconcile(NS + "/web");

        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.reason).isEqualTo("FailedCreate");
            assertThat(e.message).isEqualTo("Error creating: pods \"web-abcde\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
        });
        ReplicaSet failed = (ReplicaSet) client.actions("updateStatus", "ReplicaSet").getFirst().object();
        assertThat(failed.status.conditions.getFirst().message)
                .isEqualTo("pods \"web-abcde\" is forbidden: exceeded quota: q, requested: pods=1, used: pods=2, limited: pods=2");
    }

    /** A 504 as kube4j's apiserver answers when etcd did not confirm a write in time: the pod may exist nevertheless. */
    static io.kube4j.api.Status etcdTimeout() {
        return io.kube4j.api.Status.failure(504, "Timeout",
                "etcd did not answer in time; the write may or may not have been applied: read the object before retrying");
    }

    /** What the informer would deliver for a recorded create: the pod as created, with its uid. */
    static Pod asCreated(Action create) {
        Pod p = Json.copy((Pod) create.object());
        p.metadata.uid = "uid-" + p.metadata.name;
        return p;
    }

    void observe(Pod p) {
        preload(informers.informer(Pod.class), p);
        controller.podAdded(p);
    }

    /**
     * A create that failed although the apiserver made the pod (a 504 after etcd applied it late, a client timeout) is,
     * as in Kubernetes' manageReplicas, no longer expected: CreationObserved on every error. If the informer has not
     * shown that pod when the other creations have been observed, the next sync creates a replacement (Kubernetes does
     * the same: nothing tells it the failed create happened); once the late pod shows up, the surplus is deleted, so
     * the ReplicaSet ends at its replicas with one pod more created over time (3,001 pods created for 3,000 replicas).
     */
    @Test
    void aCreateThatFailedButHappenedIsReplacedAndTheSurplusDeletedOnceTheLatePodShowsUp() {
        given(replicaSet("web", 3, LABELS));
        AtomicInteger creates = new AtomicInteger();
        java.util.concurrent.atomic.AtomicReference<Action> late = new java.util.concurrent.atomic.AtomicReference<>();
        client.failAfterWhen(a -> {
            if (a.verb().equals("create") && creates.incrementAndGet() == 2) {
                late.set(a);
                return true;
            }
            return false;
        }, etcdTimeout());

        Result first = controller.reconcile(NS + "/web");

        // batches of 1 and 2: three creates reached the apiserver, one answered 504
        assertThat(first.kind()).isEqualTo(Result.Kind.RETRY);
        List<Action> made = client.actions("create", "Pod");
        assertThat(made).hasSize(3);
        assertThat(client.eventReasons()).containsExactlyInAnyOrder("SuccessfulCreate", "SuccessfulCreate", "FailedCreate");
        assertThat(controller.pendingCreations(NS + "/web")).as("the failed create is not expected").isEqualTo(2);
        List<Action> answered = made.stream().filter(a -> a != late.get()).toList();
        assertThat(answered).hasSize(2);

        // the informer shows the two answered pods; the one etcd applied late is not in the watch yet
        answered.forEach(a -> observe(asCreated(a)));
        assertThat(controller.pendingCreations(NS + "/web")).isZero();
        client.failAfterWhen(a -> false, null);
        controller.reconcile(NS + "/web");
        assertThat(client.actions("create", "Pod")).as("one replacement for the create that seemed to fail").hasSize(4);

        // now both show up: four pods for three replicas; the surplus is deleted
        observe(asCreated(late.get()));
        observe(asCreated(client.actions("create", "Pod").get(3)));
        client.clear();
        controller.reconcile(NS + "/web");
        assertThat(client.actions("create", "Pod")).isEmpty();
        assertThat(client.actions("delete", "Pod")).as("the surplus pod").hasSize(1);
        assertThat(client.eventReasons()).contains("SuccessfulDelete");
    }

    /** When the informer shows the pod of the failed create before the sync, nothing more is created (its ADDED counts as a creation observed). */
    @Test
    void aCreateThatFailedButHappenedMakesNoReplacementWhenTheInformerShowsItInTime() {
        given(replicaSet("web", 3, LABELS));
        AtomicInteger creates = new AtomicInteger();
        client.failAfterWhen(a -> a.verb().equals("create") && creates.incrementAndGet() == 2, etcdTimeout());
        controller.reconcile(NS + "/web");
        client.failAfterWhen(a -> false, null);

        client.actions("create", "Pod").forEach(a -> observe(asCreated(a)));
        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "Pod")).hasSize(3);
        assertThat(client.actions("delete", "Pod")).isEmpty();
    }
}
