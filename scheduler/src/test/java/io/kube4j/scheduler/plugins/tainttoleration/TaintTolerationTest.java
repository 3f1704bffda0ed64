package io.kube4j.scheduler.plugins.tainttoleration;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
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

class TaintTolerationTest {
    private final TaintToleration plugin = new TaintToleration();

    static Stream<Arguments> filterCases() {
        NodeBuilder gpu = node("n").taint("dedicated", "gpu", "NoSchedule");
        return Stream.of(
                argumentSet("untainted node", pod("p"), node("n"), null),
                argumentSet("NoSchedule taint without toleration", pod("p"), gpu, "node(s) had untolerated taint {dedicated: gpu}"),
                argumentSet("Equal toleration with the same value", pod("p").toleration("dedicated", "Equal", "gpu", "NoSchedule"), gpu, null),
                argumentSet("Equal is the default operator", pod("p").toleration("dedicated", null, "gpu", "NoSchedule"), gpu, null),
                argumentSet("Equal toleration with another value", pod("p").toleration("dedicated", "Equal", "cpu", "NoSchedule"), gpu,
                        "node(s) had untolerated taint {dedicated: gpu}"),
                argumentSet("Exists toleration of the key", pod("p").toleration("dedicated", "Exists", null, "NoSchedule"), gpu, null),
                argumentSet("toleration with no effect tolerates every effect", pod("p").toleration("dedicated", "Exists", null, null), gpu, null),
                argumentSet("toleration of another effect", pod("p").toleration("dedicated", "Exists", null, "NoExecute"), gpu,
                        "node(s) had untolerated taint {dedicated: gpu}"),
                argumentSet("empty key Exists tolerates everything", pod("p").toleration(null, "Exists", null, null), gpu, null),
                argumentSet("NoExecute taint without toleration", pod("p"), node("n").taint("node.kubernetes.io/unreachable", null, "NoExecute"),
                        "node(s) had untolerated taint {node.kubernetes.io/unreachable: }"),
                argumentSet("NotReady node filtered through its NoSchedule taint", pod("p").toleration("node.kubernetes.io/not-ready", "Exists", null, "NoExecute"),
                        node("n").taint("node.kubernetes.io/not-ready", null, "NoSchedule"), "node(s) had untolerated taint {node.kubernetes.io/not-ready: }"),
                argumentSet("PreferNoSchedule never filters", pod("p"), node("n").taint("spot", "true", "PreferNoSchedule"), null),
                argumentSet("second taint untolerated", pod("p").toleration("dedicated", "Exists", null, null),
                        node("n").taint("dedicated", "gpu", "NoSchedule").taint("team", "ml", "NoExecute"), "node(s) had untolerated taint {team: ml}"));
    }

    @ParameterizedTest
    @MethodSource("filterCases")
    void filtersUntoleratedTaints(PodBuilder pod, NodeBuilder node, String reason) {
        Status s = plugin.filter(new CycleState(new Snapshot()), pod.info(), node.info());
        if (reason == null) {
            assertThat(s.isSuccess()).isTrue();
        } else {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly(reason);
        }
    }

    @Test
    void preferNoScheduleTaintsScoreLowerTheMoreAreUntolerated() {
        PodInfo p = pod("p").toleration("tolerated", "Exists", null, "PreferNoSchedule").info();
        List<NodeInfo> nodes = List.of(
                node("clean").info(),
                node("one").taint("spot", "true", "PreferNoSchedule").info(),
                node("two").taint("spot", "true", "PreferNoSchedule").taint("old", "true", "PreferNoSchedule").info(),
                node("tolerated").taint("tolerated", "x", "PreferNoSchedule").info());
        CycleState state = new CycleState(Snapshot.of(nodes));
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, p, n)).toArray();
        assertThat(scores).containsExactly(0, 1, 2, 0);
        plugin.normalizeScores(state, p, scores);
        assertThat(scores).containsExactly(100, 50, 0, 100);
    }
}
