package io.kube4j.scheduler.framework;

import io.kube4j.api.Node;
import io.kube4j.api.Taint;
import io.kube4j.scheduler.testing.NodeBuilder;
import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The node's fields NodeInfo keeps (read per node in every cycle) follow the Node object it is given. */
class NodeInfoTest {

    @Test
    void unschedulableTaintsAndLabelsFollowEachNodeObjectAndSurviveACopy() {
        Node plain = NodeBuilder.node("n1").build();
        NodeInfo info = NodeInfo.of(plain);
        assertThat(info.unschedulable()).isFalse();
        assertThat(info.taints()).isEmpty();
        assertThat(info.labels()).containsEntry("kubernetes.io/hostname", "n1");

        Node cordoned = NodeBuilder.node("n1").label("zone", "a").taint("dedicated", "gpu", "NoSchedule").build();
        cordoned.spec.unschedulable = true;
        info.setNode(cordoned);
        assertThat(info.unschedulable()).isTrue();
        assertThat(info.taints()).extracting(t -> t.key).containsExactly("dedicated");
        assertThat(info.labels()).containsEntry("zone", "a");

        NodeInfo copy = info.copy();
        info.setNode(plain);
        assertThat(copy.unschedulable()).isTrue();
        assertThat(copy.taints()).hasSize(1);
        assertThat(info.unschedulable()).isFalse();
        assertThat(info.taints()).isEmpty();
        assertThat(info.labels()).doesNotContainKey("zone");

        info.setNode(cordoned);
        info.clearNode();
        assertThat(info.unschedulable()).isFalse();
        assertThat(info.taints()).isEqualTo(List.<Taint>of());
        assertThat(info.labels()).isEmpty();
    }
}
