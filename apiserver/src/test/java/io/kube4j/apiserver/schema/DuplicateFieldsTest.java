package io.kube4j.apiserver.schema;

import io.kube4j.api.Deployment;
import org.junit.jupiter.api.Test;

import java.nio.charset.StandardCharsets;

import static org.assertj.core.api.Assertions.assertThat;

class DuplicateFieldsTest {
    /** Kubernetes' test/integration/apiserver/field_validation_test.go invalidBodyJSON. */
    static final String INVALID_DEPLOYMENT = """
            {"apiVersion": "apps/v1", "kind": "Deployment",
             "metadata": {"name": "d", "labels": {"app": "nginx"}},
             "spec": {
               "unknown1": "val1",
               "unknownDupe": "valDupe",
               "unknownDupe": "valDupe2",
               "paused": true,
               "paused": false,
               "selector": {"matchLabels": {"app": "nginx"}},
               "template": {"metadata": {"labels": {"app": "nginx"}},
                 "spec": {"containers": [{"name": "nginx", "image": "nginx:latest", "unknownNested": "val1",
                   "imagePullPolicy": "Always", "imagePullPolicy": "Never"}]}}}}
            """;

    @Test
    void findsEveryDuplicateKeyWithItsPathAndTheLastValueWins() {
        DuplicateFields.Parsed parsed = DuplicateFields.read(INVALID_DEPLOYMENT.getBytes(StandardCharsets.UTF_8));
        assertThat(parsed.duplicates()).containsExactly("spec.unknownDupe", "spec.paused", "spec.template.spec.containers[0].imagePullPolicy");
        assertThat(parsed.tree().path("spec").path("paused").asBoolean()).as("Go's decoder keeps the last value").isFalse();
        assertThat(parsed.tree().path("spec").path("template").path("spec").path("containers").path(0).path("imagePullPolicy").asString()).isEqualTo("Never");
    }

    @Test
    void aBodyWithoutDuplicatesHasNone() {
        assertThat(DuplicateFields.read("{\"a\": [{\"b\": 1}, {\"b\": 2}], \"c\": {\"b\": 3}}".getBytes(StandardCharsets.UTF_8)).duplicates()).isEmpty();
        assertThat(DuplicateFields.find("[{\"x\": 1}, {\"y\": [1, {\"z\": 1, \"z\": 2}]}]".getBytes(StandardCharsets.UTF_8))).containsExactly("[1].y[1].z");
    }

    @Test
    void strictErrorsInterleaveUnknownAndDuplicateFieldsAsKubernetesReportsThem() {
        DuplicateFields.Parsed parsed = DuplicateFields.read(INVALID_DEPLOYMENT.getBytes(StandardCharsets.UTF_8));
        // as the Kubernetes test: a field both unknown and duplicated is reported as unknown only
        assertThat(UnknownFields.strictErrors(parsed.tree(), Deployment.class, parsed.duplicates())).containsExactly(
                "unknown field \"spec.unknown1\"",
                "unknown field \"spec.unknownDupe\"",
                "duplicate field \"spec.paused\"",
                "unknown field \"spec.template.spec.containers[0].unknownNested\"",
                "duplicate field \"spec.template.spec.containers[0].imagePullPolicy\"");
    }
}
