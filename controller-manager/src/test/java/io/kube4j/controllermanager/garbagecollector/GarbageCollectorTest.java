package io.kube4j.controllermanager.garbagecollector;

import io.kube4j.api.Deployment;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.deployment;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.replicaSet;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class GarbageCollectorTest {
    static final Map<String, String> LABELS = Map.of("app", "web");

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final GarbageCollector gc = new GarbageCollector(informers, client);

    static ReplicaSet ownedBy(ReplicaSet rs, Deployment d) {
        rs.metadata.ownerReferences.add(OwnerReference.controllerOf(d));
        return rs;
    }

    @Test
    void anObjectWhoseOwnerIsGoneIsDeletedInTheBackground() {
        Deployment gone = deployment("web", 1, LABELS, "nginx:1");
        ReplicaSet rs = ownedBy(replicaSet("web-abc", 1, LABELS), gone);
        preload(informers.informer(ReplicaSet.class), rs);

        gc.reconcile("ReplicaSet|" + NS + "/web-abc");

        assertThat(client.actions()).singleElement().satisfies(a -> {
            assertThat(a.summary()).isEqualTo("delete ReplicaSet default/web-abc");
            assertThat(a.patch()).isEqualTo("Background");
        });
    }

    @Test
    void anOwnerMissingFromTheCacheButFoundLiveKeepsItsDependents() {
        Deployment owner = deployment("web", 1, LABELS, "nginx:1");
        ReplicaSet rs = ownedBy(replicaSet("web-abc", 1, LABELS), owner);
        preload(informers.informer(ReplicaSet.class), rs);
        client.live(owner);

        gc.reconcile("ReplicaSet|" + NS + "/web-abc");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void anOwnerRecreatedUnderTheSameNameIsNotTheOwner() {
        Deployment old = deployment("web", 1, LABELS, "nginx:1");
        ReplicaSet rs = ownedBy(replicaSet("web-abc", 1, LABELS), old);
        Deployment recreated = Json.copy(old);
        recreated.metadata.uid = "a-new-uid";
        preload(informers.informer(ReplicaSet.class), rs);
        client.live(recreated);

        gc.reconcile("ReplicaSet|" + NS + "/web-abc");

        assertThat(client.summaries()).containsExactly("delete ReplicaSet default/web-abc");
        // Kubernetes' attemptToDeleteItem records no Event for it
        assertThat(client.events()).isEmpty();
    }

    @Test
    void anObjectWithOneOwnerLeftOnlyLosesTheDanglingReference() {
        Deployment alive = deployment("alive", 1, LABELS, "nginx:1");
        Deployment gone = deployment("gone", 1, LABELS, "nginx:1");
        ReplicaSet rs = replicaSet("shared", 1, LABELS);
        rs.metadata.ownerReferences.add(OwnerReference.controllerOf(alive));
        OwnerReference other = OwnerReference.controllerOf(gone);
        other.controller = false;
        rs.metadata.ownerReferences.add(other);
        preload(informers.informer(Deployment.class), alive);
        preload(informers.informer(ReplicaSet.class), rs);

        gc.reconcile("ReplicaSet|" + NS + "/shared");

        Action patch = client.actions().getFirst();
        assertThat(patch.summary()).isEqualTo("patch ReplicaSet default/shared");
        assertThat(Json.tree(patch.patch()).path("metadata").path("ownerReferences")).hasSize(1);
        assertThat(Json.tree(patch.patch()).path("metadata").path("ownerReferences").get(0).path("uid").asString()).isEqualTo("uid-alive");
    }

    @Test
    void foregroundDeletionDeletesDependentsFirstAndThenReleasesTheOwner() {
        Deployment d = deployment("web", 1, LABELS, "nginx:1");
        d.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        d.metadata.finalizers.add("foregroundDeletion");
        ReplicaSet rs = ownedBy(replicaSet("web-abc", 1, LABELS), d);
        preload(informers.informer(Deployment.class), d);
        preload(informers.informer(ReplicaSet.class), rs);

        Result waiting = gc.reconcile("Deployment|" + NS + "/web");

        assertThat(client.actions()).singleElement().satisfies(a -> {
            assertThat(a.summary()).isEqualTo("delete ReplicaSet default/web-abc");
            assertThat(a.patch()).isEqualTo("Foreground");
        });
        assertThat(waiting.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);

        client.clear();
        io.kube4j.informer.TestStores.remove(informers.informer(ReplicaSet.class), rs);
        gc.reconcile("Deployment|" + NS + "/web");

        Action release = client.actions().getFirst();
        assertThat(release.summary()).isEqualTo("update Deployment default/web");
        assertThat(release.object().metadata.finalizers).doesNotContain("foregroundDeletion");
    }

    @Test
    void orphanDeletionRemovesTheOwnerReferenceFromDependentsThenTheFinalizer() {
        ReplicaSet rs = replicaSet("web-abc", 2, LABELS);
        rs.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        rs.metadata.finalizers.add("orphan");
        Pod p1 = pod("p1", LABELS, rs);
        Pod p2 = pod("p2", LABELS, rs);
        preload(informers.informer(ReplicaSet.class), rs);
        preload(informers.informer(Pod.class), p1, p2);

        gc.reconcile("ReplicaSet|" + NS + "/web-abc");

        assertThat(client.summaries()).containsExactlyInAnyOrder("patch Pod default/p1", "patch Pod default/p2", "update ReplicaSet default/web-abc");
        assertThat(client.actions("patch", "Pod")).allSatisfy(a ->
                assertThat(Json.tree(a.patch()).path("metadata").path("ownerReferences").isNull()).isTrue());
        assertThat(client.actions("update", "ReplicaSet").getFirst().object().metadata.finalizers).doesNotContain("orphan");
        assertThat(client.summaries().getLast()).isEqualTo("update ReplicaSet default/web-abc");
    }

    @Test
    void anOwnerOfAKindItDoesNotKnowIsNeverJudgedGone() {
        ReplicaSet rs = replicaSet("web-abc", 1, LABELS);
        OwnerReference ref = new OwnerReference();
        ref.kind = "SomethingCustom";
        ref.name = "x";
        ref.uid = "uid-x";
        rs.metadata.ownerReferences.add(ref);
        preload(informers.informer(ReplicaSet.class), rs);

        gc.reconcile("ReplicaSet|" + NS + "/web-abc");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void deletingAnOwnerQueuesItsDependents() {
        Deployment d = deployment("web", 1, LABELS, "nginx:1");
        ReplicaSet rs = ownedBy(replicaSet("web-abc", 1, LABELS), d);
        preload(informers.informer(ReplicaSet.class), rs);

        gc.changed(rs);

        assertThat(gc.queue().isQueued("ReplicaSet|" + NS + "/web-abc")).isTrue();
    }
}
