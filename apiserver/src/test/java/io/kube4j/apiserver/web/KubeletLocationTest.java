package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Container selection and kubelet paths as pkg/registry/core/pod/strategy.go words and builds them. */
class KubeletLocationTest {
    private static ObjectNode pod(String json) {
        return (ObjectNode) Json.mapper().readTree(json);
    }

    private static final ObjectNode TWO = pod("""
            {"metadata":{"name":"web","namespace":"default"},
             "spec":{"initContainers":[{"name":"setup"}],"containers":[{"name":"a"},{"name":"b"}],
                     "ephemeralContainers":[{"name":"dbg2","image":"busybox"}]}}""");

    @Test
    void aPodWithSeveralContainersNeedsOneNamedWithKubernetesWording() {
        assertThatThrownBy(() -> KubeletLocation.container(TWO, null))
                .isInstanceOf(ApiError.class)
                .hasMessage("a container name must be specified for pod web, choose one of: [setup a b dbg2]")
                .satisfies(e -> assertThat(((ApiError) e).code()).isEqualTo(400));
    }

    @Test
    void anUnknownContainerIsNotValidForThePod() {
        assertThatThrownBy(() -> KubeletLocation.container(TWO, "c")).hasMessage("container c is not valid for pod web");
    }

    @Test
    void theOnlyContainerAndInitContainersAreAccepted() {
        assertThat(KubeletLocation.container(pod("{\"metadata\":{\"name\":\"p\"},\"spec\":{\"containers\":[{\"name\":\"only\"}]}}"), null)).isEqualTo("only");
        assertThat(KubeletLocation.container(TWO, "setup")).isEqualTo("setup");
    }

    @Test
    void anEphemeralContainerIsValidForLogs() {
        // strategy.go podHasContainerWithName visits ephemeral containers too (kubectl logs web -c dbg2)
        assertThat(KubeletLocation.container(TWO, "dbg2")).isEqualTo("dbg2");
    }

    @Test
    void pathSegmentsAreEscapedSoNoneCanLeaveItsPlace() {
        assertThat(KubeletLocation.path("containerLogs", "ns", "../../metrics?x=1", "a b"))
                .isEqualTo("/containerLogs/ns/..%2F..%2Fmetrics%3Fx%3D1/a%20b");
        assertThat(KubeletLocation.path("exec", "..", ".")).isEqualTo("/exec/%2E%2E/%2E");
    }
}
