package io.kube4j.kubelet.pod;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;

class StatusManagerDiffTest {
    static ObjectNode tree(String json) {
        return (ObjectNode) Json.tree(json);
    }

    @Test
    void aConditionTurningTrueClearsItsReasonAndMessage() {
        ObjectNode before = tree("{\"conditions\":[{\"type\":\"Ready\",\"status\":\"False\",\"reason\":\"ContainersNotReady\",\"message\":\"containers with unready status: [main]\"}]}");
        ObjectNode after = tree("{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}");

        ObjectNode patch = StatusManager.diff(before, after);

        assertThat(patch.path("conditions")).hasSize(1);
        assertThat(patch.path("conditions").get(0).path("status").asString()).isEqualTo("True");
        // a strategic merge keeps what the patch leaves out: the stale fields must be sent as null
        assertThat(patch.path("conditions").get(0).has("reason")).isTrue();
        assertThat(patch.path("conditions").get(0).path("reason").isNull()).isTrue();
        assertThat(patch.path("conditions").get(0).path("message").isNull()).isTrue();
    }

    @Test
    void unchangedStatusIsNoPatch() {
        ObjectNode s = tree("{\"phase\":\"Running\",\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\"}]}");
        assertThat(StatusManager.diff(s, s.deepCopy()).isEmpty()).isTrue();
    }
}
