package io.kube4j.apiserver;

import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The ServiceAccount admission plugin on a real apiserver started with security on (the default)
 * (requests carry a static token of a {@code system:masters} user, so they stay allowed once authorization
 * is on): a pod without its ServiceAccount is refused with Kubernetes' message, one with it gets
 * {@code serviceAccountName: default} and the {@code kube-api-access-*} token volume mounted read-only.
 */
class ServiceAccountAdmissionIT {
    static final String TOKEN = "sa-admission-it-admin-token";
    static ApiServerFixture fx;
    /** HTTPS trusting the cluster CA (the apiserver serves HTTPS with security on). */
    static HttpClient http;

    @BeforeAll
    static void start() throws IOException {
        Path tokens = Files.createTempFile("tokens", ".csv");
        Files.writeString(tokens, TOKEN + ",admin,admin-uid,\"system:masters\"\n");
        Path pki = Files.createTempDirectory("pki");
        fx = new ApiServerFixture().startHttps("--kube4j.security.token-auth-file=" + tokens,
                "--kube4j.security.pki-dir=" + pki);
        http = AuthorizationIT.trustingClusterCa(pki.resolve("ca.crt"));
    }

    @AfterAll
    static void stop() {
        if (fx != null) {
            fx.close();
        }
    }

    static HttpResponse<String> send(String method, String path, String yaml) throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + path)).header("Authorization", "Bearer " + TOKEN);
        if (yaml != null) {
            b.header("Content-Type", "application/yaml");
        }
        b.method(method, yaml == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(yaml));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    static String pod(String name, String extra) {
        return """
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                %s  containers:
                  - name: c
                    image: busybox
                """.formatted(name, extra);
    }

    @Test
    void podsNeedTheirServiceAccountAndGetTheTokenVolume() throws Exception {
        assertThat(send("POST", "/api/v1/namespaces", "{metadata: {name: sa-adm}}").statusCode()).isEqualTo(201);
        HttpResponse<String> refused = send("POST", "/api/v1/namespaces/sa-adm/pods", pod("early", ""));
        assertThat(refused.statusCode()).as(refused.body()).isEqualTo(403);
        assertThat(Json.tree(refused.body()).path("message").asString())
                .isEqualTo("pods \"early\" is forbidden: error looking up service account sa-adm/default: serviceaccount \"default\" not found");

        assertThat(send("POST", "/api/v1/namespaces/sa-adm/serviceaccounts", "{metadata: {name: default}}").statusCode()).isEqualTo(201);
        HttpResponse<String> created = send("POST", "/api/v1/namespaces/sa-adm/pods", pod("web", ""));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode spec = Json.tree(created.body()).path("spec");
        assertThat(spec.path("serviceAccountName").asString()).isEqualTo("default");
        JsonNode volume = spec.path("volumes").get(0);
        assertThat(volume.path("name").asString()).matches("kube-api-access-[a-z0-9]{5}");
        assertThat(volume.path("projected").path("defaultMode").asInt()).isEqualTo(420);
        assertThat(volume.path("projected").path("sources").get(0).path("serviceAccountToken").path("expirationSeconds").asLong()).isEqualTo(3607);
        assertThat(volume.path("projected").path("sources").get(1).path("configMap").path("name").asString()).isEqualTo("kube-root-ca.crt");
        assertThat(volume.path("projected").path("sources").get(2).path("downwardAPI").path("items").get(0).path("fieldRef").path("fieldPath").asString())
                .isEqualTo("metadata.namespace");
        JsonNode mount = spec.path("containers").get(0).path("volumeMounts").get(0);
        assertThat(mount.path("name").asString()).isEqualTo(volume.path("name").asString());
        assertThat(mount.path("mountPath").asString()).isEqualTo("/var/run/secrets/kubernetes.io/serviceaccount");
        assertThat(mount.path("readOnly").asBoolean()).isTrue();

        HttpResponse<String> optOut = send("POST", "/api/v1/namespaces/sa-adm/pods", pod("quiet", "  automountServiceAccountToken: false\n"));
        assertThat(optOut.statusCode()).as(optOut.body()).isEqualTo(201);
        assertThat(Json.tree(optOut.body()).path("spec").path("volumes").isEmpty()).isTrue();

        HttpResponse<String> unknown = send("POST", "/api/v1/namespaces/sa-adm/pods", pod("robot", "  serviceAccountName: robot\n"));
        assertThat(unknown.statusCode()).isEqualTo(403);
        assertThat(Json.tree(unknown.body()).path("message").asString())
                .isEqualTo("pods \"robot\" is forbidden: error looking up service account sa-adm/robot: serviceaccount \"robot\" not found");
    }
}
