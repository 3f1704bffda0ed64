package io.kube4j.controllermanager.nodeipam;

import io.kube4j.api.Event;
import io.kube4j.api.Node;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static io.kube4j.informer.TestStores.remove;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NodeIpamControllerTest {
    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();

    NodeIpamController controller(String clusterCidr, int mask) {
        return new NodeIpamController(informers, client, clusterCidr, mask);
    }

    static Node node(String name, String podCidr) {
        Node n = new Node();
        n.metadata.name = name;
        n.metadata.uid = "uid-" + name;
        n.metadata.resourceVersion = "3";
        if (podCidr != null) {
            n.spec.podCIDR = podCidr;
            n.spec.podCIDRs.add(podCidr);
        }
        return n;
    }

    /** The podCIDR each recorded patch set, in order, checking that podCIDRs says the same. */
    List<String> patchedCidrs() {
        return client.actions("patch", "Node").stream().map(a -> {
            Node patch = Json.read(a.patch(), Node.class);
            assertThat(patch.spec.podCIDRs).containsExactly(patch.spec.podCIDR);
            return a.name() + "=" + patch.spec.podCIDR;
        }).toList();
    }

    /** What the apiserver would hold after the recorded patches: the cache as the next reconcile sees it. */
    void applyPatches() {
        for (Action a : client.actions("patch", "Node")) {
            Node patch = Json.read(a.patch(), Node.class);
            preload(informers.informer(Node.class), node(a.name(), patch.spec.podCIDR));
        }
        client.clear();
    }

    @Test
    void nodesGetBlocksOfTheClusterCidrInOrderThroughOnePatchOfPodCidrAndPodCidrs() {
        var c = controller("10.244.0.0/16", 24);
        preload(informers.informer(Node.class), node("a", null), node("b", null), node("c", null));

        for (String n : List.of("a", "b", "c")) {
            assertThat(c.reconcile(n)).isEqualTo(Result.done());
        }

        assertThat(patchedCidrs()).containsExactly("a=10.244.0.0/24", "b=10.244.1.0/24", "c=10.244.2.0/24");
        assertThat(client.actions("patch", "Node").getFirst().patch())
                .isEqualTo("{\"spec\":{\"podCIDR\":\"10.244.0.0/24\",\"podCIDRs\":[\"10.244.0.0/24\"]}}");
        assertThat(client.eventReasons()).isEmpty();
    }

    @Test
    void aNodeThatAlreadyHasItsBlockIsNotPatchedAgain() {
        var c = controller("10.244.0.0/16", 24);
        preload(informers.informer(Node.class), node("a", null));
        c.reconcile("a");
        applyPatches();

        assertThat(c.reconcile("a")).isEqualTo(Result.done());
        assertThat(client.actions()).isEmpty();
    }

    @Test
    void aRestartedControllerOccupiesTheBlocksOfExistingNodesBeforeHandingOutAny() {
        // blocks 0 and 2 in use by nodes written by an earlier controller-manager
        preload(informers.informer(Node.class), node("old-a", "10.244.0.0/24"), node("old-c", "10.244.2.0/24"),
                node("new-1", null), node("new-2", null));
        var c = controller("10.244.0.0/16", 24);

        // the new nodes happen to be reconciled before the old ones
        c.reconcile("new-1");
        c.reconcile("new-2");
        c.reconcile("old-a");
        c.reconcile("old-c");

        assertThat(patchedCidrs()).containsExactly("new-1=10.244.1.0/24", "new-2=10.244.3.0/24");
    }

    @Test
    void aDeletedNodesBlockIsReleasedAndHandedOutAgain() {
        // a /22 cut into /24s: four blocks
        var c = controller("10.250.0.0/22", 24);
        preload(informers.informer(Node.class), node("a", null), node("b", null), node("c", null), node("d", null));
        List.of("a", "b", "c", "d").forEach(c::reconcile);
        applyPatches();

        Node b = informers.informer(Node.class).store().get("b");
        remove(informers.informer(Node.class), b);
        assertThat(c.reconcile("b")).isEqualTo(Result.done());
        assertThat(client.actions()).isEmpty();

        preload(informers.informer(Node.class), node("e", null));
        assertThat(c.reconcile("e")).isEqualTo(Result.done());
        assertThat(patchedCidrs()).containsExactly("e=10.250.1.0/24");
    }

    @Test
    void aNodeBeingDeletedGivesItsBlockBack() {
        var c = controller("10.250.0.0/23", 24);
        preload(informers.informer(Node.class), node("a", "10.250.0.0/24"), node("b", "10.250.1.0/24"));
        c.reconcile("a");
        Node deleting = node("a", "10.250.0.0/24");
        deleting.metadata.deletionTimestamp = "2026-01-01T00:00:00Z";
        preload(informers.informer(Node.class), deleting);
        c.reconcile("a");

        preload(informers.informer(Node.class), node("c", null));
        c.reconcile("c");
        assertThat(patchedCidrs()).containsExactly("c=10.250.0.0/24");
    }

    @Test
    void whenTheRangeIsExhaustedTheNodeGetsACidrNotAvailableEventAndIsRetried() {
        var c = controller("10.250.0.0/23", 24);
        preload(informers.informer(Node.class), node("a", null), node("b", null), node("c", null));
        c.reconcile("a");
        c.reconcile("b");
        applyPatches();

        Result r = c.reconcile("c");

        assertThat(r.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(client.actions()).isEmpty();
        assertThat(client.events()).singleElement().satisfies(e -> {
            assertThat(e.type).isEqualTo("Normal");
            assertThat(e.reason).isEqualTo("CIDRNotAvailable");
            assertThat(e.message).isEqualTo("Node c status is now: CIDRNotAvailable");
            assertThat(e.involvedObject.kind).isEqualTo("Node");
            assertThat(e.involvedObject.name).isEqualTo("c");
        });

        // a block comes free: the retry gets it
        remove(informers.informer(Node.class), informers.informer(Node.class).store().get("a"));
        c.reconcile("a");
        assertThat(c.reconcile("c")).isEqualTo(Result.done());
        assertThat(patchedCidrs()).containsExactly("c=10.250.0.0/24");
    }

    @Test
    void aNodeWithAPodCidrOutsideTheClusterCidrIsLeftAloneAndOccupiesNothing() {
        var c = controller("10.250.0.0/23", 24);
        preload(informers.informer(Node.class), node("foreign", "192.168.7.0/24"), node("a", null), node("b", null));

        Result r = c.reconcile("foreign");
        assertThat(r.kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(r.reason()).contains("192.168.7.0/24 is out the range of cluster cidr 10.250.0.0/23");
        c.reconcile("a");
        c.reconcile("b");

        // never patched, and both blocks of the range still went to the other nodes
        assertThat(patchedCidrs()).containsExactly("a=10.250.0.0/24", "b=10.250.1.0/24");
    }

    @Test
    void aNodeReconciledAgainBeforeTheCacheShowsItsPatchGetsTheSameBlock() {
        var c = controller("10.244.0.0/16", 24);
        preload(informers.informer(Node.class), node("a", null));
        c.reconcile("a");
        c.reconcile("a");
        assertThat(patchedCidrs()).containsExactly("a=10.244.0.0/24", "a=10.244.0.0/24");
    }

    @Test
    void aFailedPatchReleasesTheBlockAndRetries() {
        var c = controller("10.250.0.0/23", 24);
        preload(informers.informer(Node.class), node("a", null), node("b", null));
        client.failWhen(a -> a.name().equals("a"), 500);

        assertThat(c.reconcile("a").kind()).isEqualTo(Result.Kind.RETRY);
        assertThat(client.eventReasons()).containsExactly("CIDRAssignmentFailed");
        client.failWhen(a -> false, 500);
        c.reconcile("b");
        c.reconcile("a");
        // a's first block went back; b took the next one, a got the one it lost
        assertThat(patchedCidrs()).containsExactly("b=10.250.1.0/24", "a=10.250.0.0/24");
    }

    @Test
    void cidrSetCutsTheClusterCidrAsKubernetes() throws Exception {
        CidrSet s = new CidrSet("10.244.0.0/16", 24);
        assertThat(s.maxCidrs()).isEqualTo(256);
        assertThat(s.allocateNext()).isEqualTo("10.244.0.0/24");
        // occupying a wider block covers every /24 in it
        s.occupy("10.244.4.0/22");
        assertThat(s.allocated()).isEqualTo(5);
        assertThat(s.allocateNext()).isEqualTo("10.244.1.0/24");
        s.release("10.244.4.0/22");
        assertThat(s.allocated()).isEqualTo(2);
        assertThatThrownBy(() -> s.occupy("10.245.0.0/24")).isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cidr 10.245.0.0/24 is out the range of cluster cidr 10.244.0.0/16");
        assertThatThrownBy(() -> new CidrSet("10.244.0.0/16", 8)).isInstanceOf(IllegalArgumentException.class);

        CidrSet v6 = new CidrSet("fd00:10:244::/56", 64);
        assertThat(v6.allocateNext()).isEqualTo("fd00:10:244::/64");
        assertThat(v6.allocateNext()).isEqualTo("fd00:10:244:1::/64");

        CidrSet tiny = new CidrSet("10.0.0.0/31", 32);
        tiny.allocateNext();
        tiny.allocateNext();
        assertThatThrownBy(tiny::allocateNext).isInstanceOf(CidrSet.ExhaustedException.class)
                .hasMessage("CIDR allocation failed; there are no remaining CIDRs left to allocate in the accepted range");
    }
}
