package io.kube4j.scheduler.plugins.nodename;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.PodBuilder;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.stream.Stream;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class NodeNameTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("no node name fits anywhere", pod("p"), "n1", Status.Code.SUCCESS),
                argumentSet("the named node fits", pod("p").nodeName("n1"), "n1", Status.Code.SUCCESS),
                argumentSet("another node does not", pod("p").nodeName("n2"), "n1", Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void matchesTheRequestedNode(PodBuilder pod, String nodeName, Status.Code expected) {
        Status s = new NodeName().filter(new CycleState(new Snapshot()), pod.info(), node(nodeName).info());
        assertThat(s.code()).isEqualTo(expected);
        if (!s.isSuccess()) {
            assertThat(s.reasons()).containsExactly("node(s) didn't match the requested node name");
        }
    }
}
