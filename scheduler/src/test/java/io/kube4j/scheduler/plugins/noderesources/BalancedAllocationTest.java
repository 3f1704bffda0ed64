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

class BalancedAllocationTest {

    static Stream<Arguments> cases() {
        return Stream.of(
                // cpu 2/4 = .5, memory 4/8 = .5: perfectly balanced
                argumentSet("equal fractions", pod("p").cpu("2").memory("4Gi"), node("n").cpu("4").memory("8Gi"), 100L),
                // cpu 3/4 = .75, memory 2/8 = .25: std .25 -> 75
                argumentSet("cpu-heavy", pod("p").cpu("3").memory("2Gi"), node("n").cpu("4").memory("8Gi"), 75L),
                // cpu 1/4=.25 (with existing 0) ... existing pod 2 cpu 0.5Gi: cpu 3/4=.75, memory 1/8=.125: std .3125 -> 68
                argumentSet("existing pods count", pod("p").cpu("1").memory("512Mi"), node("n").cpu("4").memory("8Gi").with(pod("a").cpu("2").memory("512Mi")), 68L),
                // fractions are capped at 1: cpu 8/4 -> 1, memory 8/8 = 1
                argumentSet("fractions cap at one", pod("p").cpu("8").memory("8Gi"), node("n").cpu("4").memory("8Gi"), 100L));
    }

    @ParameterizedTest
    @MethodSource("cases")
    void prefersBalancedUse(PodBuilder pod, NodeBuilder node, long expected) {
        assertThat(new BalancedAllocation().score(new CycleState(new Snapshot()), pod.info(), node.info())).isEqualTo(expected);
    }
}
