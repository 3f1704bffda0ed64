package io.kube4j.scheduler.framework;

import org.junit.jupiter.api.Test;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The FitError message as Kubernetes' {@code FitError.Error()} builds it (pkg/scheduler/framework/types.go). */
class DiagnosisTest {

    @Test
    void countsReasonsPerNodeSortedAsStrings() {
        Diagnosis d = new Diagnosis(3);
        d.add("a", Status.unschedulable("Insufficient cpu").by("NodeResourcesFit"));
        d.add("b", Status.unresolvable("node(s) had untolerated taint {dedicated: gpu}").by("TaintToleration"));
        d.add("c", Status.unschedulable("Insufficient cpu").by("NodeResourcesFit"));
        // Go's sort.Strings over "<count> <reason>"
        assertThat(d.message()).isEqualTo("0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.");
        assertThat(d.rejectingPlugins()).containsExactly("NodeResourcesFit", "TaintToleration");
        assertThat(d.hasError()).isFalse();
    }

    @Test
    void countsSortBytewiseSoTenComesBeforeTwo() {
        Diagnosis d = new Diagnosis(12);
        for (int i = 0; i < 10; i++) {
            d.add("n" + i, Status.unschedulable("Insufficient memory"));
        }
        d.add("x", Status.unschedulable("Insufficient cpu"));
        d.add("y", Status.unschedulable("Insufficient cpu"));
        assertThat(d.message()).isEqualTo("0/12 nodes are available: 10 Insufficient memory, 2 Insufficient cpu.");
    }

    @Test
    void aNodeShortOfSeveralResourcesCountsForEach() {
        Diagnosis d = new Diagnosis(2);
        d.add("a", Status.unschedulable("Insufficient cpu", "Insufficient memory"));
        d.add("b", Status.unschedulable("Insufficient memory"));
        assertThat(d.message()).isEqualTo("0/2 nodes are available: 1 Insufficient cpu, 2 Insufficient memory.");
    }

    @Test
    void aNodeFilteredTwiceCountsOnce() {
        Diagnosis d = new Diagnosis(1);
        d.add("a", Status.unschedulable("Insufficient cpu"));
        d.add("a", Status.unschedulable("Insufficient cpu"));
        assertThat(d.message()).isEqualTo("0/1 nodes are available: 1 Insufficient cpu.");
    }

    @Test
    void aPreFilterRejectionIsTheMessageAndEveryNodesStatus() {
        Diagnosis d = new Diagnosis(5);
        d.addPreFilterRejection(Status.unresolvable("invalid pod spec: bad").by("PodSpec"));
        assertThat(d.message()).isEqualTo("0/5 nodes are available: invalid pod spec: bad.");
        assertThat(d.status("any").code()).isEqualTo(Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE);
    }

    @Test
    void absentNodesCountWithTheAbsentStatus() {
        Diagnosis d = new Diagnosis(4);
        d.add("node1", Status.unschedulable("Insufficient cpu"));
        d.setAbsentNodesStatus(Status.unresolvable("Preemption is not helpful for scheduling"));
        assertThat(d.message()).isEqualTo("0/4 nodes are available: 1 Insufficient cpu, 3 Preemption is not helpful for scheduling.");
    }

    @Test
    void thePostFilterMessageFollowsWithoutAnotherPeriod() {
        Diagnosis d = new Diagnosis(1);
        d.add("node1", Status.unschedulable("Insufficient cpu"));
        d.setPostFilterMessage("preemption: 0/1 nodes are available: 1 No preemption victims found for incoming pod.");
        assertThat(d.message()).isEqualTo("0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes are available: "
                + "1 No preemption victims found for incoming pod.");
    }

    @Test
    void nodesForStatusCodeIncludeAbsentNodesWithThatCode() {
        Diagnosis d = new Diagnosis(3);
        d.add("a", Status.unschedulable("Insufficient cpu"));
        d.add("b", Status.unresolvable("node(s) didn't match Pod's node affinity/selector"));
        List<NodeInfo> nodes = List.of(new NodeInfo("a"), new NodeInfo("b"), new NodeInfo("c"));
        assertThat(d.nodesForStatusCode(nodes, Status.Code.UNSCHEDULABLE)).extracting(NodeInfo::name).containsExactly("a");
        d.setAbsentNodesStatus(Status.unschedulable());
        assertThat(d.nodesForStatusCode(nodes, Status.Code.UNSCHEDULABLE)).extracting(NodeInfo::name).containsExactly("a", "c");
    }

    @Test
    void noNodesAtAll() {
        assertThat(new Diagnosis(0).message()).isEqualTo("0/0 nodes are available: no nodes available to schedule pods.");
    }

    @Test
    void errorsAreFlagged() {
        Diagnosis d = new Diagnosis(1);
        d.add("a", Status.error("boom").by("X"));
        assertThat(d.hasError()).isTrue();
    }
}
