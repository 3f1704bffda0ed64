package io.kube4j.scheduler.plugins.nodeaffinity;

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

class NodeAffinityTest {
    private final NodeAffinity plugin = new NodeAffinity();

    static Stream<Arguments> filterCases() {
        NodeBuilder zoneA = node("n1").label("zone", "a").label("gen", "5");
        return Stream.of(
                argumentSet("no constraints", pod("p"), zoneA, true),
                argumentSet("nodeSelector matches", pod("p").nodeSelector("zone", "a"), zoneA, true),
                argumentSet("nodeSelector value differs", pod("p").nodeSelector("zone", "b"), zoneA, false),
                argumentSet("nodeSelector key missing", pod("p").nodeSelector("disk", "ssd"), zoneA, false),
                argumentSet("In matches", pod("p").requiredNodeAffinity("zone", "In", "a", "b"), zoneA, true),
                argumentSet("In does not match", pod("p").requiredNodeAffinity("zone", "In", "b", "c"), zoneA, false),
                argumentSet("NotIn excludes", pod("p").requiredNodeAffinity("zone", "NotIn", "a"), zoneA, false),
                argumentSet("NotIn admits other values", pod("p").requiredNodeAffinity("zone", "NotIn", "b"), zoneA, true),
                argumentSet("NotIn admits a missing label", pod("p").requiredNodeAffinity("disk", "NotIn", "hdd"), zoneA, true),
                argumentSet("Exists", pod("p").requiredNodeAffinity("zone", "Exists"), zoneA, true),
                argumentSet("Exists on a missing label", pod("p").requiredNodeAffinity("disk", "Exists"), zoneA, false),
                argumentSet("DoesNotExist", pod("p").requiredNodeAffinity("disk", "DoesNotExist"), zoneA, true),
                argumentSet("DoesNotExist on a present label", pod("p").requiredNodeAffinity("zone", "DoesNotExist"), zoneA, false),
                argumentSet("Gt greater", pod("p").requiredNodeAffinity("gen", "Gt", "4"), zoneA, true),
                argumentSet("Gt equal", pod("p").requiredNodeAffinity("gen", "Gt", "5"), zoneA, false),
                argumentSet("Lt smaller", pod("p").requiredNodeAffinity("gen", "Lt", "6"), zoneA, true),
                argumentSet("Lt on a non-number label", pod("p").requiredNodeAffinity("zone", "Lt", "6"), zoneA, false),
                argumentSet("terms are OR'ed", pod("p").requiredNodeAffinity("zone", "In", "b").requiredNodeAffinity("gen", "In", "5"), zoneA, true),
                argumentSet("nodeSelector AND affinity", pod("p").nodeSelector("zone", "b").requiredNodeAffinity("gen", "In", "5"), zoneA, false),
                argumentSet("matchFields on the node name", pod("p").requiredNodeName("n1"), zoneA, true),
                argumentSet("matchFields on another name", pod("p").requiredNodeName("n2"), zoneA, false));
    }

    @ParameterizedTest
    @MethodSource("filterCases")
    void filtersByNodeSelectorAndRequiredAffinity(PodBuilder pod, NodeBuilder node, boolean fits) {
        Status s = plugin.filter(new CycleState(new Snapshot()), pod.info(), node.info());
        assertThat(s.isSuccess()).isEqualTo(fits);
        if (!fits) {
            assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
            assertThat(s.reasons()).containsExactly("node(s) didn't match Pod's node affinity/selector");
        }
    }

    @Test
    void malformedAffinityMakesThePodInvalidInsteadOfThrowing() {
        PodInfo info = pod("p").requiredNodeAffinity("gen", "Gt", "five").info();
        assertThat(info.invalidReason()).contains("integer");
    }

    @Test
    void preferredTermsScoreByMatchingWeightNormalizedToTheBest() {
        PodInfo p = pod("p").preferredNodeAffinity(80, "zone", "In", "a").preferredNodeAffinity(20, "disk", "Exists").info();
        List<NodeInfo> nodes = List.of(
                node("both").label("zone", "a").label("disk", "ssd").info(),
                node("zone").label("zone", "a").info(),
                node("disk").label("disk", "hdd").info(),
                node("none").info());
        CycleState state = new CycleState(Snapshot.of(nodes));
        plugin.preScore(state, p, nodes);
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, p, n)).toArray();
        assertThat(scores).containsExactly(100, 80, 20, 0);
        plugin.normalizeScores(state, p, scores);
        assertThat(scores).containsExactly(100, 80, 20, 0);
    }

    @Test
    void withoutPreferencesEveryNodeScoresZero() {
        PodInfo p = pod("p").info();
        List<NodeInfo> nodes = List.of(node("a").info(), node("b").info());
        CycleState state = new CycleState(Snapshot.of(nodes));
        plugin.preScore(state, p, nodes);
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, p, n)).toArray();
        plugin.normalizeScores(state, p, scores);
        assertThat(scores).containsExactly(0, 0);
    }
}
