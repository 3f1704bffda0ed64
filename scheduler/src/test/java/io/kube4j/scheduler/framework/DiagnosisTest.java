package io.kube4j.scheduler.framework;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class DiagnosisTest {

    @Test
    void countsReasonsMostFrequentFirst() {
        Diagnosis d = new Diagnosis(3);
        d.add(Status.unschedulable("Insufficient cpu").by("NodeResourcesFit"));
        d.add(Status.unresolvable("node(s) had untolerated taint {dedicated: gpu}").by("TaintToleration"));
        d.add(Status.unschedulable("Insufficient cpu").by("NodeResourcesFit"));
        assertThat(d.message()).isEqualTo("0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.");
        assertThat(d.rejectingPlugins()).containsExactly("NodeResourcesFit", "TaintToleration");
        assertThat(d.hasError()).isFalse();
    }

    @Test
    void aNodeShortOfSeveralResourcesCountsForEach() {
        Diagnosis d = new Diagnosis(2);
        d.add(Status.unschedulable("Insufficient cpu", "Insufficient memory"));
        d.add(Status.unschedulable("Insufficient memory"));
        assertThat(d.message()).isEqualTo("0/2 nodes are available: 2 Insufficient memory, 1 Insufficient cpu.");
    }

    @Test
    void aPreFilterRejectionCountsForEveryNode() {
        Diagnosis d = new Diagnosis(5);
        d.add(Status.unresolvable("invalid pod spec: bad").by("PodSpec"), 5);
        assertThat(d.message()).isEqualTo("0/5 nodes are available: 5 invalid pod spec: bad.");
    }

    @Test
    void noNodesAtAll() {
        assertThat(new Diagnosis(0).message()).isEqualTo("0/0 nodes are available: no nodes available to schedule pods.");
    }

    @Test
    void errorsAreFlagged() {
        Diagnosis d = new Diagnosis(1);
        d.add(Status.error("boom").by("X"));
        assertThat(d.hasError()).isTrue();
    }
}
