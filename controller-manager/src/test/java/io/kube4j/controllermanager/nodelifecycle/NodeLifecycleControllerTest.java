package io.kube4j.controllermanager.nodelifecycle;

import io.kube4j.api.Lease;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.testing.MutableClock;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Times;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.controllermanager.testing.Fixtures.pod;
import static io.kube4j.controllermanager.testing.Fixtures.ready;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class NodeLifecycleControllerTest {
    static final Instant T0 = Instant.parse("2026-01-01T00:00:00Z");

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();
    final MutableClock clock = new MutableClock(T0);
    final NodeLifecycleController controller = new NodeLifecycleController(informers, client, clock,
            Duration.ofSeconds(5), Duration.ofSeconds(40), 300);

    static Node node(String readyStatus, Taint... taints) {
        Node n = new Node();
        n.metadata.name = "n1";
        n.metadata.resourceVersion = "9";
        Node.NodeCondition c = new Node.NodeCondition();
        c.type = "Ready";
        c.status = readyStatus;
        c.lastHeartbeatTime = Times.format(T0);
        n.status.conditions.add(c);
        n.spec.taints.addAll(List.of(taints));
        return n;
    }

    static Lease lease(Instant renewed) {
        Lease l = new Lease();
        l.metadata.namespace = "kube-node-lease";
        l.metadata.name = "n1";
        l.spec.renewTime = Times.formatMicro(renewed);
        return l;
    }

    static Taint taint(String key, String effect, Instant added) {
        Taint t = new Taint(key, null, effect);
        t.timeAdded = Times.format(added);
        return t;
    }

    static Toleration toleration(String key, Long seconds) {
        Toleration t = new Toleration();
        t.key = key;
        t.operator = "Exists";
        t.effect = "NoExecute";
        t.tolerationSeconds = seconds;
        return t;
    }

    @Test
    void aHealthyNodeIsLeftAloneAndCheckedAgainWithinTheMonitorPeriod() {
        preload(informers.informer(Node.class), node("True"));
        preload(informers.informer(Lease.class, "kube-node-lease"), lease(T0));

        Result result = controller.reconcile("n1");

        assertThat(client.actions()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after()).isLessThanOrEqualTo(Duration.ofSeconds(5));
    }

    @Test
    void aNodeSilentForLongerThanTheGracePeriodBecomesUnknownAndUnreachable() {
        preload(informers.informer(Node.class), node("True"));
        preload(informers.informer(Lease.class, "kube-node-lease"), lease(T0));
        controller.reconcile("n1");
        clock.advance(Duration.ofSeconds(30));
        controller.reconcile("n1");
        assertThat(client.actions()).isEmpty();

        clock.advance(Duration.ofSeconds(11));
        controller.reconcile("n1");

        assertThat(client.summaries()).containsExactly("updateStatus Node n1", "update Node n1");
        Node status = (Node) client.actions("updateStatus", "Node").getFirst().object();
        assertThat(status.status.condition("Ready").status).isEqualTo("Unknown");
        assertThat(status.status.condition("Ready").reason).isEqualTo("NodeStatusUnknown");
        Node tainted = (Node) client.actions("update", "Node").getFirst().object();
        assertThat(tainted.spec.taints).extracting(Taint::toString)
                .containsExactlyInAnyOrder("node.kubernetes.io/unreachable:NoSchedule", "node.kubernetes.io/unreachable:NoExecute");
        assertThat(client.eventReasons()).contains("NodeNotReady");
    }

    /** MarkPodsNotReady: Ready=False through pods/status (reason and message as they were), a NodeNotReady Warning per pod. */
    @Test
    void whenASilentNodeTurnsUnknownItsReadyPodsAreMarkedNotReady() {
        preload(informers.informer(Node.class), node("True"));
        preload(informers.informer(Lease.class, "kube-node-lease"), lease(T0));
        Pod web = ready(pod("web", Map.of(), null), "n1", T0);
        Pod alreadyNotReady = io.kube4j.controllermanager.testing.Fixtures.running(pod("starting", Map.of(), null), "n1");
        Pod elsewhere = ready(pod("other", Map.of(), null), "n2", T0);
        preload(informers.informer(Pod.class), web, alreadyNotReady, elsewhere);
        controller.reconcile("n1");

        clock.advance(Duration.ofSeconds(41));
        controller.reconcile("n1");

        assertThat(client.summaries()).containsExactly("updateStatus Node n1", "updateStatus Pod default/web", "update Node n1");
        Pod marked = (Pod) client.actions("updateStatus", "Pod").getFirst().object();
        io.kube4j.api.PodCondition readyCondition = marked.status.conditions.stream().filter(c -> c.type.equals("Ready")).findFirst().orElseThrow();
        assertThat(readyCondition.status).isEqualTo("False");
        assertThat(readyCondition.reason).isNull();
        assertThat(readyCondition.lastTransitionTime).isEqualTo(Times.format(T0.plusSeconds(41)));
        assertThat(client.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("NodeNotReady");
            assertThat(e.type).isEqualTo("Warning");
            assertThat(e.message).isEqualTo("Node is not ready");
            assertThat(e.involvedObject.name).isEqualTo("web");
        });

        // marked once: the next passes over the Unknown node leave the pods alone
        preload(informers.informer(Node.class), (Node) client.actions("updateStatus", "Node").getFirst().object());
        client.clear();
        clock.advance(Duration.ofSeconds(5));
        controller.reconcile("n1");
        assertThat(client.actions("updateStatus", "Pod")).isEmpty();
    }

    @Test
    void aPodThatCouldNotBeMarkedIsMarkedOnTheNextPass() {
        preload(informers.informer(Node.class), node("True"));
        preload(informers.informer(Lease.class, "kube-node-lease"), lease(T0));
        preload(informers.informer(Pod.class), ready(pod("web", Map.of(), null), "n1", T0));
        controller.reconcile("n1");
        client.failWhen(a -> a.verb().equals("updateStatus") && a.kind().equals("Pod"), 500);
        clock.advance(Duration.ofSeconds(41));

        Result failed = controller.reconcile("n1");
        assertThat(failed.kind()).isEqualTo(Result.Kind.RETRY);

        client.failWhen(a -> false, 500);
        preload(informers.informer(Node.class), node("Unknown"));
        client.clear();
        controller.reconcile("n1");
        assertThat(client.summaries()).contains("updateStatus Pod default/web");
    }

    @Test
    void aRenewedLeaseKeepsTheNodeHealthy() {
        preload(informers.informer(Node.class), node("True"));
        preload(informers.informer(Lease.class, "kube-node-lease"), lease(T0));
        controller.reconcile("n1");
        clock.advance(Duration.ofSeconds(30));
        preload(informers.informer(Lease.class, "kube-node-lease"), lease(T0.plusSeconds(30)));
        controller.reconcile("n1");
        clock.advance(Duration.ofSeconds(30));

        controller.reconcile("n1");

        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aNodeReportingNotReadyGetsTheNotReadyTaint() {
        preload(informers.informer(Node.class), node("False"));

        controller.reconcile("n1");

        Node tainted = (Node) client.actions("update", "Node").getFirst().object();
        assertThat(tainted.spec.taints).extracting(t -> t.key).containsOnly("node.kubernetes.io/not-ready");
    }

    @Test
    void theTaintsGoWhenTheNodeIsReadyAgainAndOtherTaintsStay() {
        Taint mine = taint("dedicated", "NoSchedule", T0);
        preload(informers.informer(Node.class), node("True",
                taint("node.kubernetes.io/unreachable", "NoExecute", T0), taint("node.kubernetes.io/unreachable", "NoSchedule", T0), mine));

        controller.reconcile("n1");

        Node untainted = (Node) client.actions("update", "Node").getFirst().object();
        assertThat(untainted.spec.taints).extracting(t -> t.key).containsExactly("dedicated");
    }

    @Test
    void podsAreEvictedWhenTheirTolerationSecondsRunOutAndNotBefore() {
        Instant tainted = T0;
        preload(informers.informer(Node.class), node("Unknown",
                taint("node.kubernetes.io/unreachable", "NoExecute", tainted), taint("node.kubernetes.io/unreachable", "NoSchedule", tainted)));
        Pod shortLived = ready(pod("short", Map.of(), null), "n1", T0);
        shortLived.spec.tolerations.add(toleration("node.kubernetes.io/unreachable", 20L));
        Pod patient = ready(pod("patient", Map.of(), null), "n1", T0);
        patient.spec.tolerations.add(toleration("node.kubernetes.io/unreachable", 300L));
        Pod forever = ready(pod("forever", Map.of(), null), "n1", T0);
        forever.spec.tolerations.add(toleration("node.kubernetes.io/unreachable", null));
        Pod elsewhere = ready(pod("elsewhere", Map.of(), null), "n2", T0);
        preload(informers.informer(Pod.class), shortLived, patient, forever, elsewhere);

        clock.advance(Duration.ofSeconds(10));
        Result early = controller.reconcile("n1");
        assertThat(client.actions("delete", "Pod")).isEmpty();
        assertThat(early.after()).isLessThanOrEqualTo(Duration.ofSeconds(10).plusMillis(100));

        clock.advance(Duration.ofSeconds(11));
        controller.reconcile("n1");

        assertThat(client.actions("delete", "Pod")).extracting(Action::name).containsExactly("short");
        assertThat(client.eventReasons()).contains("TaintManagerEviction");
    }

    @Test
    void aPodWithoutATolerationGetsTheConfiguredDefault() {
        NodeLifecycleController demo = new NodeLifecycleController(informers, client, clock, Duration.ofSeconds(5), Duration.ofSeconds(40), 20);
        Taint unreachable = taint("node.kubernetes.io/unreachable", "NoExecute", T0);
        Pod plain = ready(pod("plain", Map.of(), null), "n1", T0);

        assertThat(demo.evictionTime(plain, List.of(unreachable), T0)).isEqualTo(T0.plusSeconds(20));
        // a taint nobody tolerates and that is not the node lifecycle's own: at once
        Taint custom = taint("example.com/broken", "NoExecute", T0);
        assertThat(demo.evictionTime(plain, List.of(custom), T0.plusSeconds(1))).isEqualTo(T0.plusSeconds(1));
    }
}
