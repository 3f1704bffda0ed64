package io.kube4j.kubelet.server;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.springframework.mock.web.MockHttpServletRequest;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' pkg/kubelet/server/auth_test.go expectations, KubeletFineGrainedAuthz off (1.32's default). */
class RequestAttributesTest {

    @ParameterizedTest
    @CsvSource({
            "GET, /stats/summary, get, stats",
            "GET, /stats, get, stats",
            "GET, /metrics, get, metrics",
            "GET, /metrics/resource, get, metrics",
            "GET, /metrics/cadvisor, get, metrics",
            "GET, /logs/, get, log",
            "GET, /logs/messages, get, log",
            "POST, /checkpoint/ns/pod/c, create, checkpoint",
            "GET, /containerLogs/default/web/app, get, proxy",
            "POST, /exec/default/web/app, create, proxy",
            "GET, /exec/default/web/app, get, proxy",
            "POST, /portForward/default/web, create, proxy",
            "GET, /pods, get, proxy",
            "GET, /healthz, get, proxy",
            "GET, /statsfoo, get, proxy",
            "GET, /metricsfoo, get, proxy",
            "PUT, /foo, update, proxy",
            "PATCH, /foo, patch, proxy",
            "DELETE, /foo, delete, proxy",
            "HEAD, /foo, '', proxy",
    })
    void verbFromTheMethodAndSubresourceFromThePath(String method, String path, String verb, String subresource) {
        MockHttpServletRequest req = new MockHttpServletRequest(method, path);
        RequestAttributes a = RequestAttributes.of(new User("u", java.util.List.of()), req, "node-1");
        assertThat(a.verb()).isEqualTo(verb);
        assertThat(a.subresource()).isEqualTo(subresource);
        assertThat(a.resource()).isEqualTo("nodes");
        assertThat(a.name()).isEqualTo("node-1");
        assertThat(a.path()).isEqualTo(path);
    }
}
