package io.kube4j.scheduler.plugins.defaultpreemption;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.client.ApiException;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Diagnosis;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.PodNominator;
import io.kube4j.scheduler.framework.PostFilterResult;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.kube4j.scheduler.queue.Nominator;
import io.kube4j.scheduler.testing.NodeBuilder;
import io.kube4j.scheduler.testing.PodBuilder;
import io.kube4j.scheduler.testing.RecordingPreemptionApi;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import java.time.Instant;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.function.Supplier;
import java.util.stream.Stream;

import static io.kube4j.scheduler.plugins.defaultpreemption.PreemptionFixture.*;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * DefaultPreemption with the cases and expectations of Kubernetes' {@code default_preemption_test.go}
 * ({@code TestPostFilter}, {@code TestDryRunPreemption}, {@code TestSelectBestCandidate},
 * {@code TestPodEligibleToPreemptOthers}, {@code TestPreempt}), translated to kube4j's plugins. Where
 * Kubernetes draws a random offset from a seeded Go generator, the offset its comments name is passed.
 */
class DefaultPreemptionTest {

    private static List<Node> nodes(NodeBuilder... nodes) {
        return Arrays.stream(nodes).map(NodeBuilder::build).toList();
    }

    private static List<Pod> pods(PodBuilder... pods) {
        return Arrays.stream(pods).map(PodBuilder::build).toList();
    }

    private static DefaultPreemption plugin(List<PodDisruptionBudget> pdbs, PreemptionApi api, int percentage, int absolute) {
        return new DefaultPreemption(null, () -> pdbs, api, new Random(0), percentage, absolute, PreemptionMetrics.NONE);
    }

    private static CycleState preFiltered(Framework fw, PodInfo pod, Snapshot snapshot) {
        CycleState state = new CycleState(snapshot);
        assertThat(fw.runPreFilters(state, pod, snapshot).isSuccess()).as("PreFilter").isTrue();
        return state;
    }

    // ---- TestDryRunPreemption ----

    /** A dry-run case: the filter plugins besides the counting FakeFilter, and what Kubernetes expects. */
    record DryRun(List<String> nodeNames, Supplier<List<Plugin>> plugins, Status.Code fakeFilterCode, PodBuilder pod, List<PodBuilder> initPods,
                  List<PodDisruptionBudget> pdbs, int percentage, int absolute, int offset,
                  Map<String, List<String>> expected, Map<String, Integer> expectedViolations, int expectedNumFilterCalled) {
    }

    private static DryRun dryRun(List<String> nodeNames, Supplier<List<Plugin>> plugins, PodBuilder pod, List<PodBuilder> initPods,
                                 Map<String, List<String>> expected, int filterCalls) {
        return new DryRun(nodeNames, plugins, null, pod, initPods, List.of(), 10, 100, 0, expected, Map.of(), filterCalls);
    }

    private static Supplier<List<Plugin>> fit() {
        return () -> List.of(new NodeResourcesFit());
    }

    static Stream<Arguments> dryRunCases() {
        List<String> twoNodes = List.of("node1", "node2");
        List<String> fiveNodes = List.of("node1", "node2", "node3", "node4", "node5");
        PodBuilder[] fiveMid = {
                large(p("p1", MID).nodeName("node1")), large(p("p2", MID).nodeName("node2")), large(p("p3", MID).nodeName("node3")),
                large(p("p4", MID).nodeName("node4")), large(p("p5", MID).nodeName("node5"))};
        return Stream.of(
                Arguments.of("a pod that does not fit on any node", dryRun(twoNodes, () -> List.of(new FalseFilter()), p("p", HIGH),
                        List.of(p("p1", MID).nodeName("node1"), p("p2", MID).nodeName("node2")), Map.of(), 2)),
                Arguments.of("a pod that fits with no preemption", new DryRun(twoNodes, List::of, Status.Code.UNSCHEDULABLE, p("p", HIGH),
                        List.of(p("p1", MID).nodeName("node1"), p("p2", MID).nodeName("node2")), List.of(), 10, 100, 0, Map.of(), Map.of(), 2)),
                Arguments.of("a pod that fits on both nodes when lower priority pods are preempted", dryRun(twoNodes, fit(), large(p("p", HIGH)),
                        List.of(large(p("p1", MID).nodeName("node1")), large(p("p2", MID).nodeName("node2"))),
                        Map.of("node1", List.of("p1"), "node2", List.of("p2")), 4)),
                Arguments.of("a pod that would fit on the nodes, but other pods running are higher priority, no preemption would happen",
                        dryRun(twoNodes, fit(), large(p("p", LOW)),
                                List.of(large(p("p1", MID).nodeName("node1")), large(p("p2", MID).nodeName("node2"))), Map.of(), 0)),
                Arguments.of("medium priority pod is preempted, but lower priority one stays as it is small", dryRun(twoNodes, fit(), large(p("p", HIGH)),
                        List.of(small(p("p1.1", LOW).nodeName("node1")), large(p("p1.2", MID).nodeName("node1")), large(p("p2", MID).nodeName("node2"))),
                        Map.of("node1", List.of("p1.2"), "node2", List.of("p2")), 5)),
                Arguments.of("mixed priority pods are preempted", dryRun(twoNodes, fit(), large(p("p", HIGH)),
                        List.of(small(p("p1.1", MID).nodeName("node1")), small(p("p1.2", LOW).nodeName("node1")), medium(p("p1.3", MID).nodeName("node1")),
                                small(p("p1.4", HIGH).nodeName("node1")), large(p("p2", HIGH).nodeName("node2"))),
                        Map.of("node1", List.of("p1.2", "p1.3")), 4)),
                Arguments.of("mixed priority pods are preempted, pick later StartTime one when priorities are equal", dryRun(twoNodes, fit(), large(p("p", HIGH)),
                        List.of(small(p("p1.1", LOW).nodeName("node1")).startTime(epoch(5)), small(p("p1.2", LOW).nodeName("node1")).startTime(epoch(4)),
                                medium(p("p1.3", MID).nodeName("node1")).startTime(epoch(3)), small(p("p1.4", HIGH).nodeName("node1")).startTime(epoch(2)),
                                large(p("p2", HIGH).nodeName("node2")).startTime(epoch(1))),
                        Map.of("node1", List.of("p1.1", "p1.3")), 4)),
                Arguments.of("pod with anti-affinity is preempted", dryRun(List.of("node1", "node2"), () -> List.of(new NodeResourcesFit(), new InterPodAffinity()),
                        small(p("p", HIGH).label("foo", "")),
                        List.of(small(p("p1.1", LOW).nodeName("node1").label("foo", "")).podAntiAffinity("hostname", Map.of("foo", "")),
                                small(p("p1.2", MID).nodeName("node1")), small(p("p1.3", HIGH).nodeName("node1")), small(p("p2", HIGH).nodeName("node2"))),
                        Map.of("node1", List.of("p1.1")), 3)),
                Arguments.of("preemption to resolve pod topology spread filter failure", dryRun(List.of("node-a/zone1", "node-b/zone1", "node-x/zone2"),
                        () -> List.of(new PodTopologySpread()),
                        p("p", HIGH).label("foo", "").spread(1, "zone", "DoNotSchedule", Map.of("foo", "")).spread(1, "hostname", "DoNotSchedule", Map.of("foo", "")),
                        List.of(p("pod-a1", MID).nodeName("node-a").label("foo", ""), p("pod-a2", LOW).nodeName("node-a").label("foo", ""),
                                p("pod-b1", LOW).nodeName("node-b").label("foo", ""), p("pod-x1", HIGH).nodeName("node-x").label("foo", ""),
                                p("pod-x2", HIGH).nodeName("node-x").label("foo", "")),
                        Map.of("node-a", List.of("pod-a2"), "node-b", List.of("pod-b1")), 5)),
                Arguments.of("get Unschedulable in the preemption phase when the filter plugins filtering the nodes",
                        new DryRun(twoNodes, fit(), Status.Code.UNSCHEDULABLE, large(p("p", HIGH)),
                                List.of(large(p("p1", MID).nodeName("node1")), large(p("p2", MID).nodeName("node2"))), List.of(), 10, 100, 0, Map.of(), Map.of(), 2)),
                Arguments.of("preemption with violation of same pdb", new DryRun(List.of("node1"), fit(), null, veryLarge(p("p", HIGH)),
                        List.of(medium(p("p1.1", MID).nodeName("node1").label("app", "foo")), medium(p("p1.2", MID).nodeName("node1").label("app", "foo"))),
                        List.of(pdb(Map.of("app", "foo"), 1)), 10, 100, 0,
                        Map.of("node1", List.of("p1.1", "p1.2")), Map.of("node1", 1), 3)),
                Arguments.of("preemption with violation of the pdb with pod whose eviction was processed, the victim doesn't belong to DisruptedPods",
                        new DryRun(List.of("node1"), fit(), null, veryLarge(p("p", HIGH)),
                                List.of(medium(p("p1.1", MID).nodeName("node1").label("app", "foo")), medium(p("p1.2", MID).nodeName("node1").label("app", "foo"))),
                                List.of(pdb(Map.of("app", "foo"), 1, "p2")), 10, 100, 0,
                                Map.of("node1", List.of("p1.1", "p1.2")), Map.of("node1", 1), 3)),
                Arguments.of("preemption with violation of the pdb with pod whose eviction was processed, the victim belongs to DisruptedPods",
                        new DryRun(List.of("node1"), fit(), null, veryLarge(p("p", HIGH)),
                                List.of(medium(p("p1.1", MID).nodeName("node1").label("app", "foo")), medium(p("p1.2", MID).nodeName("node1").label("app", "foo"))),
                                List.of(pdb(Map.of("app", "foo"), 1, "p1.2")), 10, 100, 0,
                                Map.of("node1", List.of("p1.1", "p1.2")), Map.of("node1", 0), 3)),
                Arguments.of("preemption with violation of the pdb with pod whose eviction was processed, the victim which belongs to DisruptedPods is treated as 'nonViolating'",
                        new DryRun(List.of("node1"), fit(), null, veryLarge(p("p", HIGH)),
                                List.of(medium(p("p1.1", MID).nodeName("node1").label("app", "foo")), medium(p("p1.2", MID).nodeName("node1").label("app", "foo")),
                                        medium(p("p1.3", MID).nodeName("node1").label("app", "foo"))),
                                List.of(pdb(Map.of("app", "foo"), 1, "p1.3")), 10, 100, 0,
                                Map.of("node1", List.of("p1.1", "p1.2", "p1.3")), Map.of("node1", 1), 4)),
                // cycle=0 => offset=4 => node5 (yes), node1 (yes)
                Arguments.of("all nodes are possible candidates, but DefaultPreemptionArgs limits to 2", new DryRun(fiveNodes, fit(), null, large(p("p", HIGH)),
                        List.of(fiveMid), List.of(), 40, 1, 4, Map.of("node1", List.of("p1"), "node5", List.of("p5")), Map.of(), 4)),
                // offset=4 => node5 (no), node1 (yes), node2 (no), node3 (yes)
                Arguments.of("some nodes are not possible candidates, DefaultPreemptionArgs limits to 2", new DryRun(fiveNodes, fit(), null, large(p("p", HIGH)),
                        List.of(large(p("p1", MID).nodeName("node1")), large(p("p2", VERY_HIGH).nodeName("node2")), large(p("p3", MID).nodeName("node3")),
                                large(p("p4", MID).nodeName("node4")), large(p("p5", VERY_HIGH).nodeName("node5"))),
                        List.of(), 40, 1, 4, Map.of("node1", List.of("p1"), "node3", List.of("p3")), Map.of(), 4)),
                // Kubernetes' second cycle of "preemption offset across multiple scheduling cycles and wrap around": offset=1 => node2, node3
                Arguments.of("preemption offset wraps around the node list", new DryRun(fiveNodes, fit(), null, large(p("tp2", HIGH)),
                        List.of(fiveMid), List.of(), 40, 1, 1, Map.of("node2", List.of("p2"), "node3", List.of("p3")), Map.of(), 4)),
                // offset=4 => node5 (yes, pdb), node1 (yes, pdb), node2 (no, pdb: a third violating candidate is not kept), node3 (yes)
                Arguments.of("preemption looks past numCandidates until a non-PDB violating node is found", new DryRun(fiveNodes, fit(), null, large(p("p", HIGH)),
                        List.of(large(p("p1", MID).nodeName("node1").label("app", "foo")), large(p("p2", MID).nodeName("node2").label("app", "foo")),
                                large(p("p3", MID).nodeName("node3")), large(p("p4", MID).nodeName("node4")),
                                large(p("p5", MID).nodeName("node5").label("app", "foo"))),
                        List.of(pdb(Map.of("app", "foo"), 0)), 40, 2, 4,
                        Map.of("node1", List.of("p1"), "node3", List.of("p3"), "node5", List.of("p5")), Map.of("node1", 1, "node5", 1), 8)));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("dryRunCases")
    void dryRunPreemption(String name, DryRun c) {
        FakeFilter fake = new FakeFilter(c.fakeFilterCode());
        List<Plugin> plugins = new ArrayList<>();
        plugins.add(fake);
        plugins.addAll(c.plugins().get());
        Framework fw = framework(PodNominator.NONE, plugins.toArray(Plugin[]::new));
        Snapshot snapshot = snapshot(c.nodeNames().stream().map(n -> labelledNode(n).build()).toList(),
                c.initPods().stream().map(PodBuilder::build).toList());
        PodInfo pod = c.pod().info();
        CycleState state = preFiltered(fw, pod, snapshot);
        DefaultPreemption pl = plugin(c.pdbs(), new RecordingPreemptionApi(), c.percentage(), c.absolute());

        DefaultPreemption.DryRunResult got = pl.dryRunPreemption(fw, state, pod, snapshot.nodes(), c.pdbs(), c.offset(),
                pl.calculateNumCandidates(snapshot.nodes().size()));

        Map<String, List<String>> victims = new HashMap<>();
        Map<String, Integer> violations = new HashMap<>();
        for (Candidate cand : got.candidates()) {
            victims.put(cand.nodeName(), cand.victims().stream().map(v -> v.pod().metadata.name).sorted().toList());
            violations.put(cand.nodeName(), cand.numPDBViolations());
        }
        assertThat(victims).isEqualTo(c.expected());
        for (String node : c.expected().keySet()) {
            assertThat(violations.get(node)).as("PDB violations on " + node).isEqualTo(c.expectedViolations().getOrDefault(node, 0));
        }
        assertThat(fake.numFilterCalled).as("NumFilterCalled").isEqualTo(c.expectedNumFilterCalled());
        assertThat(got.errors()).isEmpty();
    }

    // ---- TestSelectBestCandidate ----

    static Stream<Arguments> selectBestCandidateCases() {
        List<String> three = List.of("node1", "node2", "node3");
        return Stream.of(
                Arguments.of("a pod that fits on both nodes when lower priority pods are preempted", List.of("node1", "node2"), large(p("p", HIGH)),
                        List.of(large(p("p1", MID).nodeName("node1")).startTime(epoch(0)), large(p("p2", MID).nodeName("node2")).startTime(epoch(0))),
                        List.of("node1", "node2")),
                Arguments.of("node with min highest priority pod is picked", three, veryLarge(p("p", HIGH)),
                        List.of(medium(p("p1.1", MID).nodeName("node1")), large(p("p1.2", MID).nodeName("node1")),
                                medium(p("p2.1", MID).nodeName("node2")), medium(p("p2.2", LOW).nodeName("node2")),
                                medium(p("p3.1", LOW).nodeName("node3")), medium(p("p3.2", LOW).nodeName("node3"))),
                        List.of("node3")),
                Arguments.of("when highest priorities are the same, minimum sum of priorities is picked", three, veryLarge(p("p", HIGH)),
                        List.of(medium(p("p1.1", MID).nodeName("node1")), large(p("p1.2", MID).nodeName("node1")),
                                large(p("p2.1", MID).nodeName("node2")), medium(p("p2.2", LOW).nodeName("node2")),
                                medium(p("p3.1", MID).nodeName("node3")), medium(p("p3.2", MID).nodeName("node3"))),
                        List.of("node2")),
                Arguments.of("when highest priority and sum are the same, minimum number of pods is picked", three, veryLarge(p("p", HIGH)),
                        List.of(small(p("p1.1", MID).nodeName("node1")), small(p("p1.2", NEG).nodeName("node1")),
                                small(p("p1.3", MID).nodeName("node1")), small(p("p1.4", NEG).nodeName("node1")),
                                large(p("p2.1", MID).nodeName("node2")), medium(p("p2.2", NEG).nodeName("node2")),
                                medium(p("p3.1", MID).nodeName("node3")), small(p("p3.2", NEG).nodeName("node3")), small(p("p3.3", LOW).nodeName("node3"))),
                        List.of("node2")),
                Arguments.of("sum of adjusted priorities is considered", three, veryLarge(p("p", HIGH)),
                        List.of(small(p("p1.1", MID).nodeName("node1")), small(p("p1.2", NEG).nodeName("node1")), small(p("p1.3", NEG).nodeName("node1")),
                                large(p("p2.1", MID).nodeName("node2")), medium(p("p2.2", NEG).nodeName("node2")),
                                medium(p("p3.1", MID).nodeName("node3")), small(p("p3.2", NEG).nodeName("node3")), small(p("p3.3", LOW).nodeName("node3"))),
                        List.of("node2")),
                Arguments.of("non-overlapping lowest high priority, sum priorities, and number of pods", List.of("node1", "node2", "node3", "node4"),
                        veryLarge(p("p", VERY_HIGH)),
                        List.of(small(p("p1.1", MID).nodeName("node1")), small(p("p1.2", LOW).nodeName("node1")), small(p("p1.3", LOW).nodeName("node1")),
                                large(p("p2.1", HIGH).nodeName("node2")),
                                medium(p("p3.1", MID).nodeName("node3")), small(p("p3.2", LOW).nodeName("node3")), small(p("p3.3", LOW).nodeName("node3")),
                                medium(p("p3.4", LOW).nodeName("node3")),
                                medium(p("p4.1", MID).nodeName("node4")), small(p("p4.2", MID).nodeName("node4")), small(p("p4.3", MID).nodeName("node4")),
                                small(p("p4.4", NEG).nodeName("node4"))),
                        List.of("node1")),
                Arguments.of("same priority, same number of victims, different start time for each node's pod", three, veryLarge(p("p", HIGH)),
                        List.of(medium(p("p1.1", MID).nodeName("node1")).startTime(epoch(2)), medium(p("p1.2", MID).nodeName("node1")).startTime(epoch(2)),
                                medium(p("p2.1", MID).nodeName("node2")).startTime(epoch(3)), medium(p("p2.2", MID).nodeName("node2")).startTime(epoch(3)),
                                medium(p("p3.1", MID).nodeName("node3")).startTime(epoch(1)), medium(p("p3.2", MID).nodeName("node3")).startTime(epoch(1))),
                        List.of("node2")),
                Arguments.of("same priority, same number of victims, different start time for all pods", three, veryLarge(p("p", HIGH)),
                        List.of(medium(p("p1.1", MID).nodeName("node1")).startTime(epoch(4)), medium(p("p1.2", MID).nodeName("node1")).startTime(epoch(2)),
                                medium(p("p2.1", MID).nodeName("node2")).startTime(epoch(5)), medium(p("p2.2", MID).nodeName("node2")).startTime(epoch(1)),
                                medium(p("p3.1", MID).nodeName("node3")).startTime(epoch(3)), medium(p("p3.2", MID).nodeName("node3")).startTime(epoch(6))),
                        List.of("node3")),
                Arguments.of("different priority, same number of victims, different start time for all pods", three, veryLarge(p("p", HIGH)),
                        List.of(medium(p("p1.1", LOW).nodeName("node1")).startTime(epoch(4)), medium(p("p1.2", MID).nodeName("node1")).startTime(epoch(2)),
                                medium(p("p2.1", MID).nodeName("node2")).startTime(epoch(6)), medium(p("p2.2", LOW).nodeName("node2")).startTime(epoch(1)),
                                medium(p("p3.1", LOW).nodeName("node3")).startTime(epoch(3)), medium(p("p3.2", MID).nodeName("node3")).startTime(epoch(5))),
                        List.of("node2")));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("selectBestCandidateCases")
    void selectBestCandidate(String name, List<String> nodeNames, PodBuilder preemptor, List<PodBuilder> pods, List<String> expectedAnyOf) {
        Framework fw = framework(PodNominator.NONE, new NodeResourcesFit());
        Snapshot snapshot = snapshot(nodeNames.stream().map(n -> veryLargeNode(n).build()).toList(), pods.stream().map(PodBuilder::build).toList());
        PodInfo pod = preemptor.info();
        CycleState state = preFiltered(fw, pod, snapshot);
        DefaultPreemption pl = plugin(List.of(), new RecordingPreemptionApi(), 10, 100);
        // every node is tried (fewer than 100), so the offset only orders the candidates
        for (int offset = 0; offset < nodeNames.size(); offset++) {
            DefaultPreemption.DryRunResult dry = pl.dryRunPreemption(fw, state, pod, snapshot.nodes(), List.of(), offset, pl.calculateNumCandidates(nodeNames.size()));
            assertThat(dry.candidates()).isNotEmpty();
            Candidate best = DefaultPreemption.selectCandidate(dry.candidates());
            assertThat(best.nodeName()).as("offset " + offset).isIn(expectedAnyOf);
        }
    }

    @Test
    void pickOneNodeForPreemptionAppliesTheCriteriaInOrder() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        PodInfo low = p("low", LOW).startTime(epoch(1)).info();
        PodInfo mid = p("mid", MID).startTime(epoch(1)).info();
        PodInfo midLate = p("mid-late", MID).startTime(epoch(9)).info();
        PodInfo neg = p("neg", NEG).startTime(epoch(1)).info();
        // 1. fewest PDB violations beats everything else
        assertThat(DefaultPreemption.pickOneNodeForPreemption(List.of(
                new Candidate("a", List.of(low), 1), new Candidate("b", List.of(mid, mid), 0)), now).nodeName()).isEqualTo("b");
        // 2. the lowest most important victim
        assertThat(DefaultPreemption.pickOneNodeForPreemption(List.of(
                new Candidate("a", List.of(mid), 0), new Candidate("b", List.of(low, low, low), 0)), now).nodeName()).isEqualTo("b");
        // 3. the smallest sum, priorities shifted by 2^31: two pods of -100 weigh more than one
        assertThat(DefaultPreemption.pickOneNodeForPreemption(List.of(
                new Candidate("a", List.of(mid, neg, neg), 0), new Candidate("b", List.of(mid, neg), 0)), now).nodeName()).isEqualTo("b");
        // 5. (4, fewest victims, ties here as the shifted sums do) the latest start of the most important victims
        assertThat(DefaultPreemption.pickOneNodeForPreemption(List.of(
                new Candidate("a", List.of(mid, low), 0), new Candidate("b", List.of(mid, low), 0), new Candidate("c", List.of(midLate, low), 0)), now).nodeName())
                .isEqualTo("c");
        // 6. all tied: the first
        assertThat(DefaultPreemption.pickOneNodeForPreemption(List.of(
                new Candidate("a", List.of(mid), 0), new Candidate("b", List.of(mid), 0)), now).nodeName()).isEqualTo("a");
    }

    // ---- TestPostFilter ----

    record PostFilterCase(PodBuilder pod, List<PodBuilder> pods, List<NodeBuilder> nodes, Map<String, Status> statuses,
                          List<PodDisruptionBudget> pdbs, boolean withTestPlugin, PostFilterResult want) {
    }

    private static Map<String, Status> unschedulable(String... nodes) {
        Map<String, Status> m = new HashMap<>();
        for (String n : nodes) {
            m.put(n, Status.unschedulable());
        }
        return m;
    }

    static Stream<Arguments> postFilterCases() {
        String low = "preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.";
        return Stream.of(
                Arguments.of("pod with higher priority can be made schedulable", new PostFilterCase(p("p", HIGH),
                        List.of(p("p1", 0).nodeName("node1")), List.of(onePodNode("node1")), unschedulable("node1"), List.of(), false,
                        PostFilterResult.nominated("node1"))),
                Arguments.of("pod with tied priority is still unschedulable", new PostFilterCase(p("p", 0),
                        List.of(p("p1", 0).nodeName("node1")), List.of(onePodNode("node1")), unschedulable("node1"), List.of(), false,
                        new PostFilterResult(Status.unschedulable(low), NominatingInfo.override("")))),
                Arguments.of("preemption should respect filteredNodesStatuses", new PostFilterCase(p("p", HIGH),
                        List.of(p("p1", 0).nodeName("node1")), List.of(onePodNode("node1")), Map.of("node1", Status.unresolvable()), List.of(), false,
                        new PostFilterResult(Status.unschedulable("preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."),
                                NominatingInfo.override("")))),
                Arguments.of("preemption should respect absent NodeToStatusReader entry meaning UnschedulableAndUnresolvable", new PostFilterCase(p("p", HIGH),
                        List.of(p("p1", 0).nodeName("node1")), List.of(onePodNode("node1")), Map.of(), List.of(), false,
                        new PostFilterResult(Status.unschedulable("preemption: 0/1 nodes are available: 1 Preemption is not helpful for scheduling."),
                                NominatingInfo.override("")))),
                Arguments.of("pod can be made schedulable on one node", new PostFilterCase(p("p", MID),
                        List.of(p("p1", HIGH).nodeName("node1"), p("p2", LOW).nodeName("node2")), List.of(onePodNode("node1"), onePodNode("node2")),
                        unschedulable("node1", "node2"), List.of(), false, PostFilterResult.nominated("node2"))),
                Arguments.of("pod can be made schedulable on minHighestPriority node", new PostFilterCase(p("p", VERY_HIGH),
                        List.of(p("p1", HIGH).nodeName("node1").label("is-violating-pdb", "non-violating"),
                                p("p2", LOW).nodeName("node1").label("is-violating-pdb", "violating"),
                                p("p3", MID).nodeName("node2").label("is-violating-pdb", "violating")),
                        List.of(onePodNode("node1"), onePodNode("node2")), unschedulable("node1", "node2"),
                        List.of(pdb(Map.of("is-violating-pdb", "violating"), 0), pdb(Map.of("is-violating-pdb", "non-violating"), Integer.MAX_VALUE)),
                        false, PostFilterResult.nominated("node2"))),
                Arguments.of("no candidate nodes found, no enough resource after removing low priority pods", new PostFilterCase(large(p("p", HIGH)),
                        List.of(p("p1", 0).nodeName("node1"), p("p2", 0).nodeName("node2")), List.of(smallNode("node1"), smallNode("node2")),
                        unschedulable("node1", "node2"), List.of(), false,
                        new PostFilterResult(Status.unschedulable("preemption: 0/2 nodes are available: 2 Insufficient cpu."), NominatingInfo.override("")))),
                Arguments.of("no candidate nodes found with mixed reasons, no lower priority pod and no enough CPU resource", new PostFilterCase(large(p("p", HIGH)),
                        List.of(p("p1", HIGH).nodeName("node1"), p("p2", 0).nodeName("node2"), p("p3", HIGH).nodeName("node3")),
                        List.of(onePodNode("node1"), smallNode("node2"), onePodNode("node3")), unschedulable("node1", "node2", "node3"), List.of(), false,
                        new PostFilterResult(Status.unschedulable("preemption: 0/3 nodes are available: 1 Insufficient cpu, 2 No preemption victims found for incoming pod."),
                                NominatingInfo.override("")))),
                Arguments.of("no candidate nodes found with mixed reason, 2 UnschedulableAndUnresolvable nodes and 2 nodes don't have enough CPU resource",
                        new PostFilterCase(large(p("p", HIGH)), List.of(p("p1", 0).nodeName("node1"), p("p2", 0).nodeName("node2")),
                                List.of(smallNode("node1"), smallNode("node2"), smallNode("node3"), smallNode("node4")),
                                Map.of("node1", Status.unschedulable(), "node2", Status.unschedulable(), "node4", Status.unresolvable()), List.of(), false,
                                new PostFilterResult(Status.unschedulable("preemption: 0/4 nodes are available: 2 Insufficient cpu, 2 Preemption is not helpful for scheduling."),
                                        NominatingInfo.override("")))),
                Arguments.of("only one node but failed with TestPlugin", new PostFilterCase(large(p("p", HIGH)),
                        List.of(p("p1", 0).nodeName("node1")), List.of(veryLargeNode("node1").cpu("300m").memory("300").label("error", "true")),
                        unschedulable("node1"), List.of(), true,
                        new PostFilterResult(Status.error("preemption: running RemovePod on PreFilter plugin \"test-plugin\": failed to remove pod: p"), null))),
                Arguments.of("one failed with TestPlugin and the other pass", new PostFilterCase(large(p("p", HIGH)),
                        List.of(p("p1", 0).nodeName("node1"), medium(p("p2", 0).nodeName("node2"))),
                        List.of(veryLargeNode("node1").cpu("300m").memory("300").label("error", "true"), veryLargeNode("node2").cpu("300m").memory("300")),
                        unschedulable("node1", "node2"), List.of(), true, PostFilterResult.nominated("node2"))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("postFilterCases")
    void postFilter(String name, PostFilterCase c) {
        Framework fw = c.withTestPlugin() ? framework(PodNominator.NONE, new NodeResourcesFit(), new ErrorOnLabelledNodes())
                : framework(PodNominator.NONE, new NodeResourcesFit());
        List<Node> nodes = c.nodes().stream().map(NodeBuilder::build).toList();
        Snapshot snapshot = snapshot(nodes, c.pods().stream().map(PodBuilder::build).toList());
        PodInfo pod = c.pod().info();
        CycleState state = preFiltered(fw, pod, snapshot);
        Diagnosis diagnosis = new Diagnosis(nodes.size());
        c.statuses().forEach(diagnosis::add);
        RecordingPreemptionApi api = new RecordingPreemptionApi();

        PostFilterResult got = plugin(c.pdbs(), api, 10, 100).postFilter(fw, state, pod, diagnosis);

        assertThat(got.status().code()).isEqualTo(c.want().status().code());
        assertThat(got.status().reasons()).isEqualTo(c.want().status().reasons());
        assertThat(got.nominating()).isEqualTo(c.want().nominating());
        if (got.status().isSuccess()) {
            assertThat(api.actions()).isNotEmpty().allSatisfy(a -> assertThat(a).endsWith(" on " + got.nominating().nominatedNodeName() + " for default/p"));
        } else {
            assertThat(api.actions()).isEmpty();
        }
    }

    // ---- TestPodEligibleToPreemptOthers ----

    static Stream<Arguments> eligibleCases() {
        return Stream.of(
                Arguments.of("Pod with nominated node", p("p_with_nominated_node", HIGH).nominatedNodeName("node1"),
                        List.of(p("p1", LOW).nodeName("node1").terminating()), Status.unresolvable("node(s) had untolerated taint {foo: bar}"), true),
                Arguments.of("Pod without nominated node", p("p_without_nominated_node", HIGH), List.of(), null, true),
                Arguments.of("Pod with 'PreemptNever' preemption policy", p("p_with_preempt_never_policy", HIGH).preemptionPolicy("Never"), List.of(), null, false),
                Arguments.of("preemption victim pod terminating, as indicated by the dedicated DisruptionTarget condition",
                        p("p_with_nominated_node", HIGH).nominatedNodeName("node1"),
                        List.of(p("p1", LOW).nodeName("node1").terminating().condition("DisruptionTarget", "True", "PreemptionByScheduler")), null, false),
                Arguments.of("non-victim Pods terminating", p("p_with_nominated_node", HIGH).nominatedNodeName("node1"),
                        List.of(p("p1", LOW).nodeName("node1").terminating()), null, true));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("eligibleCases")
    void podEligibleToPreemptOthers(String name, PodBuilder pod, List<PodBuilder> pods, Status nominatedNodeStatus, boolean expected) {
        Snapshot snapshot = snapshot(List.of(NodeBuilder.node("node1").build()), pods.stream().map(PodBuilder::build).toList());
        String reason = DefaultPreemption.podEligibleToPreemptOthers(snapshot, pod.info(), nominatedNodeStatus);
        assertThat(reason == null).as(reason).isEqualTo(expected);
    }

    // ---- TestPreempt ----

    @Test
    void basicPreemptionDeletesTheVictimsAndNominatesTheNode() {
        Framework fw = framework(PodNominator.NONE, new NodeResourcesFit());
        List<Node> nodes = nodes(veryLargeNode("node1"), veryLargeNode("node2"), veryLargeNode("node3"));
        Snapshot snapshot = snapshot(nodes, pods(small(p("p1.1", LOW).nodeName("node1")), small(p("p1.2", LOW).nodeName("node1")),
                large(p("p2.1", HIGH).nodeName("node2")), medium(p("p3.1", MID).nodeName("node3"))));
        PodInfo pod = veryLarge(p("p", HIGH)).preemptionPolicy("PreemptLowerPriority").info();
        Diagnosis diagnosis = new Diagnosis(3);
        unschedulable("node1", "node2", "node3").forEach(diagnosis::add);
        RecordingPreemptionApi api = new RecordingPreemptionApi();

        PostFilterResult got = plugin(List.of(), api, 10, 100).postFilter(fw, preFiltered(fw, pod, snapshot), pod, diagnosis);

        assertThat(got).isEqualTo(PostFilterResult.nominated("node1"));
        assertThat(api.actions()).containsExactly("preempt default/p1.1 on node1 for default/p", "preempt default/p1.2 on node1 for default/p");
    }

    @Test
    void preemptionForTopologySpreadConstraints() {
        Framework fw = framework(PodNominator.NONE, new PodTopologySpread());
        List<Node> nodes = nodes(labelledNode("node-a/zone1"), labelledNode("node-b/zone1"), labelledNode("node-x/zone2"));
        Snapshot snapshot = snapshot(nodes, pods(p("p-a1", HIGH).nodeName("node-a").label("foo", ""), p("p-a2", HIGH).nodeName("node-a").label("foo", ""),
                p("p-b1", LOW).nodeName("node-b").label("foo", ""), p("p-x1", HIGH).nodeName("node-x").label("foo", ""),
                p("p-x2", HIGH).nodeName("node-x").label("foo", "")));
        PodInfo pod = p("p", HIGH).label("foo", "").spread(1, "zone", "DoNotSchedule", Map.of("foo", ""))
                .spread(1, "hostname", "DoNotSchedule", Map.of("foo", "")).info();
        CycleState state = preFiltered(fw, pod, snapshot);
        Diagnosis diagnosis = new Diagnosis(3);
        for (var n : snapshot.nodes()) {
            diagnosis.add(n.name(), fw.runFilters(state, pod, n));
        }
        RecordingPreemptionApi api = new RecordingPreemptionApi();

        PostFilterResult got = plugin(List.of(), api, 10, 100).postFilter(fw, state, pod, diagnosis);

        assertThat(got).isEqualTo(PostFilterResult.nominated("node-b"));
        assertThat(api.actions()).containsExactly("preempt default/p-b1 on node-b for default/p");
    }

    @Test
    void victimsAlreadyTerminatingAreNotDeletedAgainAndLowerNominatedPodsLoseTheirNomination() {
        Nominator nominator = new Nominator();
        nominator.addNominatedPod(p("lower", MID).nominatedNodeName("node1").info(), NominatingInfo.NOOP);
        nominator.addNominatedPod(p("higher", VERY_HIGH).nominatedNodeName("node1").info(), NominatingInfo.NOOP);
        Framework fw = framework(nominator, new NodeResourcesFit());
        Snapshot snapshot = snapshot(nodes(veryLargeNode("node1")),
                pods(medium(p("gone", LOW).nodeName("node1")).terminating(), medium(p("victim", LOW).nodeName("node1"))));
        PodInfo pod = veryLarge(p("p", HIGH)).info();
        Diagnosis diagnosis = new Diagnosis(1);
        diagnosis.add("node1", Status.unschedulable("Insufficient cpu"));
        RecordingPreemptionApi api = new RecordingPreemptionApi();

        PostFilterResult got = plugin(List.of(), api, 10, 100).postFilter(fw, preFiltered(fw, pod, snapshot), pod, diagnosis);

        assertThat(got).isEqualTo(PostFilterResult.nominated("node1"));
        assertThat(api.actions()).containsExactly("clear default/lower", "preempt default/victim on node1 for default/p");
    }

    @Test
    void aFailedDeletionKeepsTheNominationAndReportsAnError() {
        Framework fw = framework(PodNominator.NONE, new NodeResourcesFit());
        Snapshot snapshot = snapshot(nodes(onePodNode("node1")), pods(p("p1", LOW).nodeName("node1")));
        PodInfo pod = p("p", HIGH).info();
        Diagnosis diagnosis = new Diagnosis(1);
        diagnosis.add("node1", Status.unschedulable("Too many pods"));
        RecordingPreemptionApi api = new RecordingPreemptionApi().failOn("default/p1",
                new ApiException(500, io.kube4j.api.Status.failure(500, "InternalError", "etcd down"), "etcd down", null));

        PostFilterResult got = plugin(List.of(), api, 10, 100).postFilter(fw, preFiltered(fw, pod, snapshot), pod, diagnosis);

        assertThat(got.status().code()).isEqualTo(Status.Code.ERROR);
        assertThat(got.status().message()).isEqualTo("preemption: etcd down");
        assertThat(got.nominating()).isEqualTo(NominatingInfo.NOOP);
    }

    @Test
    void moreImportantPodsComeFirst() {
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        List<PodInfo> pods = new ArrayList<>(List.of(p("low-old", LOW).startTime(epoch(1)).info(), p("mid-new", MID).startTime(epoch(9)).info(),
                p("mid-old", MID).startTime(epoch(2)).info(), p("mid-unstarted", MID).info()));
        pods.sort(DefaultPreemption.moreImportantFirst(now));
        assertThat(pods).extracting(x -> x.pod().metadata.name).containsExactly("mid-old", "mid-new", "mid-unstarted", "low-old");
    }

    @Test
    void numberOfCandidatesFollowsTheArgs() {
        DefaultPreemption defaults = plugin(List.of(), new RecordingPreemptionApi(), 10, 100);
        assertThat(defaults.calculateNumCandidates(50)).isEqualTo(50);
        assertThat(defaults.calculateNumCandidates(5000)).isEqualTo(500);
        assertThat(plugin(List.of(), new RecordingPreemptionApi(), 40, 1).calculateNumCandidates(5)).isEqualTo(2);
    }

    @Test
    void pdbViolationsCountPerBudgetAndSkipOtherNamespacesAndEmptySelectors() {
        List<PodInfo> pods = List.of(p("a", LOW).label("app", "foo").info(), p("b", LOW).label("app", "foo").info(),
                p("c", LOW).info(), p("d", LOW).namespace("other").label("app", "foo").info());
        PodDisruptionBudget empty = pdb(Map.of(), 0);
        List<PodInfo> violating = new ArrayList<>();
        List<PodInfo> nonViolating = new ArrayList<>();
        DefaultPreemption.filterPodsWithPDBViolation(pods, List.of(pdb(Map.of("app", "foo"), 1), empty), violating, nonViolating);
        assertThat(violating).extracting(PodInfo::key).containsExactly("default/b");
        assertThat(nonViolating).extracting(PodInfo::key).containsExactly("default/a", "default/c", "other/d");
    }
}
