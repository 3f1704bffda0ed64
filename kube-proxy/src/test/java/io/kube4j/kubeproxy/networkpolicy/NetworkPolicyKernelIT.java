package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.kubeproxy.networkpolicy.NetworkPolicyCluster.PodSpec;
import io.kube4j.testing.netns.Netns;
import io.kube4j.testing.netns.NetnsHost;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * NetworkPolicy enforcement against a real kernel, pods routed by their node (a veth each, no bridge), on the
 * {@link NetworkPolicyCluster} fixture: four pods blue/web (A), blue/friend (B), red/other (B), red/near (A).
 * {@link BridgedNetworkPolicyKernelIT} is the same with the pods of a node on one Linux bridge.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkPolicyKernelIT {
    static final List<PodSpec> PODS = List.of(
            new PodSpec("blue", "web", "node-a", "10.244.1.2", "web"),
            new PodSpec("blue", "friend", "node-b", "10.244.2.2", "friend"),
            new PodSpec("red", "other", "node-b", "10.244.2.3", "other"),
            new PodSpec("red", "near", "node-a", "10.244.1.3", "near"));

    static NetworkPolicyCluster cluster;
    static NetnsHost nodeA;
    static NetnsHost nodeB;
    static NetnsHost client1;
    static NetnsHost client2;
    static Map<String, NetnsHost> pods;

    @BeforeAll
    static void cluster() throws Exception {
        cluster = NetworkPolicyCluster.start("10.125.0", NetworkPolicyCluster.Wiring.ROUTED, PODS);
        try {
            cluster.startProxies();
        } catch (Throwable t) {
            cluster.close();
            throw t;
        }
        nodeA = cluster.nodeA;
        nodeB = cluster.nodeB;
        client1 = cluster.client1;
        client2 = cluster.client2;
        pods = cluster.pods;
    }

    @AfterAll
    static void closeAll() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Netns.Result fetch(NetnsHost from, String to) {
        return cluster.fetch(from, to);
    }

    static boolean reaches(NetnsHost from, String to) {
        return cluster.reaches(from, to);
    }

    static void assertRefused(NetnsHost from, String to) {
        cluster.assertRefused(from, to);
    }

    static void createPolicy(String namespace, String json) {
        cluster.createPolicy(namespace, json);
    }

    static void deletePolicy(String namespace, String name) {
        cluster.deletePolicy(namespace, name);
    }

    @Test
    @Order(1)
    void withoutPoliciesEveryPodReachesEveryOther() {
        for (String from : pods.keySet()) {
            for (String to : pods.keySet()) {
                if (!from.equals(to)) {
                    await().atMost(Duration.ofSeconds(10)).until(() -> reaches(pods.get(from), to));
                }
            }
        }
        // the jumps end up first in FORWARD and OUTPUT, before the proxier's (inserted at the top on its first sync)
        for (NetnsHost node : List.of(nodeA, nodeB)) {
            await().atMost(Duration.ofSeconds(10)).until(() -> {
                String filter = node.exec("iptables-save", "-t", "filter");
                return NetworkPolicyController.jumpIsFirst(filter, "FORWARD") && NetworkPolicyController.jumpIsFirst(filter, "OUTPUT");
            });
            String filter = node.exec("iptables-save", "-t", "filter");
            assertThat(filter).contains(":KUBE-NWPLCY - [0:0]", "-j KUBE-FORWARD").doesNotContain(":KUBE-NWPLCY-");
        }
    }

    @Test
    @Order(2)
    void aPolicyAllowingOnlyItsOwnNamespaceRefusesTheOtherAndLiftingItRestoresTraffic() {
        createPolicy("blue", """
                {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "same-namespace", "namespace": "blue"},
                 "spec": {"podSelector": {}, "ingress": [{"from": [{"podSelector": {}}]}]}}
                """);
        long start = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> fetch(pods.get("other"), "web").exitCode() == 7);
        System.out.printf("policy enforced after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        await().atMost(Duration.ofSeconds(10)).until(() -> fetch(pods.get("near"), "friend").exitCode() == 7);
        // the other namespace: refused on both nodes, from the same node and across nodes
        assertRefused(pods.get("other"), "web");
        assertRefused(pods.get("near"), "web");
        assertRefused(pods.get("other"), "friend");
        assertRefused(pods.get("near"), "friend");
        // the same namespace, across nodes both ways
        assertThat(reaches(pods.get("friend"), "web")).isTrue();
        assertThat(reaches(pods.get("web"), "friend")).isTrue();
        // red is not isolated, and blue's egress is not: replies of blue's own connections come back
        assertThat(reaches(pods.get("web"), "other")).isTrue();
        assertThat(reaches(pods.get("friend"), "near")).isTrue();
        // the node itself always reaches its pods
        assertThat(nodeA.run("curl", "-s", "--max-time", "2", "http://10.244.1.2:8080/").output()).isEqualTo("web");

        deletePolicy("blue", "same-namespace");
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100)).until(() -> reaches(pods.get("other"), "web"));
        assertThat(reaches(pods.get("near"), "friend")).isTrue();
        assertThat(nodeA.exec("iptables-save", "-t", "filter")).doesNotContain(":KUBE-NWPLCY-");
    }

    @Test
    @Order(3)
    void anIpBlockAllowsOneClientByAddress() {
        createPolicy("blue", """
                {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "lan-but-one", "namespace": "blue"},
                 "spec": {"podSelector": {"matchLabels": {"app": "web"}},
                          "ingress": [{"from": [{"ipBlock": {"cidr": "10.125.0.0/24", "except": ["10.125.0.11/32"]}}],
                                       "ports": [{"protocol": "TCP", "port": 8080}]}]}}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> fetch(client2, "web").exitCode() == 7);
        assertThat(reaches(client1, "web")).isTrue();
        assertRefused(client2, "web");
        // pods are outside the block: even blue's own
        assertRefused(pods.get("friend"), "web");
        assertRefused(pods.get("other"), "web");
        // only web is selected
        assertThat(reaches(client2, "friend")).isTrue();
        deletePolicy("blue", "lan-but-one");
        await().atMost(Duration.ofSeconds(10)).until(() -> reaches(client2, "web"));
    }

    @Test
    @Order(4)
    void anEgressPolicyBlocksAPodsOutboundTrafficExceptToOnePeer() {
        createPolicy("red", """
                {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "only-friend", "namespace": "red"},
                 "spec": {"podSelector": {"matchLabels": {"app": "other"}}, "policyTypes": ["Egress"],
                          "egress": [{"to": [{"namespaceSelector": {"matchLabels": {"team": "blue"}}, "podSelector": {"matchLabels": {"app": "friend"}}}],
                                      "ports": [{"port": "http"}]}]}}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> fetch(pods.get("other"), "web").exitCode() == 7);
        assertThat(reaches(pods.get("other"), "friend")).isTrue();
        assertRefused(pods.get("other"), "web");
        assertRefused(pods.get("other"), "near");
        // ingress to the pod is not isolated by an Egress-only policy
        assertThat(reaches(pods.get("web"), "other")).isTrue();
        assertThat(reaches(client1, "other")).isTrue();
        deletePolicy("red", "only-friend");
        await().atMost(Duration.ofSeconds(10)).until(() -> reaches(pods.get("other"), "web"));
    }

    @Test
    @Order(5)
    void aDenyAllPolicyCannotBlockAPodFromItselfThroughAService() {
        cluster.createService("blue", "web", "10.96.0.60", "web");
        await().atMost(Duration.ofSeconds(10)).until(() -> "web".equals(pods.get("near").run("curl", "-s", "--max-time", "2", "http://10.96.0.60/").output()));
        createPolicy("blue", """
                {"apiVersion": "networking.k8s.io/v1", "kind": "NetworkPolicy", "metadata": {"name": "deny-all", "namespace": "blue"},
                 "spec": {"podSelector": {}}}
                """);
        await().atMost(Duration.ofSeconds(10)).until(() -> pods.get("near").run("curl", "-s", "--max-time", "2", "http://10.96.0.60/").exitCode() == 7);
        // through the ClusterIP (DNAT before the filter): the same rules as to the pod's own address
        assertThat(pods.get("near").run("curl", "-s", "--max-time", "2", "http://10.96.0.60/").exitCode()).isEqualTo(7);
        assertRefused(pods.get("friend"), "web");
        // the pod itself, hairpinned through node A
        assertThat(pods.get("web").run("curl", "-s", "--max-time", "2", "http://10.96.0.60/").output()).isEqualTo("web");
    }

    @Test
    @Order(6)
    void stoppingKubeProxyRemovesEveryChainAndJump() {
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.exec("iptables-save", "-t", "filter").contains(":KUBE-NWPLCY-"));
        nodeA.stop(cluster.proxyA);
        nodeB.stop(cluster.proxyB);
        for (NetnsHost node : List.of(nodeA, nodeB)) {
            assertThat(node.exec("iptables-save")).doesNotContain("KUBE-");
        }
        assertThat(reaches(pods.get("other"), "web")).isTrue();
    }
}
