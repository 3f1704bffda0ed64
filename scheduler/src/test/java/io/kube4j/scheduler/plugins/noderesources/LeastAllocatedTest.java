package io.kube4j.scheduler.plugins.noderesources;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Snapshot;
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

class LeastAllocatedTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // (4000-1000)/4000=75, (8Gi-2Gi)/8Gi=75
                argumentSet("empty node", pod("p").cpu("1").memory("2Gi"), node("n").cpu("4").memory("8Gi"), 75L),
                // cpu (4000-3000)/4000=25, memory (8-4)/8=50 -> 37
                argumentSet("partly used node", pod("p").cpu("1").memory("2Gi"), node("n").cpu("4").memory("8Gi").with(pod("a").cpu("2").memory("2Gi")), 37L),
                // a pod with no requests counts as 100m and 200Mi: (1000-100)/1000=90, (1000Mi-200Mi)/1000Mi=80 -> 85
                argumentSet("requestless pod counts as 100m/200Mi", pod("p"), node("n").cpu("1").memory("1000Mi"), 85L),
                argumentSet("over capacity scores 0", pod("p").cpu("5").memory("9Gi"), node("n").cpu("4").memory("8Gi"), 0L),
                argumentSet("node without allocatable scores 0", pod("p").cpu("1"), node("n").cpu("0").memory("0"), 0L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void prefersEmptierNodes(PodBuilder pod, NodeBuilder node, long expected) {
        assertThat(new LeastAllocated().score(new CycleState(new Snapshot()), pod.info(), node.info())).isEqualTo(expected);
    }
}
