package io.kube4j.testcontainers;

import org.junit.jupiter.api.Test;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code withReuse(true)}: a second container with the same settings is the first one (same id, same
 * objects), and its manifests are applied again without error (server-side apply). Needs reuse enabled
 * for Testcontainers ({@code TESTCONTAINERS_REUSE_ENABLE=true}, set by this module's failsafe configuration).
 */
class Kube4jContainerReuseIT {
    static final String IMAGE = System.getProperty("kube4j.all-in-one.image", "kube4j/all-in-one:latest");
    static final String MANIFEST = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: reused
            data:
              answer: "42"
            """;

    @Test
    void aSecondContainerWithTheSameSettingsIsTheFirstOne() throws Exception {
        Kube4jContainer first = new Kube4jContainer(IMAGE).withReuse(true).withManifest(MANIFEST);
        try {
            first.start();
            Kube4jContainer second = new Kube4jContainer(IMAGE).withReuse(true).withManifest(MANIFEST);
            second.start();

            assertThat(second.getContainerId()).isEqualTo(first.getContainerId());
            assertThat(second.getApiServerUrl()).isEqualTo(first.getApiServerUrl());
            HttpResponse<String> cm = HttpClient.newHttpClient().send(HttpRequest.newBuilder(
                    URI.create(second.getApiServerUrl() + "/api/v1/namespaces/default/configmaps/reused")).build(), HttpResponse.BodyHandlers.ofString());
            assertThat(cm.statusCode()).isEqualTo(200);
            assertThat(cm.body()).contains("\"answer\":\"42\"").contains("\"manager\":\"testcontainers-kube4j\"");
        } finally {
            // a reused container outlives the JVM unless stopped: this test leaves nothing behind
            first.stop();
        }
    }
}
