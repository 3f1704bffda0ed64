package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.testing.netns.Netns;
import io.kube4j.testing.netns.NetnsControlPlane;
import io.kube4j.testing.netns.NetnsHost;
import io.kube4j.testing.netns.NetnsLan;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The shared fixture of the NetworkPolicy kernel tests: a LAN of namespaces with a control plane (etcd and the
 * apiserver), nodes {@code node-a} (LAN .2, pod CIDR 10.244.1.0/24) and {@code node-b} (LAN .3, 10.244.2.0/24)
 * routing each other's pod CIDR (host-gw), two client hosts on the LAN ({@code client1} .10, {@code client2} .11)
 * routing both pod CIDRs via the nodes, and pods (busybox httpd on 8080 answering their own name) registered in
 * the apiserver by hand with their node and IP (no kubelet runs). Pods are wired {@link Wiring#ROUTED} (a veth
 * per pod, plain routing) or {@link Wiring#BRIDGED} (CNI bridge plugin style: every pod of a node on the node's
 * {@code cni0} with the gateway {@code 10.244.<n>.1/24}). kube-proxy (the jar, {@code mode=iptables},
 * {@code network-policy=true}) starts on both nodes with {@link #startProxies}. Requests are curl from inside
 * the namespaces with {@code --max-time 2}: a blocked request fails fast with exit 7 (REJECT, connection refused).
 * Needs root, iproute2, iptables, busybox, curl and etcd (.ci/run installs them); skipped (assumption) without.
 */
final class NetworkPolicyCluster implements AutoCloseable {
    /** How pods are attached to their node. */
    enum Wiring { ROUTED, BRIDGED }

    /** One pod: namespace, name, node ({@code node-a} or {@code node-b}), IP, label {@code app}. */
    record PodSpec(String namespace, String name, String node, String ip, String app) {
    }

    final List<PodSpec> specs;
    final Map<String, NetnsHost> pods = new LinkedHashMap<>();
    NetnsLan lan;
    NetnsControlPlane cp;
    NetnsHost nodeA;
    NetnsHost nodeB;
    NetnsHost client1;
    NetnsHost client2;
    Process proxyA;
    Process proxyB;
    private Path www;

    private NetworkPolicyCluster(List<PodSpec> specs) {
        this.specs = specs;
    }

    /**
     * Builds the LAN, the control plane, the nodes, the clients and the pods (namespaces {@code blue} and
     * {@code red} with label {@code team=<name>}); everything is closed again when a step fails.
     *
     * @param lanSubnet the LAN's first three octets
     */
    static NetworkPolicyCluster start(String lanSubnet, Wiring wiring, List<PodSpec> specs) throws Exception {
        assumeTrue(Netns.available(), "needs root and ip netns");
        assumeTrue(Netns.run("iptables", "--version").ok() && Netns.run("busybox", "httpd", "--help").exitCode() != 127
                && Netns.run("etcd", "--version").ok() && Netns.run("curl", "--version").ok(), "needs iptables, busybox, etcd, curl");
        NetworkPolicyCluster c = new NetworkPolicyCluster(specs);
        c.lan = NetnsLan.create(lanSubnet);
        try {
            c.cp = NetnsControlPlane.start(c.lan.host("cp", 254));
            c.nodeA = c.lan.host("node-a", 2);
            c.nodeB = c.lan.host("node-b", 3);
            c.client1 = c.lan.host("client1", 10);
            c.client2 = c.lan.host("client2", 11);
            c.nodeA.route("10.244.2.0/24", c.nodeB.ip());
            c.nodeB.route("10.244.1.0/24", c.nodeA.ip());
            for (NetnsHost client : List.of(c.client1, c.client2)) {
                client.route("10.244.1.0/24", c.nodeA.ip());
                client.route("10.244.2.0/24", c.nodeB.ip());
            }
            c.www = Files.createTempDirectory("netpol-kernel-it-");
            for (String ns : List.of("blue", "red")) {
                c.cp.api("POST", "/api/v1/namespaces", """
                        {"apiVersion": "v1", "kind": "Namespace", "metadata": {"name": "%s", "labels": {"team": "%s"}}}
                        """.formatted(ns, ns)).orThrow("create namespace " + ns);
            }
            for (PodSpec p : specs) {
                boolean onA = p.node().equals("node-a");
                NetnsHost node = onA ? c.nodeA : c.nodeB;
                NetnsHost pod = wiring == Wiring.ROUTED ? node.addPod(p.name(), p.ip())
                        : node.addBridgedPod(p.name(), p.ip(), "cni0", onA ? "10.244.1.1/24" : "10.244.2.1/24");
                Path dir = Files.createDirectories(c.www.resolve(p.name()));
                Files.writeString(dir.resolve("index.html"), p.name());
                pod.start("httpd", List.of("busybox", "httpd", "-f", "-p", "8080", "-h", dir.toString()));
                c.pods.put(p.name(), pod);
                c.registerPod(p);
            }
        } catch (Throwable t) {
            c.close();
            throw t;
        }
        return c;
    }

    /** Starts kube-proxy on both nodes (waits until each answers /healthz). */
    void startProxies() {
        proxyA = startProxy(nodeA);
        proxyB = startProxy(nodeB);
    }

    private Process startProxy(NetnsHost node) {
        return node.startComponent("kube-proxy", "kube-proxy", 10256, "/healthz", List.of(
                "--kube4j.apiserver.url=" + cp.url(),
                "--kube4j.kube-proxy.mode=iptables",
                "--kube4j.kube-proxy.network-policy=true",
                "--kube4j.kube-proxy.hostname-override=" + node.name(),
                "--kube4j.kube-proxy.iptables.cluster-cidr=10.244.0.0/16"), Duration.ofMinutes(2));
    }

    /** The Pod object as a kubelet would leave it: bound to its node, Running, with its IP in status. */
    void registerPod(PodSpec p) {
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

    /** Closes every namespace (processes, veths, bridges and iptables rules go with them) and the web root. */
    @Override
    public void close() {
        if (lan != null) {
            if (cp != null) {
                cp.close();
            }
            lan.close();
        }
        if (www != null) {
            try (var files = Files.walk(www)) {
                files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
            } catch (IOException e) {
                // a temp directory left behind is harmless
            }
        }
    }

    NetnsHost pod(String name) {
        return pods.get(name);
    }

    String ipOf(String pod) {
        return specs.stream().filter(p -> p.name().equals(pod)).findFirst().orElseThrow().ip();
    }

    /** curl from {@code from} to pod {@code to} (port 8080), at most 2 s. */
    Netns.Result fetch(NetnsHost from, String to) {
        return get(from, "http://" + ipOf(to) + ":8080/");
    }

    /** curl of {@code url} from {@code from}, at most 2 s. */
    static Netns.Result get(NetnsHost from, String url) {
        return from.run("curl", "-s", "--max-time", "2", url);
    }

    boolean reaches(NetnsHost from, String to) {
        Netns.Result r = fetch(from, to);
        return r.ok() && r.output().equals(to);
    }

    /** Asserts the request is refused (REJECT: curl exit 7) well within curl's 2 s limit. */
    void assertRefused(NetnsHost from, String to) {
        assertRefusedUrl(from, "http://" + ipOf(to) + ":8080/");
    }

    /** As {@link #assertRefused} for any URL (a ClusterIP). */
    static void assertRefusedUrl(NetnsHost from, String url) {
        long start = System.nanoTime();
        Netns.Result r = get(from, url);
        long ms = (System.nanoTime() - start) / 1_000_000;
        assertThat(r.exitCode()).as("%s -> %s: %s", from, url, r.output()).isEqualTo(7);
        assertThat(ms).as("refused quickly").isLessThan(1500);
    }

    void createPolicy(String namespace, String json) {
        cp.api("POST", "/apis/networking.k8s.io/v1/namespaces/" + namespace + "/networkpolicies", json).orThrow("create policy");
    }

    void deletePolicy(String namespace, String name) {
        cp.api("DELETE", "/apis/networking.k8s.io/v1/namespaces/" + namespace + "/networkpolicies/" + name, null).orThrow("delete policy " + name);
    }

    /** A ClusterIP Service {@code namespace/name} on port 80 → 8080 with one ready endpoint, the pod {@code endpointPod}. */
    void createService(String namespace, String name, String clusterIp, String endpointPod) {
        createService(namespace, name, clusterIp, 0, endpointPod);
    }

    /** As {@link #createService(String, String, String, String)}; with {@code nodePort > 0} a NodePort Service on it. */
    void createService(String namespace, String name, String clusterIp, int nodePort, String endpointPod) {
        String type = nodePort > 0 ? "\"type\": \"NodePort\", " : "";
        String np = nodePort > 0 ? ", \"nodePort\": " + nodePort : "";
        PodSpec ep = specs.stream().filter(p -> p.name().equals(endpointPod)).findFirst().orElseThrow();
        cp.api("POST", "/api/v1/namespaces/" + namespace + "/services", """
                {"apiVersion": "v1", "kind": "Service", "metadata": {"name": "%s", "namespace": "%s"},
                 "spec": {%s"clusterIP": "%s", "ports": [{"name": "http", "protocol": "TCP", "port": 80, "targetPort": 8080%s}]}}
                """.formatted(name, namespace, type, clusterIp, np)).orThrow("create Service");
        cp.api("POST", "/apis/discovery.k8s.io/v1/namespaces/" + namespace + "/endpointslices", """
                {"apiVersion": "discovery.k8s.io/v1", "kind": "EndpointSlice",
                 "metadata": {"name": "%s-1", "namespace": "%s", "labels": {"kubernetes.io/service-name": "%s"}},
                 "addressType": "IPv4", "ports": [{"name": "http", "protocol": "TCP", "port": 8080}],
                 "endpoints": [{"addresses": ["%s"], "nodeName": "%s", "conditions": {"ready": true}}]}
                """.formatted(name, namespace, name, ep.ip(), ep.node())).orThrow("create EndpointSlice");
    }
}
