package io.kube4j.scheduler.plugins.nodeunschedulable;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.NodeBuilder;
import io.kube4j.scheduler.testing.PodBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class NodeUnschedulableTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("schedulable node admits any pod", pod("p"), node("n"), Status.Code.SUCCESS),
                argumentSet("cordoned node rejects a plain pod", pod("p"), node("n").unschedulable(), Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE),
                argumentSet("cordoned node admits a pod tolerating the unschedulable taint",
                        pod("p").toleration("node.kubernetes.io/unschedulable", "Exists", null, "NoSchedule"), node("n").unschedulable(), Status.Code.SUCCESS),
                argumentSet("cordoned node admits a pod tolerating everything", pod("p").toleration(null, "Exists", null, null),
                        node("n").unschedulable(), Status.Code.SUCCESS),
                argumentSet("a toleration of another taint does not help", pod("p").toleration("dedicated", "Exists", null, "NoSchedule"),
                        node("n").unschedulable(), Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void filtersCordonedNodes(PodBuilder pod, NodeBuilder node, Status.Code expected) {
        Status s = new NodeUnschedulable().filter(new CycleState(new Snapshot()), pod.info(), node.info());
        assertThat(s.code()).isEqualTo(expected);
        if (!s.isSuccess()) {
            assertThat(s.reasons()).containsExactly("node(s) were unschedulable");
        }
    }
}
