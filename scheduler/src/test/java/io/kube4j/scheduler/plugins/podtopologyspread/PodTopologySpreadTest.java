package io.kube4j.scheduler.plugins.podtopologyspread;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.testing.PodBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.kube4j.scheduler.testing.NodeBuilder.node;
import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class PodTopologySpreadTest {
    private static final String ZONE = "zone";
    private static final Map<String, String> WEB = Map.of("app", "web");
    private final PodTopologySpread plugin = new PodTopologySpread();

    /** zone a: a1 (2 web), a2 (1 web); zone b: b1 (1 web); zone c: c1 (0 web, ssd); plus a node without a zone. */
    private static List<NodeInfo> cluster() {
        return List.of(
                node("a1").label(ZONE, "a").with(web("w1")).with(web("w2")).info(),
                node("a2").label(ZONE, "a").with(web("w3")).with(pod("other").label("app", "db")).info(),
                node("b1").label(ZONE, "b").with(web("w4")).with(web("w5").namespace("elsewhere")).info(),
                node("c1").label(ZONE, "c").label("disk", "ssd").info(),
                node("nozone").info());
    }

    private static PodBuilder web(String name) {
        return pod(name).label("app", "web");
    }

    static Stream<Arguments> filterCases() {
        return Stream.of(
                // zone counts: a=3, b=1, c=0 (min 0); a web pod adds itself
                argumentSet("maxSkew 1 by zone: only the emptiest zone", web("p").spread(1, ZONE, "DoNotSchedule", WEB),
                        Map.of("a1", false, "a2", false, "b1", false, "c1", true, "nozone", false)),
                argumentSet("maxSkew 2 by zone admits zone b", web("p").spread(2, ZONE, "DoNotSchedule", WEB),
                        Map.of("a1", false, "a2", false, "b1", true, "c1", true, "nozone", false)),
                argumentSet("maxSkew 4 admits every zone", web("p").spread(4, ZONE, "DoNotSchedule", WEB),
                        Map.of("a1", true, "a2", true, "b1", true, "c1", true, "nozone", false)),
                argumentSet("a pod the selector does not select does not add itself", pod("p").label("app", "db").spread(3, ZONE, "DoNotSchedule", WEB),
                        Map.of("a1", true, "a2", true, "b1", true, "c1", true, "nozone", false)),
                // zone c is excluded by node affinity, so the minimum is zone b's 1, not c's 0: b may take one more
                argumentSet("only nodes the pod may use count", web("p").requiredNodeAffinity(ZONE, "NotIn", "c").spread(1, ZONE, "DoNotSchedule", WEB),
                        Map.of("a1", false, "a2", false, "b1", true, "c1", true, "nozone", false)),
                // by hostname: a1=2, a2=1, b1=1, c1=0
                argumentSet("by hostname", web("p").spread(1, "kubernetes.io/hostname", "DoNotSchedule", WEB),
                        Map.of("a1", false, "a2", false, "b1", false, "c1", true, "nozone", true)),
                argumentSet("ScheduleAnyway never filters", web("p").spread(1, ZONE, "ScheduleAnyway", WEB),
                        Map.of("a1", true, "a2", true, "b1", true, "c1", true, "nozone", true)));
    }

    @ParameterizedTest
    @MethodSource("filterCases")
    void filtersBySkew(PodBuilder pod, Map<String, Boolean> expected) {
        List<NodeInfo> nodes = cluster();
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = pod.info();
        assertThat(plugin.preFilter(state, p, snapshot).isSuccess()).isTrue();
        for (NodeInfo n : nodes) {
            assertThat(plugin.filter(state, p, n).isSuccess()).as(n.name()).isEqualTo(expected.get(n.name()));
        }
    }

    @Test
    void nodesWithoutTheTopologyKeyAreUnresolvable() {
        List<NodeInfo> nodes = cluster();
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = web("p").spread(5, ZONE, "DoNotSchedule", WEB).info();
        plugin.preFilter(state, p, snapshot);
        Status s = plugin.filter(state, p, nodes.get(4));
        assertThat(s.code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
        assertThat(s.reasons()).containsExactly("node(s) didn't match pod topology spread constraints (missing required label)");
        assertThat(plugin.filter(state, p, nodes.get(0)).code()).isEqualTo(Status.Code.SUCCESS);
    }

    @Test
    void minDomainsTreatsMissingDomainsAsEmpty() {
        // only zones a (3) and b (1) exist among these nodes; with minDomains 3 the minimum is taken as 0
        List<NodeInfo> nodes = cluster().subList(0, 3);
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = web("p").spread(1, ZONE, "DoNotSchedule", WEB).minDomains(3).info();
        plugin.preFilter(state, p, snapshot);
        assertThat(plugin.filter(state, p, nodes.get(2)).isSuccess()).isFalse();
        PodInfo without = web("p").spread(1, ZONE, "DoNotSchedule", WEB).info();
        CycleState state2 = new CycleState(snapshot);
        plugin.preFilter(state2, without, snapshot);
        assertThat(plugin.filter(state2, without, nodes.get(2)).isSuccess()).isTrue();
    }

    @Test
    void scheduleAnywayScoresEmptierDomainsHigher() {
        List<NodeInfo> nodes = cluster();
        Snapshot snapshot = Snapshot.of(nodes);
        CycleState state = new CycleState(snapshot);
        PodInfo p = web("p").spread(1, ZONE, "ScheduleAnyway", WEB).info();
        plugin.preScore(state, p, nodes);
        long[] scores = nodes.stream().mapToLong(n -> plugin.score(state, p, n)).toArray();
        plugin.normalizeScores(state, p, scores);
        // zone a (3 pods) < zone b (1) < zone c (0) = best; no zone label scores 0
        assertThat(scores[3]).isEqualTo(100);
        assertThat(scores[2]).isGreaterThan(scores[0]).isLessThan(100);
        assertThat(scores[0]).isEqualTo(scores[1]);
        assertThat(scores[4]).isZero();
    }
}
