package io.kube4j.controllermanager.statefulset;

import io.kube4j.api.ControllerRevision;
import io.kube4j.api.Event;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.StatefulSet;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.InFlight;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.template;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** StatefulSet reconciles over preloaded caches, compared with what Kubernetes' controller does. */
class StatefulSetControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "web");
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");
    static final String KEY = NS + "/web";

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final StatefulSetController controller = new StatefulSetController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC));

    static StatefulSet statefulSet(int replicas, String image) {
        StatefulSet set = new StatefulSet();
        set.metadata.namespace = NS;
        set.metadata.name = "web";
        set.metadata.uid = "uid-web";
        set.metadata.resourceVersion = "9";
        set.metadata.generation = 1L;
        set.spec.replicas = replicas;
        set.spec.serviceName = "web";
        set.spec.selector = LabelSelector.of(LABELS);
        set.spec.template = template(LABELS, image);
        PersistentVolumeClaim data = new PersistentVolumeClaim();
        data.metadata.name = "data";
        data.spec.accessModes.add("ReadWriteOnce");
        data.spec.resources = new PersistentVolumeClaim.VolumeResourceRequirements();
        data.spec.resources.requests.put("storage", Quantity.parse("1Gi"));
        set.spec.volumeClaimTemplates.add(data);
        return set;
    }

    /** The revision the controller would make of the set's template. */
    static ControllerRevision revision(StatefulSet set, long number) {
        ControllerRevision r = StatefulSetPods.newRevision(set, number, 0);
        r.metadata.uid = "uid-" + r.metadata.name;
        r.metadata.resourceVersion = "4";
        return r;
    }

    /** A created pod of the set at {@code ordinal} and {@code revision}, Pending. */
    static Pod member(StatefulSet set, int ordinal, ControllerRevision revision) {
        Pod p = StatefulSetPods.newStatefulSetPod(set, ordinal);
        StatefulSetPods.setRevision(p, revision.metadata.name);
        p.metadata.generateName = null;
        p.metadata.uid = "uid-" + p.metadata.name;
        p.metadata.resourceVersion = "6";
        p.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        p.status.phase = "Pending";
        return p;
    }

    static Pod healthy(Pod p) {
        return ready(p, "n1", NOW.minusSeconds(60));
    }

    static PersistentVolumeClaim claim(StatefulSet set, int ordinal) {
        PersistentVolumeClaim c = StatefulSetPods.claims(set, StatefulSetPods.newStatefulSetPod(set, ordinal)).get("data");
        c.metadata.uid = "uid-" + c.metadata.name;
        c.metadata.resourceVersion = "3";
        return c;
    }

    void given(StatefulSet set, ControllerRevision revision, Pod... pods) {
        if (revision != null) {
            set.status.currentRevision = revision.metadata.name;
            set.status.updateRevision = revision.metadata.name;
            preload(informers.informer(ControllerRevision.class), revision);
        }
        preload(informers.informer(StatefulSet.class), set);
        preload(informers.informer(Pod.class), pods);
    }

    void claims(PersistentVolumeClaim... claims) {
        preload(informers.informer(PersistentVolumeClaim.class), claims);
    }

    static StatefulSet.StatefulSetStatus lastStatus(RecordingClient client) {
        return ((StatefulSet) client.actions("updateStatus", "StatefulSet").getLast().object()).status;
    }

    @Test
    void createsTheFirstRevisionThenTheClaimOfWeb0ThenWeb0WithItsIdentity() {
        StatefulSet set = statefulSet(3, "nginx:1");
        given(set, null);

        Result result = controller.reconcile(KEY);

        ControllerRevision rev = revision(set, 1);
        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.summaries()).containsExactly(
                "create ControllerRevision default/" + rev.metadata.name,
                "create PersistentVolumeClaim default/data-web-0",
                "create Pod default/web-0",
                "updateStatus StatefulSet default/web");
        Pod pod = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(pod.metadata.generateName).isEqualTo("web-");
        assertThat(pod.metadata.labels)
                .containsEntry("app", "web")
                .containsEntry("statefulset.kubernetes.io/pod-name", "web-0")
                .containsEntry("apps.kubernetes.io/pod-index", "0")
                .containsEntry("controller-revision-hash", rev.metadata.name);
        assertThat(pod.spec.hostname).isEqualTo("web-0");
        assertThat(pod.spec.subdomain).isEqualTo("web");
        assertThat(pod.spec.volumes).singleElement().satisfies(v -> {
            assertThat(v.name).isEqualTo("data");
            assertThat(v.persistentVolumeClaim.claimName).isEqualTo("data-web-0");
        });
        OwnerReference ref = pod.metadata.controllerRef();
        assertThat(ref.kind).isEqualTo("StatefulSet");
        assertThat(ref.uid).isEqualTo("uid-web");
        PersistentVolumeClaim pvc = (PersistentVolumeClaim) client.actions("create", "PersistentVolumeClaim").getFirst().object();
        assertThat(pvc.metadata.labels).containsEntry("app", "web");
        assertThat(pvc.metadata.ownerReferences).isEmpty();
        assertThat(pvc.spec.resources.requests.get("storage").toString()).isEqualTo("1Gi");
        assertThat(client.events()).extracting(e -> e.reason + ": " + e.message).containsExactly(
                "SuccessfulCreate: create Claim data-web-0 Pod web-0 in StatefulSet web success",
                "SuccessfulCreate: create Pod web-0 in StatefulSet web successful");
        StatefulSet.StatefulSetStatus s = lastStatus(client);
        assertThat(s.currentRevision).isEqualTo(rev.metadata.name);
        assertThat(s.updateRevision).isEqualTo(rev.metadata.name);
        assertThat(s.collisionCount).isZero();
        assertThat(s.observedGeneration).isEqualTo(1L);
        assertThat(s.replicas).isZero();
    }

    @Test
    void revisionNamesAreTheSetNameAndAHashOfTheTemplateAndCollisionCount() {
        StatefulSet set = statefulSet(1, "nginx:1");
        ControllerRevision r = revision(set, 1);
        assertThat(r.metadata.name).matches("web-[bcdfghjklmnpqrstvwxz2456789]+");
        assertThat(r.metadata.labels).containsEntry("controller.kubernetes.io/hash", r.metadata.name.substring(4)).containsEntry("app", "web");
        assertThat(StatefulSetPods.newRevision(set, 1, 1).metadata.name).isNotEqualTo(r.metadata.name);
        assertThat(revision(statefulSet(1, "nginx:2"), 1).metadata.name).isNotEqualTo(r.metadata.name);
        assertThat(Json.write(r.data)).startsWith("{\"spec\":{\"template\":{\"$patch\":\"replace\",");
    }

    @Test
    void orderedReadyWaitsForWeb0ToBeRunningAndReadyBeforeCreatingWeb1() {
        StatefulSet set = statefulSet(3, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        given(set, rev, member(set, 0, rev));
        claims(claim(set, 0));

        controller.reconcile(KEY);
        assertThat(client.actions("create", "Pod")).isEmpty();

        preload(informers.informer(Pod.class), healthy(member(set, 0, rev)));
        client.clear();
        controller.reconcile(KEY);
        assertThat(client.actions("create", "Pod")).extracting(Action::name).containsExactly("web-1");
        assertThat(client.actions("create", "PersistentVolumeClaim")).extracting(Action::name).containsExactly("data-web-1");
        StatefulSet.StatefulSetStatus s = lastStatus(client);
        assertThat(s.replicas).isEqualTo(1);
        assertThat(s.readyReplicas).isEqualTo(1);
        assertThat(s.availableReplicas).isEqualTo(1);
        assertThat(s.currentReplicas).isEqualTo(1);
        assertThat(s.updatedReplicas).isEqualTo(1);
    }

    @Test
    void parallelCreatesEveryMissingPodInOneSync() {
        StatefulSet set = statefulSet(3, "nginx:1");
        set.spec.podManagementPolicy = "Parallel";
        ControllerRevision rev = revision(set, 1);
        given(set, rev);

        controller.reconcile(KEY);

        // slow start: web-0 alone, then web-1 and web-2 together, in no particular order
        assertThat(client.actions("create", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("web-0", "web-1", "web-2");
        assertThat(client.actions("create", "Pod").getFirst().name()).isEqualTo("web-0");
        assertThat(client.actions("create", "PersistentVolumeClaim")).extracting(Action::name)
                .containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
    }

    @Test
    void ordinalsStartNamesThePodsFromThere() {
        StatefulSet set = statefulSet(2, "nginx:1");
        set.spec.ordinals = new StatefulSet.StatefulSetOrdinals();
        set.spec.ordinals.start = 5;
        ControllerRevision rev = revision(set, 1);
        given(set, rev);

        controller.reconcile(KEY);

        Pod pod = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(pod.metadata.name).isEqualTo("web-5");
        assertThat(pod.metadata.labels).containsEntry("apps.kubernetes.io/pod-index", "5");
        assertThat(client.actions("create", "PersistentVolumeClaim")).extracting(Action::name).containsExactly("data-web-5");
    }

    @Test
    void aDeletedPodComesBackWithItsNameAndItsExistingClaim() {
        StatefulSet set = statefulSet(3, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        given(set, rev, healthy(member(set, 0, rev)), healthy(member(set, 2, rev)));
        claims(claim(set, 0), claim(set, 1), claim(set, 2));

        controller.reconcile(KEY);

        assertThat(client.actions("create", "PersistentVolumeClaim")).isEmpty();
        Pod pod = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(pod.metadata.name).isEqualTo("web-1");
        assertThat(pod.spec.volumes.getFirst().persistentVolumeClaim.claimName).isEqualTo("data-web-1");
    }

    @Test
    void scaleDownRemovesTheHighestOrdinalFirstAndOneAtATime() {
        StatefulSet set = statefulSet(1, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        given(set, rev, healthy(member(set, 0, rev)), healthy(member(set, 1, rev)), healthy(member(set, 2, rev)));
        claims(claim(set, 0), claim(set, 1), claim(set, 2));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("web-2");
        // Retain (the default): the claims stay, untouched
        assertThat(client.actions("update", "PersistentVolumeClaim")).isEmpty();
        assertThat(client.actions("delete", "PersistentVolumeClaim")).isEmpty();
        assertThat(client.events()).extracting(e -> e.message).contains("delete Pod web-2 in StatefulSet web successful");
    }

    @Test
    void orderedScaleDownWaitsWhileAHigherPodIsTerminating() {
        StatefulSet set = statefulSet(1, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        Pod terminating = healthy(member(set, 2, rev));
        terminating.metadata.deletionTimestamp = "2026-01-01T00:59:00Z";
        given(set, rev, healthy(member(set, 0, rev)), healthy(member(set, 1, rev)), terminating);

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).isEmpty();
    }

    @Test
    void parallelScaleDownRemovesEveryPodBeyondTheReplicas() {
        StatefulSet set = statefulSet(1, "nginx:1");
        set.spec.podManagementPolicy = "Parallel";
        ControllerRevision rev = revision(set, 1);
        given(set, rev, healthy(member(set, 0, rev)), healthy(member(set, 1, rev)), healthy(member(set, 2, rev)));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("web-2", "web-1");
    }

    @Test
    void aFailedPodIsDeletedAndOnlyRecreatedOnALaterSync() {
        StatefulSet set = statefulSet(2, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        Pod failed = member(set, 0, rev);
        failed.status.phase = "Failed";
        given(set, rev, failed);
        claims(claim(set, 0));

        controller.reconcile(KEY);

        assertThat(client.summaries()).contains("delete Pod default/web-0").doesNotContain("create Pod default/web-0");
    }

    @Test
    void rollingUpdateReplacesTheHighestOrdinalFirstAndWaitsForItToBeHealthy() {
        StatefulSet v1 = statefulSet(3, "nginx:1");
        ControllerRevision r1 = revision(v1, 1);
        StatefulSet set = statefulSet(3, "nginx:2");
        set.metadata.generation = 2L;
        given(set, r1, healthy(member(v1, 0, r1)), healthy(member(v1, 1, r1)), healthy(member(v1, 2, r1)));
        claims(claim(set, 0), claim(set, 1), claim(set, 2));

        controller.reconcile(KEY);

        ControllerRevision r2 = (ControllerRevision) client.actions("create", "ControllerRevision").getFirst().object();
        assertThat(r2.revision).isEqualTo(2);
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("web-2");
        StatefulSet.StatefulSetStatus s = lastStatus(client);
        assertThat(s.currentRevision).isEqualTo(r1.metadata.name);
        assertThat(s.updateRevision).isEqualTo(r2.metadata.name);
        // three current pods counted, one less for the one being replaced
        assertThat(s.currentReplicas).isEqualTo(2);
        assertThat(s.updatedReplicas).isZero();

        // web-2 came back at the new revision but is not ready yet: nothing else happens
        ControllerRevision r2cached = revision(set, 2);
        preload(informers.informer(ControllerRevision.class), r2cached);
        StatefulSet next = Json.copy(set);
        next.status.currentRevision = r1.metadata.name;
        next.status.updateRevision = r2cached.metadata.name;
        preload(informers.informer(StatefulSet.class), next);
        Pod recreated = member(set, 2, r2cached);
        recreated.status.phase = "Running";
        preload(informers.informer(Pod.class), recreated);
        client.clear();
        controller.reconcile(KEY);
        assertThat(client.actions("delete", "Pod")).isEmpty();

        // once it is ready, web-1 is next
        preload(informers.informer(Pod.class), healthy(member(set, 2, r2cached)));
        client.clear();
        controller.reconcile(KEY);
        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("web-1");
    }

    @Test
    void aPartitionKeepsLowerOrdinalsAtTheCurrentRevisionEvenWhenRecreated() {
        StatefulSet v1 = statefulSet(3, "nginx:1");
        ControllerRevision r1 = revision(v1, 1);
        StatefulSet set = statefulSet(3, "nginx:2");
        set.spec.updateStrategy = new StatefulSet.StatefulSetUpdateStrategy();
        set.spec.updateStrategy.type = "RollingUpdate";
        set.spec.updateStrategy.rollingUpdate = new StatefulSet.RollingUpdateStatefulSetStrategy();
        set.spec.updateStrategy.rollingUpdate.partition = 2;
        ControllerRevision r2 = revision(set, 2);
        preload(informers.informer(ControllerRevision.class), r2);
        given(set, r1, healthy(member(v1, 0, r1)), healthy(member(set, 2, r2)));
        claims(claim(set, 0), claim(set, 1), claim(set, 2));

        controller.reconcile(KEY);

        // web-1 is below the partition: recreated from the current revision's template
        Pod pod = (Pod) client.actions("create", "Pod").getFirst().object();
        assertThat(pod.metadata.name).isEqualTo("web-1");
        assertThat(pod.spec.containers.getFirst().image).isEqualTo("nginx:1");
        assertThat(pod.metadata.labels).containsEntry("controller-revision-hash", r1.metadata.name);
        assertThat(client.actions("delete", "Pod")).isEmpty();
    }

    @Test
    void onDeleteNeverReplacesPodsItself() {
        StatefulSet v1 = statefulSet(2, "nginx:1");
        ControllerRevision r1 = revision(v1, 1);
        StatefulSet set = statefulSet(2, "nginx:2");
        set.spec.updateStrategy = new StatefulSet.StatefulSetUpdateStrategy();
        set.spec.updateStrategy.type = "OnDelete";
        given(set, r1, healthy(member(v1, 0, r1)), healthy(member(v1, 1, r1)));
        claims(claim(set, 0), claim(set, 1));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Pod")).isEmpty();
        assertThat(client.actions("create", "ControllerRevision")).hasSize(1);
    }

    @Test
    void whenEveryReplicaIsUpdatedAndReadyTheUpdateRevisionBecomesCurrent() {
        StatefulSet v1 = statefulSet(2, "nginx:1");
        ControllerRevision r1 = revision(v1, 1);
        StatefulSet set = statefulSet(2, "nginx:2");
        ControllerRevision r2 = revision(set, 2);
        preload(informers.informer(ControllerRevision.class), r2);
        given(set, r1, healthy(member(set, 0, r2)), healthy(member(set, 1, r2)));
        claims(claim(set, 0), claim(set, 1));

        controller.reconcile(KEY);

        StatefulSet.StatefulSetStatus s = lastStatus(client);
        assertThat(s.currentRevision).isEqualTo(r2.metadata.name);
        assertThat(s.updateRevision).isEqualTo(r2.metadata.name);
        assertThat(s.currentReplicas).isEqualTo(2);
        assertThat(s.updatedReplicas).isEqualTo(2);
        assertThat(s.readyReplicas).isEqualTo(2);
        // r1 is no longer live, but within the history limit: kept
        assertThat(client.actions("delete", "ControllerRevision")).isEmpty();
    }

    @Test
    void goingBackToAnEarlierTemplateRaisesThatRevisionsNumber() {
        StatefulSet v1 = statefulSet(1, "nginx:1");
        ControllerRevision r1 = revision(v1, 1);
        ControllerRevision r2 = revision(statefulSet(1, "nginx:2"), 2);
        preload(informers.informer(ControllerRevision.class), r1);
        given(v1, r2);

        controller.reconcile(KEY);

        assertThat(client.actions("create", "ControllerRevision")).isEmpty();
        ControllerRevision updated = (ControllerRevision) client.actions("update", "ControllerRevision").getFirst().object();
        assertThat(updated.metadata.name).isEqualTo(r1.metadata.name);
        assertThat(updated.revision).isEqualTo(3);
    }

    @Test
    void revisionsBeyondTheHistoryLimitThatNoPodUsesAreDeleted() {
        StatefulSet set = statefulSet(1, "nginx:3");
        set.spec.revisionHistoryLimit = 0;
        ControllerRevision r1 = revision(statefulSet(1, "nginx:1"), 1);
        ControllerRevision r2 = revision(statefulSet(1, "nginx:2"), 2);
        ControllerRevision r3 = revision(set, 3);
        preload(informers.informer(ControllerRevision.class), r1, r2);
        given(set, r3, healthy(member(statefulSet(1, "nginx:2"), 0, r2)));
        claims(claim(set, 0));

        controller.reconcile(KEY);

        // r2 is still web-0's: only r1 goes
        assertThat(client.actions("delete", "ControllerRevision")).extracting(Action::name).containsExactly(r1.metadata.name);
    }

    @Test
    void whenDeletedDeleteMakesTheSetTheControllerOfEachClaim() {
        StatefulSet set = statefulSet(1, "nginx:1");
        set.spec.persistentVolumeClaimRetentionPolicy = new StatefulSet.StatefulSetPersistentVolumeClaimRetentionPolicy();
        set.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Delete";
        set.spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Retain";
        ControllerRevision rev = revision(set, 1);
        given(set, rev, healthy(member(set, 0, rev)));
        claims(claim(set, 0));

        controller.reconcile(KEY);

        PersistentVolumeClaim updated = (PersistentVolumeClaim) client.actions("update", "PersistentVolumeClaim").getFirst().object();
        assertThat(updated.metadata.ownerReferences).singleElement().satisfies(r -> {
            assertThat(r.kind).isEqualTo("StatefulSet");
            assertThat(r.apiVersion).isEqualTo("apps/v1");
            assertThat(r.uid).isEqualTo("uid-web");
            assertThat(r.controller).isTrue();
            assertThat(r.blockOwnerDeletion).isTrue();
        });
        assertThat(client.events()).extracting(e -> e.reason).contains("SuccessfulUpdate");
    }

    @Test
    void whenScaledDeleteHandsTheClaimOfAScaledDownPodToThatPodBeforeDeletingIt() {
        StatefulSet set = statefulSet(1, "nginx:1");
        set.spec.persistentVolumeClaimRetentionPolicy = new StatefulSet.StatefulSetPersistentVolumeClaimRetentionPolicy();
        set.spec.persistentVolumeClaimRetentionPolicy.whenDeleted = "Retain";
        set.spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Delete";
        ControllerRevision rev = revision(set, 1);
        given(set, rev, healthy(member(set, 0, rev)), healthy(member(set, 1, rev)));
        claims(claim(set, 0), claim(set, 1));

        controller.reconcile(KEY);

        assertThat(client.summaries()).containsSubsequence("update PersistentVolumeClaim default/data-web-1", "delete Pod default/web-1");
        PersistentVolumeClaim updated = (PersistentVolumeClaim) client.actions("update", "PersistentVolumeClaim").getFirst().object();
        assertThat(updated.metadata.ownerReferences).singleElement().satisfies(r -> {
            assertThat(r.kind).isEqualTo("Pod");
            assertThat(r.name).isEqualTo("web-1");
            assertThat(r.uid).isEqualTo("uid-web-1");
            assertThat(r.controller).isTrue();
        });
    }

    @Test
    void aClaimStillOwnedByAnEarlierPodOfTheNameBlocksTheNewPod() {
        StatefulSet set = statefulSet(1, "nginx:1");
        set.spec.persistentVolumeClaimRetentionPolicy = new StatefulSet.StatefulSetPersistentVolumeClaimRetentionPolicy();
        set.spec.persistentVolumeClaimRetentionPolicy.whenScaled = "Delete";
        ControllerRevision rev = revision(set, 1);
        given(set, rev);
        PersistentVolumeClaim stale = claim(set, 0);
        OwnerReference old = new OwnerReference();
        old.apiVersion = "v1";
        old.kind = "Pod";
        old.name = "web-0";
        old.uid = "uid-of-an-earlier-web-0";
        old.controller = true;
        stale.metadata.ownerReferences.add(old);
        claims(stale);

        controller.reconcile(KEY);

        assertThat(client.actions("create", "Pod")).isEmpty();
    }

    @Test
    void anOrphanPodOfTheSetIsAdoptedAndAControlledPodWithAForeignNameIsReleased() {
        StatefulSet set = statefulSet(1, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        Pod orphan = healthy(member(set, 0, rev));
        orphan.metadata.ownerReferences.clear();
        Pod foreign = healthy(member(set, 0, rev));
        foreign.metadata.name = "other";
        foreign.metadata.uid = "uid-other";
        given(set, rev, orphan, foreign);
        client.live(orphan);
        claims(claim(set, 0));

        controller.reconcile(KEY);

        assertThat(client.actions("patch", "Pod")).extracting(Action::name).containsExactlyInAnyOrder("web-0", "other");
        assertThat(client.actions("create", "Pod")).isEmpty();
    }

    @Test
    void aStatusThatIsAlreadyRightIsNotWritten() {
        StatefulSet set = statefulSet(1, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        set.status.observedGeneration = 1L;
        set.status.replicas = 1;
        set.status.readyReplicas = 1;
        set.status.availableReplicas = 1;
        set.status.currentReplicas = 1;
        set.status.updatedReplicas = 1;
        set.status.collisionCount = 0;
        given(set, rev, healthy(member(set, 0, rev)));
        claims(claim(set, 0));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions()).isEmpty();
        assertThat(client.events()).extracting((Event e) -> e.reason).isEmpty();
    }

    @Test
    void podEventsMapToTheOwningSet() {
        StatefulSet set = statefulSet(1, "nginx:1");
        preload(informers.informer(StatefulSet.class), set);
        ControllerRevision rev = revision(set, 1);
        Pod before = member(set, 0, rev);
        Pod after = healthy(member(set, 0, rev));
        after.metadata.resourceVersion = "7";

        controller.podUpdated(before, after);

        assertThat(controller.queue().isQueued(KEY)).isTrue();
        assertThat(List.of(StatefulSetPods.parentName(after), StatefulSetPods.ordinal(after))).containsExactly("web", 0);
    }

    // ---- Parallel: slow start with requests in flight (Kubernetes' runForAll / slowStartBatch) --

    @Test
    void parallelCreatesFortyPodsInOneSyncWithManyInFlight() {
        StatefulSet set = statefulSet(40, "nginx:1");
        set.spec.podManagementPolicy = "Parallel";
        ControllerRevision rev = revision(set, 1);
        given(set, rev);
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 5);
        client.failWhen(creates, 500);

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isNotEqualTo(Result.Kind.RETRY);
        assertThat(client.actions("create", "Pod")).extracting(Action::name)
                .containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 40).mapToObj(i -> "web-" + i).toList());
        assertThat(creates.max()).as("pods of one batch created at once").isGreaterThan(1);
    }

    @Test
    void aParallelCreateFailingInTheThirdBatchEndsThePassAfterThatBatch() {
        StatefulSet set = statefulSet(40, "nginx:1");
        set.spec.podManagementPolicy = "Parallel";
        ControllerRevision rev = revision(set, 1);
        given(set, rev);
        // batches 1, 2, 4: create #5 is in the third (ordinals 3..6)
        InFlight creates = new InFlight(a -> a.verb().equals("create") && a.kind().equals("Pod"), 1, 5);
        client.failWhen(creates, 403);

        // an API error is transient: thrown, so the queue retries with back-off
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> controller.reconcile(KEY))
                .isInstanceOf(io.kube4j.client.ApiException.class);

        assertThat(creates.attempts()).isEqualTo(7);
        assertThat(client.actions("create", "Pod")).hasSize(6).extracting(Action::name)
                .allSatisfy(name -> assertThat(Integer.parseInt(name.substring("web-".length()))).isBetween(0, 6));
    }

    @Test
    void orderedReadyCreatesOnePodPerSyncWhateverTheRequestsInFlight() {
        StatefulSet set = statefulSet(40, "nginx:1");
        ControllerRevision rev = revision(set, 1);
        given(set, rev);

        controller.reconcile(KEY);

        assertThat(client.actions("create", "Pod")).extracting(Action::name).containsExactly("web-0");
    }
}
