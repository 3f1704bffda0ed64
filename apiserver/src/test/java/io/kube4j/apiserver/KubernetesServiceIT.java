package io.kube4j.apiserver;

import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * A real apiserver keeps {@code default/kubernetes}: the Service at the first address of the service range,
 * port 443 {@code https} to the apiserver's port, its Endpoints and EndpointSlice at
 * {@code kube4j.apiserver.advertise-address}, and puts the Endpoints back within a reconcile interval when
 * they are deleted (Kubernetes' kubernetesservice controller and lease endpoint reconciler).
 */
class KubernetesServiceIT {
    static ApiServerFixture fx;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start("--kube4j.apiserver.advertise-address=10.255.0.1");
    }

    @AfterAll
    static void stop() {
        if (fx != null) fx.close();
    }

    static JsonNode get(String path) {
        HttpResponse<String> r = fx.send("GET", path, null, null);
        assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
        return Json.tree(r.body());
    }

    @Test
    void theKubernetesServicePointsAtThisApiserverAndComesBack() {
        int port = fx.apiserver.port();
        await().atMost(Duration.ofSeconds(20)).until(() -> fx.send("GET", "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes", null, null).statusCode() == 200);
        JsonNode svc = get("/api/v1/namespaces/default/services/kubernetes");
        assertThat(svc.path("spec").path("clusterIP").asString()).isEqualTo("10.96.0.1");
        assertThat(svc.path("spec").path("ports").toString())
                // in ServicePort's field order (name, protocol, port, targetPort), as Kubernetes writes it
                .isEqualTo("[{\"name\":\"https\",\"protocol\":\"TCP\",\"port\":443,\"targetPort\":" + port + "}]");
        JsonNode ep = get("/api/v1/namespaces/default/endpoints/kubernetes");
        assertThat(ep.path("subsets").toString())
                .isEqualTo("[{\"addresses\":[{\"ip\":\"10.255.0.1\"}],\"ports\":[{\"name\":\"https\",\"port\":" + port + ",\"protocol\":\"TCP\"}]}]");
        JsonNode slice = get("/apis/discovery.k8s.io/v1/namespaces/default/endpointslices/kubernetes");
        assertThat(slice.path("endpoints").get(0).path("addresses").toString()).isEqualTo("[\"10.255.0.1\"]");
        assertThat(slice.path("metadata").path("labels").path("kubernetes.io/service-name").asString()).isEqualTo("kubernetes");

        assertThat(fx.send("DELETE", "/api/v1/namespaces/default/endpoints/kubernetes", null, null).statusCode()).isEqualTo(200);
        await().atMost(Duration.ofSeconds(25)).untilAsserted(() ->
                assertThat(Json.tree(fx.send("GET", "/api/v1/namespaces/default/endpoints/kubernetes", null, null).body())
                        .path("subsets").path(0).path("addresses").path(0).path("ip").asString("")).isEqualTo("10.255.0.1"));
    }
}
