package io.kube4j.apiserver.schema;

import io.kube4j.api.Deployment;
import io.kube4j.api.Pod;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class UnknownFieldsTest {

    @Test
    void namesUnknownFieldsWithTheirPathAndListIndex() {
        var pod = Json.tree("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\",\"labelz\":{}},"
                + "\"spec\":{\"foo\":1,\"containers\":[{\"name\":\"a\",\"image\":\"x\"},{\"name\":\"b\",\"imagee\":\"x\"}]}}");

        assertThat(UnknownFields.of(pod, Pod.class)).containsExactly("metadata.labelz", "spec.foo", "spec.containers[1].imagee");
    }

    @Test
    void acceptsKubernetesFieldsKeptWithoutModelAndFreeFormMaps() {
        var pod = Json.tree("{\"metadata\":{\"name\":\"p\",\"labels\":{\"any-key\":\"v\"},\"creationTimestamp\":null},"
                + "\"spec\":{\"securityContext\":{\"runAsUser\":1},\"containers\":[{\"name\":\"a\",\"securityContext\":{},\"resources\":{\"limits\":{\"cpu\":\"1\"}}}],"
                + "\"volumes\":[{\"name\":\"v\",\"configMap\":{\"name\":\"c\"}}]},\"status\":{}}");

        assertThat(UnknownFields.of(pod, Pod.class)).isEmpty();
    }

    @Test
    void skipsPatchDirectives() {
        var patch = Json.tree("{\"spec\":{\"strategy\":{\"$retainKeys\":[\"type\"],\"type\":\"Recreate\"},"
                + "\"template\":{\"spec\":{\"$setElementOrder/containers\":[{\"name\":\"a\"}],\"containers\":[{\"$patch\":\"delete\",\"name\":\"b\"}]}}}}");

        assertThat(UnknownFields.of(patch, Deployment.class)).isEmpty();
    }

    @Test
    void unknownFieldsInsideSecurityContextsAreFound() {
        var pod = Json.tree("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"securityContext\":{\"runAsUser\":1,\"runAsUsr\":2},"
                + "\"containers\":[{\"name\":\"a\",\"securityContext\":{\"cgroupOptions\":{\"mountMode\":\"ReadWrite\"},\"capabilities\":{\"add\":[\"NET_ADMIN\"]}}}]}}");

        assertThat(UnknownFields.of(pod, Pod.class)).containsExactly("spec.securityContext.runAsUsr", "spec.containers[0].securityContext.cgroupOptions");
    }
}
