package io.kube4j.apiserver;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Status;
import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.net.http.HttpResponse;
import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** etcd down → 503 with a clear message; etcd back → the same apiserver serves again, no restart. */
class EtcdOutageIT {
    static ApiServerFixture fx;

    @BeforeAll
    static void start() {
        // a fixed host port, so that etcd comes back where the apiserver expects it after a restart
        int port = io.kube4j.testing.ApiServerProcess.freePort();
        io.kube4j.testing.EtcdContainer etcd = new io.kube4j.testing.EtcdContainer();
        etcd.withCreateContainerCmdModifier(cmd -> cmd.getHostConfig().withPortBindings(
                new com.github.dockerjava.api.model.PortBinding(com.github.dockerjava.api.model.Ports.Binding.bindPort(port),
                        new com.github.dockerjava.api.model.ExposedPort(2379))));
        fx = new ApiServerFixture(etcd).start("--kube4j.etcd.request-timeout=2s");
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static String podJson(String name) {
        Pod p = new Pod();
        p.metadata.name = name;
        Container c = new Container();
        c.name = "main";
        c.image = "busybox";
        p.spec.containers.add(c);
        return Json.write(p);
    }

    @Test
    void etcdDownGives503AndRecoveryNeedsNoRestart() {
        assertThat(fx.send("POST", "/api/v1/namespaces/default/pods", "application/json", podJson("before")).statusCode()).isEqualTo(201);
        var docker = fx.etcd.getDockerClient();
        docker.stopContainerCmd(fx.etcd.getContainerId()).withTimeout(5).exec();
        try {
            HttpResponse<String> write = fx.send("POST", "/api/v1/namespaces/default/pods", "application/json", podJson("during"));
            assertThat(write.statusCode()).isEqualTo(503);
            Status s = Json.read(write.body(), Status.class);
            assertThat(s.reason).isEqualTo("ServiceUnavailable");
            assertThat(s.message).contains("etcd");
            assertThat(fx.send("GET", "/api/v1/namespaces/default/pods/before", null, null).statusCode()).isEqualTo(503);
            // healthz.go handleRootHealth answers a failed check with http.Error(..., StatusInternalServerError)
            HttpResponse<String> readyz = fx.send("GET", "/readyz", null, null);
            assertThat(readyz.statusCode()).isEqualTo(500);
            assertThat(readyz.body()).contains("[-]etcd failed: reason withheld\n").endsWith("readyz check failed\n");
        } finally {
            docker.startContainerCmd(fx.etcd.getContainerId()).exec();
        }
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(fx.send("POST", "/api/v1/namespaces/default/pods", "application/json", podJson("after")).statusCode()).isEqualTo(201));
        assertThat(fx.send("GET", "/api/v1/namespaces/default/pods/before", null, null).statusCode()).isEqualTo(200);
        assertThat(fx.send("GET", "/readyz", null, null).statusCode()).isEqualTo(200);
        HttpResponse<String> list = fx.send("GET", "/api/v1/namespaces/default/pods", null, null);
        assertThat(list.body()).contains("\"before\"", "\"after\"").doesNotContain("\"during\"");
    }
}
