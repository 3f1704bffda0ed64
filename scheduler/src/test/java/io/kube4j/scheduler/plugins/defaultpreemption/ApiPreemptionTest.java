package io.kube4j.scheduler.plugins.defaultpreemption;

import io.kube4j.api.Event;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

/** The condition and Event Kubernetes' Evaluator.PreemptPod writes on a victim. */
class ApiPreemptionTest {

    @Test
    void theVictimGetsTheDisruptionTargetConditionOfKubernetes() {
        Pod preemptor = pod("high").schedulerName("my-scheduler").build();
        String patch = ApiPreemption.disruptionTargetPatch(preemptor, pod("low").build(), "default-scheduler");
        JsonNode c = Json.tree(patch).get("status").get("conditions").get(0);
        assertThat(c.get("type").asString()).isEqualTo("DisruptionTarget");
        assertThat(c.get("status").asString()).isEqualTo("True");
        assertThat(c.get("reason").asString()).isEqualTo("PreemptionByScheduler");
        assertThat(c.get("message").asString()).isEqualTo("my-scheduler: preempting to accommodate a higher priority pod");
        assertThat(c.get("lastTransitionTime").asString()).isNotBlank();
    }

    @Test
    void withoutASchedulerNameTheConfiguredOneIsNamed() {
        String patch = ApiPreemption.disruptionTargetPatch(pod("high").build(), pod("low").build(), "default-scheduler");
        assertThat(Json.tree(patch).get("status").get("conditions").get(0).get("message").asString())
                .isEqualTo("default-scheduler: preempting to accommodate a higher priority pod");
    }

    @Test
    void aVictimWithTheConditionAlreadyIsNotPatchedAgain() {
        Pod victim = pod("low").build();
        victim.status.conditions.add(new io.kube4j.api.PodCondition("DisruptionTarget", "True", "PreemptionByScheduler",
                "default-scheduler: preempting to accommodate a higher priority pod", "2026-01-01T00:00:00Z"));
        assertThat(ApiPreemption.disruptionTargetPatch(pod("high").build(), victim, "default-scheduler")).isNull();
        // another reason: rewritten, the transition time kept since the status stays True
        victim.status.conditions.getFirst().reason = "EvictionByEvictionAPI";
        String patch = ApiPreemption.disruptionTargetPatch(pod("high").build(), victim, "default-scheduler");
        assertThat(Json.tree(patch).get("status").get("conditions").get(0).get("lastTransitionTime").asString()).isEqualTo("2026-01-01T00:00:00Z");
    }

    @Test
    void thePreemptedEventNamesThePreemptorsUidAndTheNode() {
        EventRecorder recorder = new EventRecorder(new ApiClient("http://127.0.0.1:1"), "default-scheduler", "host");
        Pod preemptor = pod("high").build();
        Event e = ApiPreemption.preemptedEvent(recorder, preemptor, pod("low").build(), "node-a");
        assertThat(e.reason).isEqualTo("Preempted");
        assertThat(e.type).isEqualTo("Normal");
        assertThat(e.action).isEqualTo("Preempting");
        assertThat(e.message).isEqualTo("Preempted by pod uid-high on node node-a");
        assertThat(e.involvedObject.name).isEqualTo("low");
        assertThat(((ObjectReference) e.unknownFields.get("related")).name).isEqualTo("high");
        assertThat(Json.tree(Json.write(e)).get("related").get("uid").asString()).isEqualTo("uid-high");
    }
}
