package io.kube4j.controllermanager;

import io.kube4j.api.Event;
import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The node IPAM controller in the controller-manager against a real apiserver on a real etcd
 * ({@code --allocate-node-cidrs}, a /23 cluster CIDR cut into two /24s): two Nodes get distinct blocks through the
 * apiserver's patch of {@code spec.podCIDR}/{@code podCIDRs}; a third gets {@code CIDRNotAvailable} until one of
 * the first two is deleted, then that block.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeIpamIT {
    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster() throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=false",
                "--kube4j.controller-manager.allocate-node-cidrs=true",
                "--kube4j.controller-manager.cluster-cidr=10.96.64.0/23",
                "--kube4j.controller-manager.node-cidr-mask-size=24");
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    static Node node(String name) {
        Node n = new Node();
        n.metadata.name = name;
        return n;
    }

    String podCidr(String name) {
        return client.find(Node.class, null, name).map(n -> n.spec.podCIDR).orElse(null);
    }

    @Test
    void twoNodesGetDistinctBlocksAndAThirdWaitsForOneToBeReleased() {
        client.create(node("ipam-a"));
        client.create(node("ipam-b"));
        await().atMost(Duration.ofSeconds(20)).until(() -> podCidr("ipam-a") != null && podCidr("ipam-b") != null);

        Node a = client.get(Node.class, null, "ipam-a");
        Node b = client.get(Node.class, null, "ipam-b");
        assertThat(a.spec.podCIDRs).containsExactly(a.spec.podCIDR);
        assertThat(b.spec.podCIDRs).containsExactly(b.spec.podCIDR);
        assertThat(java.util.List.of(a.spec.podCIDR, b.spec.podCIDR)).containsExactlyInAnyOrder("10.96.64.0/24", "10.96.65.0/24");

        client.create(node("ipam-c"));
        await().atMost(Duration.ofSeconds(20)).until(() -> client.list(Event.class, "default").items.stream()
                .anyMatch(e -> "CIDRNotAvailable".equals(e.reason) && "ipam-c".equals(e.involvedObject.name)));
        assertThat(podCidr("ipam-c")).isNull();

        client.delete(Node.class, null, "ipam-a");
        await().atMost(Duration.ofSeconds(30)).until(() -> a.spec.podCIDR.equals(podCidr("ipam-c")));
        assertThat(podCidr("ipam-b")).isEqualTo(b.spec.podCIDR);
    }
}
