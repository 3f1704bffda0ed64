package io.kube4j.scheduler.core;

import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.plugins.PluginRegistry;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SchedulingAlgorithmTest {
    private final Framework framework = PluginRegistry.defaultFramework(Map.of());

    @ParameterizedTest
    @CsvSource({
            // nodes, configured percentage, expected
            "50, 0, 50",      // small clusters: all nodes
            "99, 0, 99",
            "1000, 0, 420",   // adaptive: 50 - 1000/125 = 42%
            "5000, 0, 500",   // 50 - 40 = 10%
            "10000, 0, 500",  // floor of 5%
            "1000, 100, 1000",
            "1000, 5, 100"    // never fewer than 100
    })
    void evaluatesEnoughNodesButNotAll(int nodes, int percentage, int expected) {
        assertThat(new SchedulingAlgorithm(framework, percentage, new Random(1)).numFeasibleNodesToFind(nodes)).isEqualTo(expected);
    }

    @Test
    void picksTheBestScoringNode() {
        Snapshot snapshot = Snapshot.of(List.of(
                node("busy").cpu("4").with(pod("a").cpu("3")).info(),
                node("idle").cpu("4").info(),
                node("half").cpu("4").with(pod("b").cpu("2")).info()));
        ScheduleResult r = new SchedulingAlgorithm(framework, 0, new Random(1)).schedule(pod("p").cpu("500m").info(), snapshot);
        assertThat(r.nodeName()).isEqualTo("idle");
        assertThat(r.feasibleNodes()).isEqualTo(3);
    }

    @Test
    void preferredNodeAffinityOutweighsFreeCapacity() {
        Snapshot snapshot = Snapshot.of(List.of(
                node("idle").cpu("4").info(),
                node("ssd").cpu("4").label("disk", "ssd").with(pod("b").cpu("1")).info()));
        ScheduleResult r = new SchedulingAlgorithm(framework, 0, new Random(1))
                .schedule(pod("p").preferredNodeAffinity(100, "disk", "In", "ssd").info(), snapshot);
        assertThat(r.nodeName()).isEqualTo("ssd");
    }

    @Test
    void largeClustersAreScannedInTurnsFromWhereTheLastCycleStopped() {
        List<NodeInfo> nodes = new ArrayList<>();
        for (int i = 0; i < 1000; i++) {
            nodes.add(node(String.format("n%04d", i)).info());
        }
        Snapshot snapshot = Snapshot.of(nodes);
        SchedulingAlgorithm algorithm = new SchedulingAlgorithm(framework, 10, new Random(1));
        Set<String> chosen = new HashSet<>();
        for (int i = 0; i < 10; i++) {
            ScheduleResult r = algorithm.schedule(pod("p" + i).info(), snapshot);
            assertThat(r.evaluatedNodes()).isEqualTo(100);
            chosen.add(r.nodeName());
        }
        // ten cycles of 100 nodes each cover the ring once: ten different windows, ten different nodes
        assertThat(chosen).hasSize(10);
    }

    @Test
    void unknownWeightsAreRejected() {
        assertThatThrownBy(() -> PluginRegistry.defaultFramework(Map.of("Nope", 1))).hasMessageContaining("no score plugin named Nope");
    }

    @Test
    void zeroWeightTurnsAScorerOff() {
        Framework f = PluginRegistry.defaultFramework(Map.of("NodeResourcesLeastAllocated", 0, "TaintToleration", 7));
        assertThat(f.scorers()).extracting(w -> w.plugin().name()).doesNotContain("NodeResourcesLeastAllocated");
        assertThat(f.scorers()).filteredOn(w -> w.plugin().name().equals("TaintToleration")).extracting(Framework.WeightedScorePlugin::weight).containsExactly(7);
    }
}
