package io.kube4j.kubeproxy.iptables;

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
import java.util.Arrays;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The iptables proxier against a real kernel: namespaces for a LAN, a control plane (etcd and the
 * apiserver), node A running the kube-proxy jar in iptables mode, node B, and a client host; six pods
 * (busybox httpd, each answering its own name), three behind node A and three behind node B (host-gw
 * route between the nodes). Services and EndpointSlices are written by hand through the apiserver's REST
 * API (no controller runs). Requests are made with curl from inside the namespaces. Needs root, iproute2,
 * iptables (nft or legacy backend, whichever {@code iptables} is), busybox, curl and etcd (.ci/run installs them).
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class IptablesProxierKernelIT {
    static final Map<String, String> PODS_A = Map.of("a1", "10.244.1.2", "a2", "10.244.1.3", "a3", "10.244.1.4");
    static final Map<String, String> PODS_B = Map.of("b1", "10.244.2.2", "b2", "10.244.2.3", "b3", "10.244.2.4");
    static final Set<String> ALL = union(PODS_A.keySet(), PODS_B.keySet());

    static NetnsLan lan;
    static NetnsControlPlane cp;
    static NetnsHost nodeA;
    static NetnsHost nodeB;
    static NetnsHost client;
    static Process kubeProxy;
    static Path www;
    static final Map<String, NetnsHost> pods = new LinkedHashMap<>();

    @BeforeAll
    static void cluster() throws Exception {
        assumeTrue(Netns.available(), "needs root and ip netns");
        assumeTrue(Netns.run("iptables", "--version").ok() && Netns.run("busybox", "httpd", "--help").exitCode() != 127
                && Netns.run("etcd", "--version").ok() && Netns.run("curl", "--version").ok(), "needs iptables, busybox, etcd, curl");
        lan = NetnsLan.create("10.123.0");
        try {
            cp = NetnsControlPlane.start(lan.host("cp", 254));
            nodeA = lan.host("node-a", 2);
            nodeB = lan.host("node-b", 3);
            client = lan.host("client", 10);
            // host-gw: each node routes the other's pod CIDR via the other's LAN address
            nodeA.route("10.244.2.0/24", nodeB.ip());
            nodeB.route("10.244.1.0/24", nodeA.ip());
            www = Files.createTempDirectory("iptables-kernel-it-");
            for (Map.Entry<String, String> e : union(PODS_A, PODS_B).entrySet()) {
                NetnsHost node = PODS_A.containsKey(e.getKey()) ? nodeA : nodeB;
                NetnsHost pod = node.addPod(e.getKey(), e.getValue());
                Path dir = Files.createDirectories(www.resolve(e.getKey()));
                Files.writeString(dir.resolve("index.html"), e.getKey());
                // /cgi-bin/ip answers the client address the pod sees (masqueraded or not)
                Path cgi = Files.createDirectories(dir.resolve("cgi-bin")).resolve("ip");
                Files.writeString(cgi, "#!/bin/sh\nprintf 'Content-Type: text/plain\\r\\n\\r\\n%s' \"$REMOTE_ADDR\"\n");
                cgi.toFile().setExecutable(true);
                pod.start("httpd", List.of("busybox", "httpd", "-f", "-p", "8080", "-h", dir.toString()));
                pods.put(e.getKey(), pod);
            }
            for (Map.Entry<String, NetnsHost> e : pods.entrySet()) {
                NetnsHost node = PODS_A.containsKey(e.getKey()) ? nodeA : nodeB;
                await().atMost(Duration.ofSeconds(10)).until(() -> node.run("curl", "-s", "--max-time", "2", "http://" + e.getValue().ip() + ":8080/").output().equals(e.getKey()));
            }
            kubeProxy = nodeA.startComponent("kube-proxy", "kube-proxy", 10256, "/healthz", List.of(
                    "--kube4j.apiserver.url=" + cp.url(),
                    "--kube4j.kube-proxy.mode=iptables",
                    "--kube4j.kube-proxy.hostname-override=node-a",
                    "--kube4j.kube-proxy.iptables.cluster-cidr=10.244.0.0/16"), Duration.ofMinutes(2));
            createService("web", "10.96.0.50", 30080, "None", "Cluster", true);
        } catch (Throwable t) {
            closeAll();
            throw t;
        }
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

    @Test
    @Order(1)
    void aClusterIpSpreadsOverTheEndpointsOnBothNodes() {
        await().atMost(Duration.ofSeconds(20)).until(() -> answers(nodeA, "http://10.96.0.50/", 1).size() == 1);
        List<String> got = answers(nodeA, "http://10.96.0.50/", 30);
        assertThat(got).hasSize(30);
        assertThat(ALL).containsAll(got);
        assertThat(new HashSet<>(got)).as("distinct backends in 30 requests: %s", got).hasSizeGreaterThanOrEqualTo(5);
        // the rules as the kernel has them: Kubernetes' chains, random probabilities, one DNAT per endpoint
        String nat = nodeA.exec("iptables-save", "-t", "nat");
        assertThat(nat).contains(":KUBE-SERVICES", ":KUBE-NODEPORTS", ":KUBE-POSTROUTING", ":KUBE-MARK-MASQ",
                "-A PREROUTING -m comment --comment \"kubernetes service portals\" -j KUBE-SERVICES",
                "-m statistic --mode random --probability 0.16666666651");
        assertThat(nat.lines().filter(l -> l.contains("-j DNAT --to-destination 10.244."))).hasSize(6);
        String filter = nodeA.exec("iptables-save", "-t", "filter");
        for (IptablesProxier.Jump jump : IptablesProxier.JUMPS) {
            assertThat(IptablesProxier.hasJump(jump.table().equals("nat") ? nat : filter, jump)).as("jump %s", jump).isTrue();
        }
        // a pod reaches the ClusterIP too, and through it even itself (hairpin, masqueraded)
        List<String> fromPod = answers(pods.get("a1"), "http://10.96.0.50/", 20);
        assertThat(ALL).containsAll(fromPod);
        assertThat(fromPod).hasSize(20);
    }

    @Test
    @Order(2)
    void aNodePortAnswersOnTheNodesLanAddressFromAnotherHost() {
        List<String> got = answers(client, "http://" + nodeA.ip() + ":30080/", 20);
        assertThat(got).hasSize(20);
        assertThat(ALL).containsAll(got);
        // externalTrafficPolicy Cluster: endpoints on both nodes serve (node B's via masquerade through node A)
        assertThat(got).anyMatch(PODS_A::containsKey).anyMatch(PODS_B::containsKey);
        // ... and the pods see node A's masquerading address, never the client's
        List<String> seen = clientAddresses(client, "http://" + nodeA.ip() + ":30080/cgi-bin/ip", 10);
        assertThat(seen).hasSize(10).doesNotContain(client.ip());
    }

    @Test
    @Order(3)
    void anEndpointThatBecomesUnreadyLeavesTheRotation() {
        long start = System.nanoTime();
        replaceSlice("web", Set.of("b1"));
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(100))
                .until(() -> !nodeA.exec("iptables-save", "-t", "nat").contains("--to-destination 10.244.2.2:8080"));
        System.out.printf("unready endpoint out of the rules after %d ms%n", (System.nanoTime() - start) / 1_000_000);
        List<String> got = answers(nodeA, "http://10.96.0.50/", 30);
        assertThat(got).hasSize(30).doesNotContain("b1");
        assertThat(new HashSet<>(got)).hasSizeGreaterThanOrEqualTo(4);

        replaceSlice("web", Set.of());
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.exec("iptables-save", "-t", "nat").contains("--to-destination 10.244.2.2:8080"));
    }

    @Test
    @Order(4)
    void clientIpAffinitySticksToOneEndpointPerClient() {
        createService("sticky", "10.96.0.51", 30081, "ClientIP", "Cluster", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> answers(nodeA, "http://10.96.0.51/", 1).size() == 1);
        List<String> fromNode = answers(nodeA, "http://10.96.0.51/", 20);
        assertThat(fromNode).hasSize(20);
        assertThat(new HashSet<>(fromNode)).as("one client, one backend: %s", fromNode).hasSize(1);
        List<String> fromPod = answers(pods.get("a2"), "http://10.96.0.51/", 20);
        assertThat(fromPod).hasSize(20);
        assertThat(new HashSet<>(fromPod)).as("one client, one backend: %s", fromPod).hasSize(1);
        assertThat(nodeA.exec("iptables-save", "-t", "nat")).contains("--rcheck --seconds 10800 --reap");
    }

    @Test
    @Order(5)
    void externalTrafficPolicyLocalServesOnlyThisNodesEndpointsOnTheNodePort() {
        createService("local", "10.96.0.52", 30082, "None", "Local", true);
        await().atMost(Duration.ofSeconds(20)).until(() -> answers(client, "http://" + nodeA.ip() + ":30082/", 1).size() == 1);
        List<String> got = answers(client, "http://" + nodeA.ip() + ":30082/", 20);
        assertThat(got).hasSize(20);
        assertThat(PODS_A.keySet()).as("only node A's pods: %s", got).containsAll(got);
        assertThat(new HashSet<>(got)).hasSizeGreaterThanOrEqualTo(2);
        // without masquerade: the pods see the client's own address (the point of policy Local)
        assertThat(clientAddresses(client, "http://" + nodeA.ip() + ":30082/cgi-bin/ip", 10)).hasSize(10).containsOnly(client.ip());
        // the ClusterIP of the same Service still reaches every endpoint (internal traffic policy Cluster)
        assertThat(answers(nodeA, "http://10.96.0.52/", 30)).anyMatch(PODS_B::containsKey);
        assertThat(nodeA.exec("iptables-save", "-t", "nat")).contains(":KUBE-SVL-", ":KUBE-EXT-");
    }

    @Test
    @Order(6)
    void aServiceWithoutEndpointsIsRejectedAtOnce() {
        createService("empty", "10.96.0.53", 30083, "None", "Cluster", false);
        await().atMost(Duration.ofSeconds(10)).until(() -> nodeA.exec("iptables-save", "-t", "filter").contains("default/empty:http has no endpoints"));
        Netns.Result r = nodeA.run("curl", "-s", "--max-time", "5", "http://10.96.0.53/");
        // curl exit 7: connection refused (REJECT), not 28: timed out
        assertThat(r.exitCode()).as(r.output()).isEqualTo(7);
    }

    @Test
    @Order(7)
    void stoppingKubeProxyRemovesEveryChainAndJump() {
        nodeA.stop(kubeProxy);
        String all = nodeA.exec("iptables-save");
        assertThat(all).doesNotContain("KUBE-");
    }

    /** {@code n} sequential requests with curl inside {@code from}; the answers (pod names), failures left out. */
    static List<String> answers(NetnsHost from, String url, int n) {
        Netns.Result r = from.sh("for i in $(seq " + n + "); do curl -s --max-time 3 " + url + "; echo; done");
        return Arrays.stream(r.output().split("\n")).map(String::strip).filter(s -> !s.isEmpty()).toList();
    }

    /** The client addresses the pods saw ({@code /cgi-bin/ip}; busybox writes IPv4 as {@code [::ffff:a.b.c.d]}). */
    static List<String> clientAddresses(NetnsHost from, String url, int n) {
        return answers(from, url, n).stream().map(a -> a.replace("[::ffff:", "").replace("]", "")).toList();
    }

    static final String SERVICES = "/api/v1/namespaces/default/services";
    static final String SLICES = "/apis/discovery.k8s.io/v1/namespaces/default/endpointslices";

    /** Creates a NodePort Service (port 80 "http" to 8080) and, unless {@code withSlice} is false, its slice. */
    static void createService(String name, String clusterIp, int nodePort, String affinity, String externalTrafficPolicy, boolean withSlice) {
        cp.api("POST", SERVICES, """
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "%s", "namespace": "default"},
                 "spec": {"type": "NodePort", "clusterIP": "%s", "sessionAffinity": "%s", "externalTrafficPolicy": "%s",
                          "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080, "nodePort": %d}]}}
                """.formatted(name, clusterIp, affinity, externalTrafficPolicy, nodePort)).orThrow("create Service " + name);
        if (withSlice) {
            cp.api("POST", SLICES, slice(name, Set.of())).orThrow("create EndpointSlice of " + name);
        }
    }

    /** Replaces the slice of {@code service} (an unconditional update: no resourceVersion). */
    static void replaceSlice(String service, Set<String> unready) {
        cp.api("PUT", SLICES + "/" + service + "-1", slice(service, unready)).orThrow("replace EndpointSlice of " + service);
    }

    /** The EndpointSlice of Service {@code service} over all six pods (with their nodeName), {@code unready} not ready. */
    static String slice(String service, Set<String> unready) {
        String endpoints = union(PODS_A, PODS_B).entrySet().stream().sorted(Map.Entry.comparingByKey())
                .map(e -> "{\"addresses\": [\"%s\"], \"nodeName\": \"%s\", \"conditions\": {\"ready\": %s}}".formatted(
                        e.getValue(), PODS_A.containsKey(e.getKey()) ? "node-a" : "node-b", !unready.contains(e.getKey())))
                .collect(Collectors.joining(",\n  "));
        return """
                {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                 "metadata": {"name": "%s-1", "namespace": "default", "labels": {"kubernetes.io/service-name": "%s"}},
                 "addressType": "IPv4",
                 "ports": [{"name": "http", "protocol": "TCP", "port": 8080}],
                 "endpoints": [%s]}
                """.formatted(service, service, endpoints);
    }

    static <T> Set<T> union(Set<T> a, Set<T> b) {
        Set<T> out = new HashSet<>(a);
        out.addAll(b);
        return out;
    }

    static Map<String, String> union(Map<String, String> a, Map<String, String> b) {
        Map<String, String> out = new LinkedHashMap<>(a);
        out.putAll(b);
        return out;
    }
}
