package io.kube4j.scheduler.plugins.noderesources;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.NodeBuilder;
import io.kube4j.scheduler.testing.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.stream.Stream;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class NodeResourcesFitTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                argumentSet("empty node, small pod", pod("p").cpu("1").memory("1Gi"), node("n").cpu("2").memory("2Gi"), List.of()),
                argumentSet("exactly full fits", pod("p").cpu("1").memory("1Gi"),
                        node("n").cpu("2").memory("2Gi").with(pod("a").cpu("1").memory("1Gi")), List.of()),
                argumentSet("cpu short by a millicore", pod("p").cpu("1001m"),
                        node("n").cpu("2").with(pod("a").cpu("1")), List.of("Insufficient cpu")),
                argumentSet("memory short", pod("p").memory("2Gi"), node("n").memory("3Gi").with(pod("a").memory("1500Mi")),
                        List.of("Insufficient memory")),
                argumentSet("both short", pod("p").cpu("3").memory("9Gi"), node("n").cpu("2").memory("8Gi"),
                        List.of("Insufficient cpu", "Insufficient memory")),
                argumentSet("pod count limit", pod("p"), node("n").pods(2).with(pod("a")).with(pod("b")), List.of("Too many pods")),
                argumentSet("a pod requesting nothing fits an overcommitted node", pod("p"),
                        node("n").cpu("1").with(pod("a").cpu("2")), List.of()),
                argumentSet("init containers count as their maximum, not their sum", pod("p").cpu("500m").initContainer("1500m", null).initContainer("1", null),
                        node("n").cpu("2").with(pod("a").cpu("500m")), List.of()),
                argumentSet("an init container larger than the app containers decides", pod("p").cpu("100m").initContainer("2", null),
                        node("n").cpu("2").with(pod("a").cpu("500m")), List.of("Insufficient cpu")),
                argumentSet("app containers are summed", pod("p").cpu("1").container("1", null).container("500m", null),
                        node("n").cpu("2"), List.of("Insufficient cpu")),
                argumentSet("limits stand in for missing requests", pod("p").limit("cpu", "3"), node("n").cpu("2"), List.of("Insufficient cpu")),
                argumentSet("extended resource short", pod("p").request("nvidia.com/gpu", "2"),
                        node("n").allocatable("nvidia.com/gpu", "1"), List.of("Insufficient nvidia.com/gpu")),
                argumentSet("extended resource the node lacks entirely", pod("p").request("nvidia.com/gpu", "1"), node("n"),
                        List.of("Insufficient nvidia.com/gpu")));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void fitsRequestsNextToThePodsAlreadyThere(PodBuilder pod, NodeBuilder node, List<String> reasons) {
        Status s = new NodeResourcesFit().filter(new CycleState(new Snapshot()), pod.info(), node.info());
        if (reasons.isEmpty()) {
            assertThat(s.isSuccess()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE);
            assertThat(s.reasons()).containsExactlyElementsOf(reasons);
        }
    }

    @Test
    void reportsStructuredShortfalls() {
        List<InsufficientResource> missing = NodeResourcesFit.insufficientResources(pod("p").cpu("1500m").info(),
                node("n").cpu("2").with(pod("a").cpu("1")).info());
        assertThat(missing).containsExactly(new InsufficientResource("cpu", 1500, 1000, 2000));
    }
}
