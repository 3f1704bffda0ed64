package io.kube4j.kubelet;

import io.kube4j.api.Node;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class HollowKubeletsTest {
    private final RecordingApiClient api = new RecordingApiClient();
    private Kubelets kubelets;

    private static KubeletProperties props(String runtime, int count) {
        return new KubeletProperties("hollow", runtime, count, "127.0.0.1",
                new KubeletProperties.Capacity("8", "32Gi", "110"), Map.of("kube4j.io/hollow", "true"), List.of("hollow=true:NoSchedule"),
                "local/busybox:latest", "", Duration.ofSeconds(1), Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(40),
                new KubeletProperties.Docker("/var/run/docker.sock", "", new KubeletProperties.PodNetwork("", "cluster.local", "", "")), new KubeletProperties.Fake(Duration.ZERO, "", Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1), "0", "0"),
                "", "", new KubeletProperties.Authentication("", true, new KubeletProperties.TokenWebhook(false, Duration.ofMinutes(2))),
                new KubeletProperties.Authorization("AlwaysAllow", new KubeletProperties.Webhook(Duration.ofMinutes(5), Duration.ofSeconds(30))),
                "docker", new KubeletProperties.Cni("/usr/lib/cni:/opt/cni/bin", "/etc/cni/net.d"), "10.0.0.0/8");
    }

    @AfterEach
    void stop() {
        if (kubelets != null) {
            kubelets.destroy();
        }
    }

    @Test
    void oneProcessRunsManyHollowKubeletsEachWithItsOwnNode() {
        kubelets = new Kubelets(props("fake", 3), api, new SimpleMeterRegistry(), (pod, c) -> Map.of(), new RuntimeFactory());

        kubelets.start(10250);

        await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
            for (String name : List.of("hollow-0", "hollow-1", "hollow-2")) {
                Node node = api.stored(Node.class, null, name);
                assertThat(node).isNotNull();
                assertThat(node.metadata.labels).containsEntry("kube4j.io/hollow", "true").containsEntry("kubernetes.io/hostname", name);
                assertThat(node.spec.taints).extracting(Object::toString).containsExactly("hollow=true:NoSchedule");
                assertThat(node.status.capacity.get("cpu").toString()).isEqualTo("8");
                assertThat(node.status.condition("Ready").status).isEqualTo("True");
            }
        });
        assertThat(kubelets.all()).extracting(Kubelet::nodeName).containsExactly("hollow-0", "hollow-1", "hollow-2");
    }

    @Test
    void manyKubeletsNeedTheFakeRuntime() {
        kubelets = new Kubelets(props("docker", 2), api, new SimpleMeterRegistry(), (pod, c) -> Map.of(), new RuntimeFactory());
        assertThatThrownBy(() -> kubelets.start(10250)).hasMessageContaining("fake runtime");
    }
}
