package io.kube4j.allinone;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The all-in-one asked by name for no security ({@code --kube4j.security.insecure=true}): plain HTTP, every
 * request allowed without credentials, no PKI, and the kubeconfig it writes has no user credentials. Given
 * only {@code --data-dir}, everything of the cluster lives there (the kubeconfig, etcd's data, the kubelets'
 * files), and a restart on the same data directory finds the objects written before.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class AllInOneInsecureIT {
    @TempDir
    static Path dir;
    static AllInOne aio;
    static int port;

    static AllInOne start() {
        AllInOne started = new AllInOne(AllInOneOptions.parse(new String[]{"--port=" + port, "--kube4j.security.insecure=true",
                "--data-dir=" + dir.resolve("data")}, System.getenv()));
        started.start(Duration.ofMinutes(3));
        return started;
    }

    @BeforeAll
    static void startCluster() {
        port = ApiServerProcess.freePort();
        aio = start();
    }

    @AfterAll
    static void stop() {
        if (aio != null) {
            aio.close();
        }
    }

    @Test
    @Order(1)
    void anyoneMayListOverPlainHttp() throws Exception {
        ApiClient anonymous = new ApiClient("http://127.0.0.1:" + port, "all-in-one-it");

        assertThat(anonymous.list(Node.class, null).items).extracting(n -> n.metadata.name).containsExactly("node-0");
        assertThat(anonymous.list(Pod.class, "default").items).isEmpty();
        assertThat(aio.pkiDir()).isNull();
        assertThat(dir.resolve("data").resolve("pki")).doesNotExist();
        assertThat(aio.kubeconfigFile()).isEqualTo(dir.resolve("data").resolve("kubeconfig.yaml"));
        assertThat(Files.readString(dir.resolve("data").resolve("kubeconfig.yaml"))).contains("server: http://127.0.0.1:" + port).contains("user: {}")
                .doesNotContain("client-key-data");
        assertThat(dir.resolve("data").resolve("kubelet")).isDirectory();
    }

    @Test
    @Order(2)
    void etcdsDataLivesInTheDataDirAndSurvivesARestart() {
        // an etcd of the environment's (KUBE4J_ETCD_ENDPOINTS) is not ours to place
        org.junit.jupiter.api.Assumptions.assumeTrue(aio.options().etcdEndpoints().isBlank(), "etcd is started by the all-in-one");
        ApiClient anonymous = new ApiClient("http://127.0.0.1:" + port, "all-in-one-it");
        anonymous.create(Json.readYaml("""
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: kept, namespace: default}
                data: {a: b}
                """, ConfigMap.class));
        assertThat(dir.resolve("data").resolve("etcd").resolve("data").resolve("member")).isDirectory();

        aio.close();
        aio = null;
        assertThat(dir.resolve("data").resolve("etcd").resolve("data").resolve("member")).isDirectory();
        assertThat(dir.resolve("data").resolve("kubeconfig.yaml")).exists();
        aio = start();

        assertThat(anonymous.get(ConfigMap.class, "default", "kept").data).containsEntry("a", "b");
    }
}
