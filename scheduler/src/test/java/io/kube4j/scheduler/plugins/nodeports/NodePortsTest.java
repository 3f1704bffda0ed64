package io.kube4j.scheduler.plugins.nodeports;

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

class NodePortsTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("no host ports", pod("p"), node("n").with(pod("a").hostPort(80, "TCP", null)), true),
                argumentSet("free port", pod("p").hostPort(8080, "TCP", null), node("n").with(pod("a").hostPort(80, "TCP", null)), true),
                argumentSet("same port and protocol", pod("p").hostPort(80, "TCP", null), node("n").with(pod("a").hostPort(80, "TCP", null)), false),
                argumentSet("protocol defaults to TCP", pod("p").hostPort(80, null, null), node("n").with(pod("a").hostPort(80, "TCP", null)), false),
                argumentSet("same port, other protocol", pod("p").hostPort(53, "UDP", null), node("n").with(pod("a").hostPort(53, "TCP", null)), true),
                argumentSet("different host IPs", pod("p").hostPort(80, "TCP", "10.0.0.1"), node("n").with(pod("a").hostPort(80, "TCP", "10.0.0.2")), true),
                argumentSet("0.0.0.0 conflicts with every IP", pod("p").hostPort(80, "TCP", "10.0.0.1"), node("n").with(pod("a").hostPort(80, "TCP", "0.0.0.0")), false),
                argumentSet("a departed pod frees its port", pod("p").hostPort(80, "TCP", null), node("n"), true));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void rejectsHostPortConflicts(PodBuilder pod, NodeBuilder node, boolean fits) {
        Status s = new NodePorts().filter(new CycleState(new Snapshot()), pod.info(), node.info());
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.reasons()).containsExactly("node(s) didn't have free ports for the requested pod ports");
        }
    }
}
