package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import org.junit.jupiter.api.Test;

import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

class ApiSchedulingReporterTest {

    @Test
    void setsPodScheduledFalseUnschedulableWithTheMessage() {
        Pod p = pod("p").build();
        Pod updated = ApiSchedulingReporter.withUnschedulableCondition(p, "0/1 nodes are available: 1 Insufficient cpu.");
        PodCondition c = updated.status.condition("PodScheduled");
        assertThat(c.status).isEqualTo("False");
        assertThat(c.reason).isEqualTo("Unschedulable");
        assertThat(c.message).isEqualTo("0/1 nodes are available: 1 Insufficient cpu.");
        assertThat(c.lastTransitionTime).isNotBlank();
        assertThat(updated.status.phase).isEqualTo("Pending");
        assertThat(p.status.conditions).as("the cached pod is not mutated").isEmpty();
    }

    @Test
    void anUnchangedConditionIsNotWrittenAgain() {
        Pod p = ApiSchedulingReporter.withUnschedulableCondition(pod("p").build(), "m");
        assertThat(ApiSchedulingReporter.withUnschedulableCondition(p, "m")).isNull();
    }

    @Test
    void aNewMessageKeepsTheTransitionTime() {
        Pod p = ApiSchedulingReporter.withUnschedulableCondition(pod("p").build(), "old");
        p.status.condition("PodScheduled").lastTransitionTime = "2026-01-01T00:00:00Z";
        Pod updated = ApiSchedulingReporter.withUnschedulableCondition(p, "new");
        assertThat(updated.status.conditions).hasSize(1);
        assertThat(updated.status.condition("PodScheduled").message).isEqualTo("new");
        assertThat(updated.status.condition("PodScheduled").lastTransitionTime).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void aGatedPodWithoutAPodScheduledConditionGetsKubernetesSchedulingGatedCondition() {
        Pod p = pod("p").gate("example.com/quota").build();

        Pod updated = ApiSchedulingReporter.withSchedulingGatedCondition(p);

        PodCondition c = updated.status.condition("PodScheduled");
        assertThat(c.status).isEqualTo("False");
        assertThat(c.reason).isEqualTo("SchedulingGated");
        assertThat(c.message).isEqualTo("Scheduling is blocked due to non-empty scheduling gates");
        assertThat(c.lastTransitionTime).isNotBlank();
        assertThat(updated.status.phase).isEqualTo("Pending");
        assertThat(p.status.conditions).as("the cached pod is not mutated").isEmpty();
    }

    @Test
    void theSchedulingGatedConditionIsNotWrittenOverAnyPodScheduledCondition() {
        Pod gated = ApiSchedulingReporter.withSchedulingGatedCondition(pod("p").gate("a").build());
        assertThat(ApiSchedulingReporter.withSchedulingGatedCondition(gated)).as("already there").isNull();
        Pod unschedulable = ApiSchedulingReporter.withUnschedulableCondition(pod("q").gate("a").build(), "m");
        assertThat(ApiSchedulingReporter.withSchedulingGatedCondition(unschedulable)).as("as the apiserver: any PodScheduled condition wins").isNull();
        assertThat(ApiSchedulingReporter.withSchedulingGatedCondition(pod("r").build())).as("no gates").isNull();
    }

    @Test
    void thePatchCarriesTheConditionAndTheNominatedNodeAsKubernetesUpdatePod() {
        Pod p = pod("p").build();
        String patch = ApiSchedulingReporter.unschedulablePatch(p, "m", io.kube4j.scheduler.framework.NominatingInfo.override("n1"));
        tools.jackson.databind.JsonNode status = io.kube4j.json.Json.tree(patch).get("status");
        assertThat(status.get("nominatedNodeName").asString()).isEqualTo("n1");
        assertThat(status.get("conditions")).hasSize(1);
        assertThat(status.get("conditions").get(0).get("type").asString()).isEqualTo("PodScheduled");
        assertThat(status.get("conditions").get(0).get("reason").asString()).isEqualTo("Unschedulable");
        assertThat(status.get("conditions").get(0).get("message").asString()).isEqualTo("m");
    }

    @Test
    void onlyWhatChangesIsPatched() {
        Pod p = ApiSchedulingReporter.withUnschedulableCondition(pod("p").nominatedNodeName("n1").build(), "m");
        // same condition, same node: nothing to write
        assertThat(ApiSchedulingReporter.unschedulablePatch(p, "m", io.kube4j.scheduler.framework.NominatingInfo.override("n1"))).isNull();
        assertThat(ApiSchedulingReporter.unschedulablePatch(p, "m", io.kube4j.scheduler.framework.NominatingInfo.NOOP)).isNull();
        // clearing the nomination: null removes the field, the unchanged condition is left out
        assertThat(ApiSchedulingReporter.unschedulablePatch(p, "m", io.kube4j.scheduler.framework.NominatingInfo.override("")))
                .isEqualTo("{\"status\":{\"nominatedNodeName\":null}}");
        // a Noop leaves the nomination alone even when the message changes
        assertThat(ApiSchedulingReporter.unschedulablePatch(p, "m2", io.kube4j.scheduler.framework.NominatingInfo.NOOP)).doesNotContain("nominatedNodeName");
    }
}
