package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.testing.netns.Netns;
import io.kube4j.testing.netns.NetnsControlPlane;
import io.kube4j.testing.netns.NetnsHost;
import io.kube4j.testing.netns.NetnsLan;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * NetworkPolicy enforcement against a real kernel: a LAN of namespaces with a control plane (etcd and the
 * apiserver), nodes A and B each running the kube-proxy jar with {@code network-policy=true} (host-gw
 * routes between their pod CIDRs), two client hosts on the LAN, and four pods (busybox httpd answering
 * their own name) registered in the apiserver by hand with their node and IP (no kubelet runs):
 * blue/web (A), blue/friend (B), red/other (B), red/near (A). Requests are curl from inside the
 * namespaces with {@code --max-time 2}: a blocked request fails fast with exit 7 (REJECT, connection
 * refused). Needs root, iproute2, iptables, busybox, curl and etcd (.ci/run installs them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class NetworkPolicyKernelIT {
    record PodSpec(String namespace, String name, String node, String ip, String app) {
    }

    static final List<PodSpec> PODS = List.of(
            new PodSpec("blue", "web", "node-a", "10.244.1.2", "web"),
            new PodSpec("blue", "friend", "node-b", "10.244.2.2", "friend"),
            new PodSpec("red", "other", "node-b", "10.244.2.3", "other"),
            new PodSpec("red", "near", "node-a", "10.244.1.3", "near"));

    static NetnsLan lan;
    static NetnsControlPlane cp;
    static NetnsHost nodeA;
    static NetnsHost nodeB;
    static NetnsHost client1;
    static NetnsHost client2;
    static Process proxyA;
    static Process proxyB;
    static Path www;
    static final Map<String, NetnsHost> pods = new LinkedHashMap<>();

    @BeforeAll
    static void cluster() throws Exception {
        assumeTrue(Netns.available(), "needs root and ip netns");
        assumeTrue(Netns.run("iptables", "--version").ok() && Netns.run("busybox", "httpd", "--help").exitCode() != 127
                && Netns.run("etcd", "--version").ok() && Netns.run("curl", "--version").ok(), "needs iptables, busybox, etcd, curl");
        lan = NetnsLan.create("10.125.0");
        try {
            cp = NetnsControlPlane.start(lan.host("cp", 254));
            nodeA = lan.host("node-a", 2);
            nodeB = lan.host("node-b", 3);
            client1 = lan.host("client1", 10);
            client2 = lan.host("client2", 11);
            nodeA.route("10.244.2.0/24", nodeB.ip());
            nodeB.route("10.244.1.0/24", nodeA.ip());
            for (NetnsHost c : List.of(client1, client2)) {
                c.route("10.244.1.0/24", nodeA.ip());
                c.route("10.244.2.0/24", nodeB.ip());
            }
            www = Files.createTempDirectory("netpol-kernel-it-");
            for (String ns : List.of("blue", "red")) {
                cp.api("POST", "/api/v1/namespaces", """
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s", "labels": {"team": "%s"}}}
                        """.formatted(ns, ns)).orThrow("create namespace " + ns);
            }
            for (PodSpec p : PODS) {
                NetnsHost node = p.node().equals("node-a") ? nodeA : nodeB;
                NetnsHost pod = node.addPod(p.name(), p.ip());
                Path dir = Files.createDirectories(www.resolve(p.name()));
                Files.writeString(dir.resolve("index.html"), p.name());
                pod.start("httpd", List.of("busybox", "httpd", "-f", "-p", "8080", "-h", dir.toString()));
                pods.put(p.name(), pod);
                registerPod(p);
            }
            proxyA = startProxy(nodeA);
            proxyB = startProxy(nodeB);
        } catch (Throwable t) {
            closeAll();
            throw t;
        }
    }

    static Process startProxy(NetnsHost node) {
        return node.startComponent("kube-proxy", "kube-proxy", 10256, "/healthz", List.of(
                "--kube4j.apiserver.url=" + cp.url(),
                "--kube4j.kube-proxy.mode=iptables",
                "--kube4j.kube-proxy.network-policy=true",
                "--kube4j.kube-proxy.hostname-override=" + node.name(),
                "--kube4j.kube-proxy.iptables.cluster-cidr=10.244.0.0/16"), Duration.ofMinutes(2));
    }

    /** The Pod object as a kubelet would leave it: bound to its node, Running, with its IP in status. */
    static void registerPod(PodSpec p) {
        String path = "/api/v1/namespaces/" + p.namespace() + "/pods";
        String pod = """
                {"apiVersion": "v1", "kind": "Pod", "metadata": {"name": "%s", "namespace": "%s", "labels": {"app": "%s"}},
                 "spec": {"nodeName": "%s", "containers": [{"name": "httpd", "image": "busybox",
                          "ports": [{"name": "http", "containerPort": 8080}]}]}%s}
                """;
        cp.api("POST", path, pod.formatted(p.name(), p.namespace(), p.app(), p.node(), "")).orThrow("create pod " + p.name());
        String status = ", \"status\": {\"phase\": \"Running\", \"podIP\": \"%s\", \"podIPs\": [{\"ip\": \"%s\"}]}".formatted(p.ip(), p.ip());
        cp.api("PUT", path + "/" + p.name() + "/status", pod.formatted(p.name(), p.namespace(), p.app(), p.node(), status))
                .orThrow("status of pod " + p.name());
    }

    @AfterAll
    static void closeAll() {
        if (lan != null) {
            if (cp != null) {
                cp.close();
            }
            lan.close();
        }
        if (www != null) {
            try (var files = Files.walk(www)) {
                files.sorted(java.util.Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (java.io.IOException e) {
                // a temp directory left behind is harmless
            }
        }
    }

    static String ipOf(String pod) {
        return PODS.stream().filter(p -> p.name().equals(pod)).findFirst().orElseThrow().ip();
    }

    /** curl from {@code from} to pod {@code to} (port 8080), at most 2 s. */
    static Netns.Result fetch(NetnsHost from, String to) {
        return from.run("curl", "-s", "--max-time", "2", "http://" + ipOf(to) + ":8080/");
    }

    static boolean reaches(NetnsHost from, String to) {
        Netns.Result r = fetch(from, to);
        return r.ok() && r.output().equals(to);
    }

    /** Asserts the request is refused (REJECT: curl exit 7) well within curl's 2 s limit. */
    static void assertRefused(NetnsHost from, String to) {
        long start = System.nanoTime();
        Netns.Result r = fetch(from, to);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.exitCode()).as("%s -> %s: %s", from, to, r.output()).isEqualTo(7);
        assertThat(ms).as("refused quickly").isLessThan(1500);
    }

    static void createPolicy(String namespace, String json) {
        cp.api("POST", "/apis/networking.k8s.io/v1/namespaces/" + namespace + "/networkpolicies", json).orThrow("create policy");
    }

    static void deletePolicy(String namespace, String name) {
        cp.api("DELETE", "/apis/networking.k8s.io/v1/namespaces/" + namespace + "/networkpolicies/" + name, null).orThrow("delete policy " + name);
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
        cp.api("POST", "/api/v1/namespaces/blue/services", """
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "web", "namespace": "blue"},
                 "spec": {"clusterIP": "10.96.0.60", "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080}]}}
                """).orThrow("create Service");
        cp.api("POST", "/apis/discovery.k8s.io/v1/namespaces/blue/endpointslices", """
                {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                 "metadata": {"name": "web-1", "namespace": "blue", "labels": {"kubernetes.io/service-name": "web"}},
                 "addressType": "IPv4", "ports": [{"name": "http", "protocol": "TCP", "port": 8080}],
                 "endpoints": [{"addresses": ["10.244.1.2"], "nodeName": "node-a", "conditions": {"ready": true}}]}
                """).orThrow("create EndpointSlice");
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
        nodeA.stop(proxyA);
        nodeB.stop(proxyB);
        for (NetnsHost node : List.of(nodeA, nodeB)) {
            assertThat(node.exec("iptables-save")).doesNotContain("KUBE-");
        }
        assertThat(reaches(pods.get("other"), "web")).isTrue();
    }
}
