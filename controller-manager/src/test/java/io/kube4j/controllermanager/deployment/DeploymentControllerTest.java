package io.kube4j.controllermanager.deployment;

import io.kube4j.api.Deployment;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.deployment;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class DeploymentControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "web");
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final DeploymentController controller = new DeploymentController(informers, client, Clock.fixed(NOW, ZoneOffset.UTC));

    void given(Deployment d, ReplicaSet... sets) {
        preload(informers.informer(Deployment.class), d);
        preload(informers.informer(ReplicaSet.class), sets);
    }

    /** The ReplicaSet the controller makes for {@code d}'s template, as stored, with the given sizes. */
    static ReplicaSet replicaSetFor(Deployment d, long revision, int spec, int available) {
        ReplicaSet rs = DeploymentController.newReplicaSet(d, 0, Long.toString(revision), spec);
        rs.metadata.uid = "uid-" + rs.metadata.name;
        rs.metadata.resourceVersion = "7";
        rs.metadata.generation = 1L;
        rs.metadata.creationTimestamp = "2026-01-01T00:00:0" + revision + "Z";
        rs.status.replicas = spec;
        rs.status.readyReplicas = available;
        rs.status.availableReplicas = available;
        rs.status.fullyLabeledReplicas = spec;
        rs.status.observedGeneration = 1L;
        return rs;
    }

    static Deployment withImage(Deployment d, String image) {
        Deployment copy = Json.copy(d);
        copy.spec.template.spec.containers.getFirst().image = image;
        copy.metadata.generation = d.metadata.generation + 1;
        return copy;
    }

    static ReplicaSet written(Action a) {
        return (ReplicaSet) a.object();
    }

    @Test
    void aNewDeploymentGetsOneReplicaSetForItsTemplate() {
        Deployment d = deployment("web", 10, LABELS, "nginx:1");
        d.metadata.annotations.put("kubernetes.io/change-cause", "first release");
        d.metadata.annotations.put("kubectl.kubernetes.io/last-applied-configuration", "{}");
        given(d);

        controller.reconcile(NS + "/web");

        List<Action> creates = client.actions("create", "ReplicaSet");
        assertThat(creates).hasSize(1);
        ReplicaSet rs = written(creates.getFirst());
        String hash = rs.metadata.labels.get("pod-template-hash");
        assertThat(hash).isNotBlank();
        assertThat(rs.metadata.name).isEqualTo("web-" + hash);
        assertThat(rs.spec.replicas).isEqualTo(10);
        assertThat(rs.spec.selector.matchLabels).containsEntry("app", "web").containsEntry("pod-template-hash", hash);
        assertThat(rs.spec.template.metadata.labels).containsEntry("pod-template-hash", hash);
        assertThat(rs.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "1")
                .containsEntry("kubernetes.io/change-cause", "first release")
                .doesNotContainKey("kubectl.kubernetes.io/last-applied-configuration");
        assertThat(rs.metadata.controllerRef().uid).isEqualTo("uid-web");
        Deployment annotated = (Deployment) client.actions("update", "Deployment").getFirst().object();
        assertThat(annotated.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "1");
        assertThat(client.eventReasons()).contains("ScalingReplicaSet");
    }

    @Test
    void theHashDependsOnTheTemplateAndTheCollisionCount() {
        Deployment d = deployment("web", 1, LABELS, "nginx:1");
        String h1 = PodTemplateHash.of(d.spec.template, 0);
        assertThat(PodTemplateHash.of(Json.copy(d).spec.template, 0)).isEqualTo(h1);
        assertThat(PodTemplateHash.of(withImage(d, "nginx:2").spec.template, 0)).isNotEqualTo(h1);
        assertThat(PodTemplateHash.of(d.spec.template, 1)).isNotEqualTo(h1);
    }

    @Test
    void anImageChangeStartsANewReplicaSetWithinMaxSurgeAndRetiresOldPodsWithinMaxUnavailable() {
        Deployment v1 = deployment("web", 10, LABELS, "nginx:1");
        ReplicaSet old = replicaSetFor(v1, 1, 10, 10);
        Deployment v2 = withImage(v1, "nginx:2");
        given(v2, old);

        controller.reconcile(NS + "/web");

        ReplicaSet created = written(client.actions("create", "ReplicaSet").getFirst());
        // 25% of 10 rounds up to 3 extra pods
        assertThat(created.spec.replicas).isEqualTo(3);
        assertThat(created.spec.template.spec.containers.getFirst().image).isEqualTo("nginx:2");
        assertThat(created.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "2");
        // 25% of 10 rounds down to 2 pods that may be unavailable: the old ReplicaSet may lose 2 at once
        assertThat(client.actions("update", "ReplicaSet")).singleElement().satisfies(a -> {
            assertThat(a.name()).isEqualTo(old.metadata.name);
            assertThat(written(a).spec.replicas).isEqualTo(8);
        });
    }

    @Test
    void scalesTheOldReplicaSetDownOnlyAsFarAsMaxUnavailableAllows() {
        Deployment v1 = deployment("web", 10, LABELS, "nginx:1");
        Deployment v2 = withImage(v1, "nginx:2");
        ReplicaSet old = replicaSetFor(v1, 1, 10, 10);
        ReplicaSet fresh = replicaSetFor(v2, 2, 3, 0);
        v2.metadata.annotations.put("deployment.kubernetes.io/revision", "2");
        given(v2, old, fresh);

        controller.reconcile(NS + "/web");

        List<Action> updates = client.actions("update", "ReplicaSet");
        assertThat(updates).hasSize(1);
        assertThat(updates.getFirst().name()).isEqualTo(old.metadata.name);
        // 10 available, at least 8 must stay available
        assertThat(written(updates.getFirst()).spec.replicas).isEqualTo(8);
    }

    @Test
    void doesNotScaleDownWhileTheNewPodsAreNotAvailable() {
        Deployment v1 = deployment("web", 10, LABELS, "nginx:1");
        Deployment v2 = withImage(v1, "nginx:2");
        ReplicaSet old = replicaSetFor(v1, 1, 8, 8);
        ReplicaSet fresh = replicaSetFor(v2, 2, 5, 0);
        v2.metadata.annotations.put("deployment.kubernetes.io/revision", "2");
        given(v2, old, fresh);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("update", "ReplicaSet")).isEmpty();
        assertThat(client.actions("create", "ReplicaSet")).isEmpty();
    }

    @Test
    void anOldReplicaSetStatusThatLagsItsScaleDownDoesNotCountTwice() {
        Deployment v1 = deployment("web", 10, LABELS, "nginx:1");
        Deployment v2 = withImage(v1, "nginx:2");
        // scaled to 8 a moment ago; its status still reports the 10 pods it had
        ReplicaSet old = replicaSetFor(v1, 1, 8, 10);
        ReplicaSet fresh = replicaSetFor(v2, 2, 5, 0);
        v2.metadata.annotations.put("deployment.kubernetes.io/revision", "2");
        given(v2, old, fresh);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("update", "ReplicaSet")).isEmpty();
    }

    @Test
    void aRollbackMakesTheOldReplicaSetTheNewestRevision() {
        Deployment v1 = deployment("web", 10, LABELS, "nginx:1");
        Deployment v2 = withImage(v1, "nginx:2");
        ReplicaSet first = replicaSetFor(v1, 1, 0, 0);
        ReplicaSet second = replicaSetFor(v2, 2, 10, 10);
        Deployment rolledBack = withImage(v2, "nginx:1");
        rolledBack.metadata.annotations.put("deployment.kubernetes.io/revision", "2");
        given(rolledBack, first, second);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "ReplicaSet")).isEmpty();
        List<Action> updates = client.actions("update", "ReplicaSet");
        assertThat(updates).extracting(Action::name).containsExactly(first.metadata.name, first.metadata.name);
        assertThat(written(updates.get(0)).metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "3");
        assertThat(written(updates.get(1)).spec.replicas).isEqualTo(3);
        Deployment annotated = (Deployment) client.actions("update", "Deployment").getFirst().object();
        assertThat(annotated.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "3");
    }

    @Test
    void recreateScalesOldReplicaSetsToZeroBeforeCreatingTheNewOne() {
        Deployment v1 = deployment("web", 3, LABELS, "nginx:1");
        v1.spec.strategy.type = "Recreate";
        v1.spec.strategy.rollingUpdate = null;
        ReplicaSet old = replicaSetFor(v1, 1, 3, 3);
        given(withImage(v1, "nginx:2"), old);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "ReplicaSet")).isEmpty();
        assertThat(client.actions("update", "ReplicaSet")).singleElement()
                .satisfies(a -> assertThat(written(a).spec.replicas).isZero());
    }

    @Test
    void recreateCreatesTheNewReplicaSetOnceOldPodsAreGone() {
        Deployment v1 = deployment("web", 3, LABELS, "nginx:1");
        v1.spec.strategy.type = "Recreate";
        v1.spec.strategy.rollingUpdate = null;
        ReplicaSet old = replicaSetFor(v1, 1, 0, 0);
        given(withImage(v1, "nginx:2"), old);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "ReplicaSet")).singleElement()
                .satisfies(a -> assertThat(written(a).spec.replicas).isEqualTo(3));
    }

    @Test
    void recreateWaitsWhileAnOldPodIsStillTerminating() {
        Deployment v1 = deployment("web", 3, LABELS, "nginx:1");
        v1.spec.strategy.type = "Recreate";
        v1.spec.strategy.rollingUpdate = null;
        ReplicaSet old = replicaSetFor(v1, 1, 0, 0);
        Pod terminating = io.kube4j.controllermanager.testing.Fixtures.pod("old-pod", LABELS, old);
        terminating.metadata.deletionTimestamp = "2026-01-01T00:59:00Z";
        terminating.status.phase = "Running";
        given(withImage(v1, "nginx:2"), old);
        preload(informers.informer(Pod.class), terminating);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "ReplicaSet")).isEmpty();
    }

    @Test
    void aCompleteRolloutReportsSuccessAndPrunesHistoryBeyondTheLimit() {
        Deployment v1 = deployment("web", 3, LABELS, "nginx:1");
        Deployment v2 = withImage(v1, "nginx:2");
        Deployment v3 = withImage(v2, "nginx:3");
        v3.spec.revisionHistoryLimit = 1;
        v3.metadata.annotations.put("deployment.kubernetes.io/revision", "3");
        ReplicaSet r1 = replicaSetFor(v1, 1, 0, 0);
        ReplicaSet r2 = replicaSetFor(v2, 2, 0, 0);
        ReplicaSet r3 = replicaSetFor(v3, 3, 3, 3);
        given(v3, r1, r2, r3);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("delete", "ReplicaSet")).extracting(Action::name).containsExactly(r1.metadata.name);
        Deployment status = (Deployment) client.actions("updateStatus", "Deployment").getFirst().object();
        assertThat(status.status.observedGeneration).isEqualTo(v3.metadata.generation);
        assertThat(status.status.replicas).isEqualTo(3);
        assertThat(status.status.updatedReplicas).isEqualTo(3);
        assertThat(status.status.availableReplicas).isEqualTo(3);
        assertThat(status.status.conditions).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Progressing");
            assertThat(c.reason).isEqualTo("NewReplicaSetAvailable");
        }).anySatisfy(c -> {
            assertThat(c.type).isEqualTo("Available");
            assertThat(c.status).isEqualTo("True");
        });
    }

    @Test
    void aPausedDeploymentDoesNotRollOut() {
        Deployment v1 = deployment("web", 3, LABELS, "nginx:1");
        ReplicaSet old = replicaSetFor(v1, 1, 3, 3);
        Deployment v2 = withImage(v1, "nginx:2");
        v2.spec.paused = true;
        given(v2, old);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("create", "ReplicaSet")).isEmpty();
        assertThat(client.actions("update", "ReplicaSet")).isEmpty();
        Deployment status = (Deployment) client.actions("updateStatus", "Deployment").getFirst().object();
        assertThat(status.status.conditions).anySatisfy(c -> assertThat(c.reason).isEqualTo("DeploymentPaused"));
    }

    @Test
    void scalingUpDuringARolloutGrowsEveryActiveReplicaSetInProportion() {
        Deployment v1 = deployment("web", 10, LABELS, "nginx:1");
        Deployment v2 = withImage(v1, "nginx:2");
        ReplicaSet old = replicaSetFor(v1, 1, 8, 8);
        ReplicaSet fresh = replicaSetFor(v2, 2, 5, 0);
        Deployment bigger = Json.copy(v2);
        bigger.spec.replicas = 20;
        bigger.metadata.generation = v2.metadata.generation + 1;
        bigger.metadata.annotations.put("deployment.kubernetes.io/revision", "2");
        given(bigger, old, fresh);

        controller.reconcile(NS + "/web");

        // the maximum goes from 10 + 3 to 20 + 5: 8 -> round(8 * 25 / 13) = 15, 5 -> round(5 * 25 / 13) = 10
        List<Action> updates = client.actions("update", "ReplicaSet");
        assertThat(updates).extracting(a -> a.name() + "=" + written(a).spec.replicas)
                .containsExactlyInAnyOrder(old.metadata.name + "=15", fresh.metadata.name + "=10");
        assertThat(updates).allSatisfy(a -> assertThat(written(a).metadata.annotations)
                .containsEntry("deployment.kubernetes.io/desired-replicas", "20")
                .containsEntry("deployment.kubernetes.io/max-replicas", "25"));
    }

    @Test
    void scalingASettledDeploymentResizesItsOnlyReplicaSet() {
        Deployment d = deployment("web", 3, LABELS, "nginx:1");
        d.metadata.annotations.put("deployment.kubernetes.io/revision", "1");
        ReplicaSet rs = replicaSetFor(d, 1, 3, 3);
        Deployment scaled = Json.copy(d);
        scaled.spec.replicas = 1;
        given(scaled, rs);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("update", "ReplicaSet")).singleElement()
                .satisfies(a -> assertThat(written(a).spec.replicas).isEqualTo(1));
    }

    @Test
    void adoptsAnOrphanReplicaSetItSelects() {
        Deployment d = deployment("web", 3, LABELS, "nginx:1");
        ReplicaSet orphan = replicaSetFor(d, 1, 3, 3);
        orphan.metadata.ownerReferences.clear();
        given(d, orphan);
        client.live(orphan);

        controller.reconcile(NS + "/web");

        assertThat(client.actions("patch", "ReplicaSet")).extracting(Action::name).containsExactly(orphan.metadata.name);
        assertThat(client.actions("create", "ReplicaSet")).isEmpty();
    }

    @Test
    void aSelectorThatSelectsEverythingIsRefusedWithAWarning() {
        Deployment d = deployment("web", 3, LABELS, "nginx:1");
        d.spec.selector = new LabelSelector();
        given(d);

        controller.reconcile(NS + "/web");

        assertThat(client.actions()).isEmpty();
        assertThat(client.eventReasons()).containsExactly("SelectingAll");
    }

    @Test
    void aSteadyDeploymentCausesNoWrites() {
        Deployment d = deployment("web", 3, LABELS, "nginx:1");
        d.metadata.annotations.put("deployment.kubernetes.io/revision", "1");
        ReplicaSet rs = replicaSetFor(d, 1, 3, 3);
        given(d, rs);
        controller.reconcile(NS + "/web");
        Deployment withStatus = (Deployment) client.actions("updateStatus", "Deployment").getFirst().object();
        client.clear();
        preload(informers.informer(Deployment.class), withStatus);

        controller.reconcile(NS + "/web");

        assertThat(client.actions()).isEmpty();
    }
}
