package io.kube4j.scheduler.cache;

import io.kube4j.api.Pod;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Snapshot;
import org.junit.jupiter.api.Test;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulerCacheTest {
    private final SchedulerCache cache = new SchedulerCache();
    private final Snapshot snapshot = new Snapshot();

    private NodeInfo snap(String node) {
        cache.updateSnapshot(snapshot);
        return snapshot.get(node);
    }

    @Test
    void assumedPodCountsAgainstItsNodeAtOnce() {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        cache.assume(pod("p").cpu("1500m").info(), "n1");
        assertThat(snap("n1").requested().milliCpu()).isEqualTo(1500);
        assertThat(cache.isAssumed("default/p")).isTrue();
        assertThat(cache.assumedPods()).isEqualTo(1);
    }

    @Test
    void informerConfirmationReplacesTheAssumptionWithoutDoubleCounting() {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        cache.assume(pod("p").cpu("1").info(), "n1");
        cache.addOrUpdatePod(pod("p").cpu("1").nodeName("n1").build());
        assertThat(snap("n1").requested().milliCpu()).isEqualTo(1000);
        assertThat(snap("n1").pods()).hasSize(1);
        assertThat(cache.isAssumed("default/p")).isFalse();
        assertThat(cache.forget("default/p")).as("a confirmed pod is not forgotten").isFalse();
        assertThat(snap("n1").pods()).hasSize(1);
    }

    @Test
    void confirmationOnAnotherNodeMovesThePod() {
        cache.addOrUpdateNode(node("n1").build());
        cache.addOrUpdateNode(node("n2").build());
        cache.assume(pod("p").cpu("1").info(), "n1");
        cache.addOrUpdatePod(pod("p").cpu("1").nodeName("n2").build());
        assertThat(snap("n1").requested().milliCpu()).isZero();
        assertThat(snap("n2").requested().milliCpu()).isEqualTo(1000);
    }

    @Test
    void forgettingAFailedBindingFreesTheNode() {
        cache.addOrUpdateNode(node("n1").cpu("2").build());
        cache.assume(pod("p").cpu("1").info(), "n1");
        assertThat(cache.forget("default/p")).isTrue();
        assertThat(snap("n1").requested().milliCpu()).isZero();
        assertThat(cache.contains("default/p")).isFalse();
    }

    @Test
    void aPodCannotBeAssumedTwice() {
        cache.addOrUpdateNode(node("n1").build());
        cache.assume(pod("p").info(), "n1");
        assertThatThrownBy(() -> cache.assume(pod("p").info(), "n1")).isInstanceOf(IllegalStateException.class);
    }

    @Test
    void snapshotCopiesAreNotChangedByLaterCacheUpdates() {
        cache.addOrUpdateNode(node("n1").build());
        NodeInfo before = snap("n1");
        cache.addOrUpdatePod(pod("p").cpu("1").nodeName("n1").build());
        assertThat(before.requested().milliCpu()).isZero();
        assertThat(snap("n1").requested().milliCpu()).isEqualTo(1000);
    }

    @Test
    void podsBoundBeforeTheirNodeIsSeenAreKeptButTheNodeIsNotSchedulable() {
        Pod p = pod("p").cpu("1").nodeName("late").build();
        cache.addOrUpdatePod(p);
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodes()).isEmpty();
        cache.addOrUpdateNode(node("late").cpu("2").build());
        assertThat(snap("late").requested().milliCpu()).isEqualTo(1000);
        assertThat(snapshot.nodes()).extracting(NodeInfo::name).containsExactly("late");
    }

    @Test
    void removedNodesLeaveTheSnapshot() {
        cache.addOrUpdateNode(node("n1").build());
        cache.addOrUpdateNode(node("n2").build());
        cache.updateSnapshot(snapshot);
        cache.removeNode("n1");
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodes()).extracting(NodeInfo::name).containsExactly("n2");
        assertThat(cache.nodeCount()).isEqualTo(1);
    }

    @Test
    void deletedPodsFreeTheirResources() {
        cache.addOrUpdateNode(node("n1").build());
        cache.addOrUpdatePod(pod("p").cpu("1").hostPort(80, "TCP", null).nodeName("n1").build());
        assertThat(cache.removePod("default/p")).isTrue();
        NodeInfo n = snap("n1");
        assertThat(n.requested().milliCpu()).isZero();
        assertThat(n.usedPorts()).isEmpty();
        assertThat(cache.removePod("default/p")).isFalse();
    }

    @Test
    void snapshotTracksNodesWithAffinityPods() {
        cache.addOrUpdateNode(node("n1").build());
        cache.addOrUpdateNode(node("n2").build());
        cache.addOrUpdatePod(pod("anti").podAntiAffinity("zone", java.util.Map.of("a", "b")).nodeName("n2").build());
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodesWithRequiredAntiAffinityPods()).extracting(NodeInfo::name).containsExactly("n2");
        cache.removePod("default/anti");
        cache.updateSnapshot(snapshot);
        assertThat(snapshot.nodesWithRequiredAntiAffinityPods()).isEmpty();
    }
}
