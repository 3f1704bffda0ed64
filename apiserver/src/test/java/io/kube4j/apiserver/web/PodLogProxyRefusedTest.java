package io.kube4j.apiserver.web;

import io.kube4j.api.Status;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/** A kubelet's 401/403 as the apiserver's answer to pods/log (Kubernetes' GenericHttpResponseChecker). */
class PodLogProxyRefusedTest {

    @Test
    void aKubeletsForbiddenKeepsItsMessage() {
        Status s = PodLogProxy.refused(403, "web", "Forbidden (user=kube-apiserver-kubelet-client, verb=get, resource=nodes, subresource=proxy)").status();
        assertThat(s.code).isEqualTo(403);
        assertThat(s.reason).isEqualTo("Forbidden");
        assertThat(s.message).isEqualTo("Forbidden (user=kube-apiserver-kubelet-client, verb=get, resource=nodes, subresource=proxy)");
        assertThat(s.details.name).isEqualTo("web");
        assertThat(s.details.kind).isEqualTo("pods");
        assertThat(s.details.causes).singleElement().satisfies(c -> {
            assertThat(c.reason).isEqualTo("UnexpectedServerResponse");
            assertThat(c.message).startsWith("Forbidden (user=");
        });
    }

    @Test
    void aKubeletsUnauthorizedAsksForCredentials() {
        Status s = PodLogProxy.refused(401, "web", "Unauthorized").status();
        assertThat(s.code).isEqualTo(401);
        assertThat(s.reason).isEqualTo("Unauthorized");
        assertThat(s.message).isEqualTo("the server has asked for the client to provide credentials");
        assertThat(s.details.causes).singleElement().satisfies(c -> assertThat(c.message).isEqualTo("Unauthorized"));
    }
}
