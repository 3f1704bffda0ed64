package io.kube4j.controllermanager.replication;

import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.ReplicationController;
import io.kube4j.controllermanager.replicaset.ReplicaSetController;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.replicaSet;
import static io.kube4j.controllermanager.testing.Fixtures.template;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** The replication manager: the ReplicaSet controller's rules, applied to ReplicationControllers. */
class ReplicationManagerTest {
    static final Map<String, String> LABELS = Map.of("app", "web");
    static final Instant NOW = Instant.parse("2026-01-01T01:00:00Z");

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final ReplicaSetController controller = ReplicationManager.create(informers, client, Clock.fixed(NOW, ZoneOffset.UTC));

    static ReplicationController rc(String name, int replicas, Map<String, String> labels) {
        ReplicationController rc = new ReplicationController();
        rc.metadata.namespace = NS;
        rc.metadata.name = name;
        rc.metadata.uid = "uid-" + name;
        rc.metadata.resourceVersion = "10";
        rc.metadata.generation = 3L;
        rc.metadata.creationTimestamp = "2026-01-01T00:00:00Z";
        rc.spec.replicas = replicas;
        rc.spec.selector.putAll(labels);
        rc.spec.template = template(labels, "nginx:1");
        return rc;
    }

    void given(ReplicationController rc, Pod... pods) {
        preload(informers.informer(ReplicationController.class), rc);
        preload(informers.informer(Pod.class), pods);
    }

    @Test
    void isNamedReplicationController() {
        assertThat(controller.name()).isEqualTo("replicationcontroller");
    }

    @Test
    void createsMissingPodsControlledByTheReplicationController() {
        given(rc("web", 2, LABELS));

        Result result = controller.reconcile(NS + "/web");

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(client.actions("create", "Pod")).hasSize(2).allSatisfy(a -> {
            Pod p = (Pod) a.object();
            assertThat(p.metadata.generateName).isEqualTo("web-");
            assertThat(p.metadata.labels).containsAllEntriesOf(LABELS);
            OwnerReference ref = p.metadata.controllerRef();
            assertThat(ref.kind).isEqualTo("ReplicationController");
            assertThat(ref.apiVersion).isEqualTo("v1");
            assertThat(ref.uid).isEqualTo("uid-web");
            assertThat(ref.blockOwnerDeletion).isTrue();
        });
        assertThat(client.events()).extracting(e -> e.involvedObject.kind).containsOnly("ReplicationController");
        assertThat(client.eventReasons()).containsExactly("SuccessfulCreate", "SuccessfulCreate");
    }

    @Test
    void writesReplicaCountsOntoTheReplicationControllerStatus() {
        ReplicationController rc = rc("web", 2, LABELS);
        given(rc, ready(pod("a", LABELS, rc), "n1", NOW.minusSeconds(60)), pod("b", Map.of("app", "web"), rc));

        controller.reconcile(NS + "/web");

        assertThat(client.summaries()).containsExactly("updateStatus ReplicationController default/web");
        ReplicationController written = (ReplicationController) client.actions("updateStatus", "ReplicationController").getFirst().object();
        assertThat(written.status.replicas).isEqualTo(2);
        assertThat(written.status.fullyLabeledReplicas).isEqualTo(2);
        assertThat(written.status.readyReplicas).isEqualTo(1);
        assertThat(written.status.availableReplicas).isEqualTo(1);
        assertThat(written.status.observedGeneration).isEqualTo(3L);
        assertThat(written.spec.selector).isEqualTo(LABELS);
    }

    @Test
    void doesNothingWhenStatusIsCurrent() {
        ReplicationController rc = rc("web", 1, LABELS);
        rc.status.replicas = 1;
        rc.status.fullyLabeledReplicas = 1;
        rc.status.readyReplicas = 1;
        rc.status.availableReplicas = 1;
        rc.status.observedGeneration = 3L;
        given(rc, ready(pod("a", LABELS, rc), "n1", NOW.minusSeconds(60)));

        controller.reconcile(NS + "/web");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void adoptsAnOrphanMatchingTheMapSelector() {
        ReplicationController rc = rc("web", 1, LABELS);
        Pod orphan = ready(pod("orphan", Map.of("app", "web", "extra", "x"), null), "n1", NOW.minusSeconds(60));
        given(rc, orphan, ready(pod("other", Map.of("app", "db"), null), "n1", NOW.minusSeconds(60)));
        client.live(orphan);

        controller.reconcile(NS + "/web");

        assertThat(client.summaries()).containsExactly("patch Pod default/orphan", "updateStatus ReplicationController default/web");
        JsonNode ref = Json.tree(client.actions("patch", "Pod").getFirst().patch()).path("metadata").path("ownerReferences").get(0);
        assertThat(ref.path("kind").asString()).isEqualTo("ReplicationController");
        assertThat(ref.path("uid").asString()).isEqualTo("uid-web");
    }

    @Test
    void scalingDownDeletesTheSurplus() {
        ReplicationController rc = rc("web", 1, LABELS);
        given(rc, ready(pod("old", LABELS, rc), "n1", NOW.minusSeconds(600)), pod("pending", LABELS, rc));

        controller.reconcile(NS + "/web");

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("pending");
        assertThat(client.eventReasons()).containsExactly("SuccessfulDelete");
    }

    @Test
    void ignoresPodsControlledByAReplicaSetOfTheSameName() {
        ReplicationController rc = rc("web", 1, LABELS);
        ReplicaSet rs = replicaSet("web", 1, LABELS);
        rs.metadata.uid = "uid-rs-web";
        given(rc, ready(pod("rs-pod", LABELS, rs), "n1", NOW.minusSeconds(60)));

        controller.reconcile(NS + "/web");

        // the ReplicaSet's pod is not the ReplicationController's: it creates its own
        assertThat(client.actions("create", "Pod")).hasSize(1);
        assertThat(client.actions("patch", "Pod")).isEmpty();
    }

    @Test
    void conversionRoundTripsStatusAndConditions() {
        ReplicationController rc = rc("web", 3, LABELS);
        ReplicationController.ReplicationControllerCondition c = new ReplicationController.ReplicationControllerCondition();
        c.type = "ReplicaFailure";
        c.status = "True";
        c.reason = "FailedCreate";
        c.message = "quota";
        rc.status.conditions.add(c);
        rc.status.replicas = 2;

        ReplicaSet view = ReplicationControllerConversion.toReplicaSet(rc);
        assertThat(view.kind).isEqualTo("ReplicationController");
        assertThat(view.spec.selector.matchLabels).isEqualTo(LABELS);
        ReplicationController back = ReplicationControllerConversion.withStatus(rc, view);

        assertThat(Json.write(back)).isEqualTo(Json.write(rc));
        view.metadata.labels.put("mutated", "yes");
        assertThat(rc.metadata.labels).doesNotContainKey("mutated");
    }
}
