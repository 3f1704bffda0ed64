package io.kube4j.allinone;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The all-in-one asked by name for no security ({@code --kube4j.security.insecure=true}): plain HTTP, every
 * request allowed without credentials, no PKI, and the kubeconfig it writes has no user credentials.
 */
class AllInOneInsecureIT {
    @TempDir
    static Path dir;
    static AllInOne aio;
    static int port;

    @BeforeAll
    static void start() {
        port = ApiServerProcess.freePort();
        aio = new AllInOne(AllInOneOptions.parse(new String[]{"--port=" + port, "--kube4j.security.insecure=true",
                "--kubeconfig=" + dir.resolve("kubeconfig.yaml"), "--data-dir=" + dir.resolve("data")}, System.getenv()));
        aio.start(Duration.ofMinutes(3));
    }

    @AfterAll
    static void stop() {
        if (aio != null) {
            aio.close();
        }
    }

    @Test
    void anyoneMayListOverPlainHttp() throws Exception {
        ApiClient anonymous = new ApiClient("http://127.0.0.1:" + port, "all-in-one-it");

        assertThat(anonymous.list(Node.class, null).items).extracting(n -> n.metadata.name).containsExactly("node-0");
        assertThat(anonymous.list(Pod.class, "default").items).isEmpty();
        assertThat(aio.pkiDir()).isNull();
        assertThat(dir.resolve("data").resolve("pki")).doesNotExist();
        assertThat(Files.readString(dir.resolve("kubeconfig.yaml"))).contains("server: http://127.0.0.1:" + port).contains("user: {}")
                .doesNotContain("client-key-data");
    }
}
