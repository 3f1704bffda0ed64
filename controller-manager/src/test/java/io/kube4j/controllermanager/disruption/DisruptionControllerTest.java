package io.kube4j.controllermanager.disruption;

import io.kube4j.api.IntOrString;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Pod;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.api.ReplicaSet;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.controllermanager.testing.Fixtures.replicaSet;
import static io.kube4j.controllermanager.testing.Fixtures.running;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class DisruptionControllerTest {
    static final Map<String, String> LABELS = Map.of("app", "zk");
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final DisruptionController controller = new DisruptionController(informers, client, Clock.fixed(Instant.parse("2026-01-01T00:00:00Z"), ZoneOffset.UTC));

    static PodDisruptionBudget pdb(IntOrString min, IntOrString max) {
        PodDisruptionBudget p = new PodDisruptionBudget();
        p.metadata.namespace = NS;
        p.metadata.name = "zk-pdb";
        p.metadata.generation = 1L;
        p.spec.minAvailable = min;
        p.spec.maxUnavailable = max;
        p.spec.selector = LabelSelector.of(LABELS);
        return p;
    }

    PodDisruptionBudget written() {
        return (PodDisruptionBudget) client.actions().getLast().object();
    }

    @Test
    void minAvailableCountsReadyPods() {
        preload(informers.informer(PodDisruptionBudget.class), pdb(IntOrString.of(2), null));
        preload(informers.informer(Pod.class), ready(pod("a", LABELS, null), "n1", Instant.EPOCH), ready(pod("b", LABELS, null), "n1", Instant.EPOCH),
                ready(pod("c", LABELS, null), "n2", Instant.EPOCH), running(pod("d", LABELS, null), "n2"), ready(pod("other", Map.of("app", "web"), null), "n1", Instant.EPOCH));

        controller.reconcile(NS + "/zk-pdb");

        PodDisruptionBudget s = written();
        assertThat(s.status.expectedPods).isEqualTo(4);
        assertThat(s.status.currentHealthy).isEqualTo(3);
        assertThat(s.status.desiredHealthy).isEqualTo(2);
        assertThat(s.status.disruptionsAllowed).isEqualTo(1);
        assertThat(s.status.observedGeneration).isEqualTo(1L);
        assertThat(s.status.conditions).singleElement().satisfies(c -> {
            assertThat(c.type).isEqualTo("DisruptionAllowed");
            assertThat(c.status).isEqualTo("True");
            assertThat(c.reason).isEqualTo("SufficientPods");
        });
    }

    @Test
    void maxUnavailableUsesTheControllersScale() {
        ReplicaSet rs = replicaSet("zk", 5, LABELS);
        preload(informers.informer(ReplicaSet.class), rs);
        preload(informers.informer(PodDisruptionBudget.class), pdb(null, IntOrString.of("20%")));
        preload(informers.informer(Pod.class), ready(pod("a", LABELS, rs), "n1", Instant.EPOCH), ready(pod("b", LABELS, rs), "n1", Instant.EPOCH),
                ready(pod("c", LABELS, rs), "n1", Instant.EPOCH), ready(pod("d", LABELS, rs), "n1", Instant.EPOCH));

        controller.reconcile(NS + "/zk-pdb");

        PodDisruptionBudget s = written();
        assertThat(s.status.expectedPods).isEqualTo(5);
        assertThat(s.status.desiredHealthy).isEqualTo(4);
        assertThat(s.status.disruptionsAllowed).isEqualTo(0);
        assertThat(s.status.conditions.getFirst().reason).isEqualTo("InsufficientPods");
    }

    @Test
    void aPodRecordedAsDisruptedDoesNotCountAsHealthy() {
        PodDisruptionBudget p = pdb(IntOrString.of(1), null);
        p.status.disruptedPods.put("a", "2026-01-01T00:00:00Z");
        preload(informers.informer(PodDisruptionBudget.class), p);
        preload(informers.informer(Pod.class), ready(pod("a", LABELS, null), "n1", Instant.EPOCH), ready(pod("b", LABELS, null), "n1", Instant.EPOCH));

        controller.reconcile(NS + "/zk-pdb");

        assertThat(written().status.currentHealthy).isEqualTo(1);
        assertThat(written().status.disruptionsAllowed).isEqualTo(0);
        assertThat(written().status.disruptedPods).containsKey("a");
    }
}
