package io.kube4j.e2e;

import io.kube4j.json.Json;
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
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * Issue #19's "Done when" with the docker runtime using CNI: three hosts (network namespaces on one LAN,
 * {@link NetnsLan}) plus a control plane (etcd + apiserver, insecure HTTP, {@link NetnsControlPlane}) running the
 * scheduler and the controller-manager with node IPAM ({@code allocate-node-cidrs=true}); on each host a kubelet
 * (runtime docker, network-plugin cni: sandboxes with {@code NetworkMode: none} plugged by the kubelet's own CNI
 * ADD into the host's {@code cni0} bridge; host-gw routes to the other nodes' podCIDRs) and a kube-proxy in
 * iptables mode. A Deployment of 6 busybox httpd pods spread over the hosts: each pod's IP is in its node's
 * {@code spec.podCIDR}, every pod fetches every other by pod IP (seeing the client's own pod IP, no NAT), a
 * ClusterIP Service spreads over the six, a NodePort answers on every host's LAN address.
 *
 * <p>The kubelets talk to the root namespace's dockerd over its unix socket (a filesystem path, so reachable from
 * any network namespace). Node names are unique to the run, and only containers labelled with them are removed.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class MultiHostNetworkIT {
    private static final String DOCKER_SOCKET = "/var/run/docker.sock";
    private static final String IMAGE = "local/busybox:latest";
    private static final String APP = "mh-web";
    private static final int REPLICAS = 6;
    private static final String CLUSTER_CIDR = "10.244.0.0/16";
    /** Every pod serves its name on / and the client address it sees on /cgi-bin/ip (REMOTE_ADDR). */
    private static final String SERVE = "mkdir -p /www/cgi-bin && printf %s \"$POD_NAME\" > /www/index.html"
            + " && printf '%s\\n' '#!/bin/sh' 'printf \"Content-Type: text/plain\\r\\n\\r\\n%s\" \"$REMOTE_ADDR\"' > /www/cgi-bin/ip"
            + " && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www";

    private static NetnsLan lan;
    private static NetnsControlPlane cp;
    private static final List<NetnsHost> hosts = new ArrayList<>();
    private static final Map<String, Process> kubelets = new LinkedHashMap<>();
    private static final Map<NetnsHost, Process> proxies = new LinkedHashMap<>();
    private static Path rootDir;
    private static Path confDir;
    /** Pod name -> its facts once Running. */
    private static final Map<String, PodFacts> pods = new LinkedHashMap<>();

    record PodFacts(String name, String ip, String node, String container) {
    }

    @BeforeAll
    static void startCluster() throws IOException {
        assumeTrue(Netns.available(), "needs root and ip netns");
        assumeTrue(Files.exists(Path.of(DOCKER_SOCKET)) && Netns.run("docker", "image", "inspect", IMAGE).ok(),
                "needs dockerd and " + IMAGE);
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/bridge")) || Files.isExecutable(Path.of("/opt/cni/bin/bridge")),
                "needs the CNI plugins (containernetworking-plugins)");
        rootDir = Files.createTempDirectory("kube4j-mh-kubelet-");
        // an empty conf dir: every kubelet generates its kubenet-style network from its Node's podCIDR
        confDir = Files.createDirectories(rootDir.resolve("net.d"));
        try {
            lan = NetnsLan.create("10.131.0");
            cp = NetnsControlPlane.start(lan.host("cp", 254));
            NetnsHost cpHost = cp.host();
            cpHost.startComponent("scheduler", "scheduler", 10259, null, List.of(
                    "--kube4j.apiserver.url=" + cp.url(), "--kube4j.scheduler.leader-elect=false"), Duration.ofMinutes(2));
            cpHost.startComponent("controller-manager", "controller-manager", 10257, null, List.of(
                    "--kube4j.apiserver.url=" + cp.url(), "--kube4j.controller-manager.leader-elect=false",
                    "--kube4j.controller-manager.allocate-node-cidrs=true",
                    "--kube4j.controller-manager.cluster-cidr=" + CLUSTER_CIDR), Duration.ofMinutes(2));
            for (String n : List.of("a", "b", "c")) {
                hosts.add(lan.host("mh" + n, 10 + hosts.size()));
            }
            for (NetnsHost h : hosts) {
                // the node name is the host's namespace name: unique to this run, so cleanup touches only our containers
                String node = h.namespace();
                kubelets.put(node, h.startComponent("kubelet", "kubelet", 10250, null, List.of(
                        "--kube4j.apiserver.url=" + cp.url(),
                        "--kube4j.kubelet.node-name=" + node,
                        "--kube4j.kubelet.address=" + h.ip(),
                        "--kube4j.kubelet.runtime=docker",
                        "--kube4j.kubelet.docker.socket=" + DOCKER_SOCKET,
                        "--kube4j.kubelet.sandbox-image=" + IMAGE,
                        "--kube4j.kubelet.network-plugin=cni",
                        "--kube4j.kubelet.cni.conf-dir=" + confDir,
                        // kubenet setups set it to the cluster CIDR: only traffic leaving the pods' network is masqueraded
                        "--kube4j.kubelet.non-masquerade-cidr=" + CLUSTER_CIDR,
                        "--kube4j.kubelet.root-dir=" + rootDir), null));
                proxies.put(h, h.startComponent("kube-proxy", "kube-proxy", 10256, null, List.of(
                        "--kube4j.apiserver.url=" + cp.url(),
                        "--kube4j.kube-proxy.mode=iptables",
                        "--kube4j.kube-proxy.hostname-override=" + node,
                        "--kube4j.kube-proxy.iptables.cluster-cidr=" + CLUSTER_CIDR), null));
            }
            // all started at once (two cores: one after the other takes minutes), then waited for
            await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(1)).until(() -> proxies.entrySet().stream().allMatch(e -> {
                if (!e.getValue().isAlive()) {
                    throw new IllegalStateException("kube-proxy in " + e.getKey() + " exited; see " + e.getKey().log("kube-proxy"));
                }
                return e.getKey().run("curl", "-sf", "-o", "/dev/null", "--max-time", "2", "http://127.0.0.1:10256/healthz").ok();
            }));
            // every Node registered with its LAN address as InternalIP and a podCIDR from the cluster CIDR
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> hosts.stream().allMatch(h -> {
                NetnsControlPlane.Response r = cp.api("GET", "/api/v1/nodes/" + h.namespace(), null);
                return r.status() == 200 && !Json.mapper().readTree(r.body()).path("spec").path("podCIDR").asString("").isEmpty();
            }));
            createDeployment();
        } catch (Throwable t) {
            stopAll();
            throw t;
        }
    }

    private static void createDeployment() {
        ObjectNode d = Json.mapper().createObjectNode();
        d.put("apiVersion", "apps/v1");
        d.put("kind", "Deployment");
        d.putObject("metadata").put("name", APP);
        ObjectNode spec = d.putObject("spec");
        spec.put("replicas", REPLICAS);
        spec.putObject("selector").putObject("matchLabels").put("app", APP);
        ObjectNode template = spec.putObject("template");
        template.putObject("metadata").putObject("labels").put("app", APP);
        ObjectNode podSpec = template.putObject("spec");
        podSpec.put("terminationGracePeriodSeconds", 1);
        ObjectNode tsc = podSpec.putArray("topologySpreadConstraints").addObject();
        tsc.put("maxSkew", 1);
        tsc.put("topologyKey", "kubernetes.io/hostname");
        tsc.put("whenUnsatisfiable", "DoNotSchedule");
        tsc.putObject("labelSelector").putObject("matchLabels").put("app", APP);
        ObjectNode c = podSpec.putArray("containers").addObject();
        c.put("name", "web");
        c.put("image", IMAGE);
        c.put("imagePullPolicy", "Never");
        c.putArray("command").add("sh").add("-c").add(SERVE);
        ObjectNode env = c.putArray("env").addObject();
        env.put("name", "POD_NAME");
        env.putObject("valueFrom").putObject("fieldRef").put("fieldPath", "metadata.name");
        c.putArray("ports").addObject().put("containerPort", 8080);
        cp.api("POST", "/apis/apps/v1/namespaces/default/deployments", d.toString()).orThrow("create deployment");
    }

    @AfterAll
    static void stopAll() {
        try {
            if (cp != null) {
                // the kubelets remove their pods' containers (and CNI DEL frees the addresses) before they stop
                cp.api("DELETE", "/apis/apps/v1/namespaces/default/deployments/" + APP, null);
                cp.api("DELETE", "/api/v1/namespaces/default/pods?labelSelector=app%3D" + APP, null);
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> kubelets.keySet().stream().allMatch(n -> ourContainers(n).isEmpty()));
                } catch (Throwable e) {
                    // removed by force below
                }
            }
        } finally {
            if (cp != null) {
                cp.close();
            }
            if (lan != null) {
                lan.close();
            }
            for (String node : kubelets.keySet()) {
                List<String> left = ourContainers(node);
                if (!left.isEmpty()) {
                    List<String> rm = new ArrayList<>(List.of("docker", "rm", "-f", "-v"));
                    rm.addAll(left);
                    Netns.run(rm, null);
                }
                String volumes = Netns.run("docker", "volume", "ls", "-q", "--filter", "label=io.kube4j.node=" + node).output();
                for (String v : volumes.split("\\s+")) {
                    if (!v.isBlank()) {
                        Netns.run("docker", "volume", "rm", "-f", v.strip());
                    }
                }
            }
            if (rootDir != null) {
                try (Stream<Path> files = Files.walk(rootDir)) {
                    files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                } catch (IOException e) {
                    // a temp directory left behind is harmless
                }
            }
        }
    }

    /** Ids of the containers (sandboxes included) the kubelet of {@code node} created, running or not. */
    private static List<String> ourContainers(String node) {
        Netns.Result r = Netns.run("docker", "ps", "-aq", "--filter", "label=io.kube4j.node=" + node);
        return r.ok() ? r.output().lines().map(String::strip).filter(s -> !s.isEmpty()).toList() : List.of();
    }

    private static JsonNode get(String path) {
        return Json.mapper().readTree(cp.api("GET", path, null).orThrow("GET " + path));
    }

    /** The six pods Running with an IP, each with its node and its container's id. */
    private static Map<String, PodFacts> runningPods() {
        Map<String, PodFacts> out = new LinkedHashMap<>();
        for (JsonNode p : get("/api/v1/namespaces/default/pods?labelSelector=app%3D" + APP).path("items")) {
            if (!"Running".equals(p.path("status").path("phase").asString("")) || p.path("status").path("podIP").asString("").isEmpty()
                    || !p.path("metadata").path("deletionTimestamp").isMissingNode()) {
                continue;
            }
            String name = p.path("metadata").path("name").asString();
            String node = p.path("spec").path("nodeName").asString();
            Netns.Result ids = Netns.run("docker", "ps", "-q", "--filter", "label=io.kube4j.node=" + node,
                    "--filter", "label=io.kube4j.type=container", "--filter", "label=io.kubernetes.pod.name=" + name,
                    "--filter", "label=io.kubernetes.container.name=web");
            String id = ids.output().lines().map(String::strip).filter(s -> !s.isEmpty()).findFirst().orElse(null);
            if (id == null) {
                continue;
            }
            out.put(name, new PodFacts(name, p.path("status").path("podIP").asString(), node, id));
        }
        return out;
    }

    /** {@code wget -qO- url} inside the pod's container (its own network namespace). */
    private static Netns.Result wget(PodFacts from, String url) {
        // busybox's timeout rather than wget -T, which makes this busybox's wget crash (SIGSEGV)
        return Netns.run("docker", "exec", from.container(), "timeout", "5", "wget", "-qO-", url);
    }

    /** busybox httpd listens on IPv6 too and writes an IPv4 client as {@code [::ffff:a.b.c.d]}: the IPv4 address. */
    static String ipv4(String remoteAddr) {
        String a = remoteAddr.strip();
        if (a.startsWith("[") && a.endsWith("]")) {
            a = a.substring(1, a.length() - 1);
        }
        return a.startsWith("::ffff:") ? a.substring("::ffff:".length()) : a;
    }

    static boolean inCidr(String ip, String cidr) throws IOException {
        String[] parts = cidr.split("/");
        int bits = Integer.parseInt(parts[1]);
        BigInteger a = new BigInteger(1, InetAddress.getByName(ip).getAddress());
        BigInteger n = new BigInteger(1, InetAddress.getByName(parts[0]).getAddress());
        int shift = 32 - bits;
        return a.shiftRight(shift).equals(n.shiftRight(shift));
    }

    @Test
    @Order(1)
    void theSixPodsRunSpreadOverTheThreeHostsWithIpsFromTheirNodesPodCidr() throws IOException {
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> runningPods().size() == REPLICAS);
        pods.putAll(runningPods());
        Map<String, Integer> perNode = new LinkedHashMap<>();
        for (PodFacts p : pods.values()) {
            perNode.merge(p.node(), 1, Integer::sum);
        }
        assertThat(perNode).as("pods per node").containsOnlyKeys(kubelets.keySet());
        assertThat(perNode.values()).containsOnly(2);
        for (NetnsHost h : hosts) {
            JsonNode node = get("/api/v1/nodes/" + h.namespace());
            String podCidr = node.path("spec").path("podCIDR").asString();
            assertThat(inCidr(podCidr.split("/")[0], CLUSTER_CIDR)).as("%s in %s", podCidr, CLUSTER_CIDR).isTrue();
            String internalIp = null;
            for (JsonNode a : node.path("status").path("addresses")) {
                if ("InternalIP".equals(a.path("type").asString())) {
                    internalIp = a.path("address").asString();
                }
            }
            assertThat(internalIp).as("InternalIP of %s", h.namespace()).isEqualTo(h.ip());
            for (PodFacts p : pods.values()) {
                if (p.node().equals(h.namespace())) {
                    assertThat(inCidr(p.ip(), podCidr)).as("pod %s IP %s in its node's podCIDR %s", p.name(), p.ip(), podCidr).isTrue();
                    // the address CNI gave the sandbox's eth0 is the one in the status
                    assertThat(Netns.run("docker", "exec", p.container(), "ip", "-4", "-o", "addr", "show", "eth0").output())
                            .contains(" " + p.ip() + "/");
                }
            }
        }
        // distinct podCIDRs
        Set<String> cidrs = new HashSet<>();
        for (NetnsHost h : hosts) {
            cidrs.add(get("/api/v1/nodes/" + h.namespace()).path("spec").path("podCIDR").asString());
        }
        assertThat(cidrs).hasSize(3);
    }

    @Test
    @Order(2)
    void everyPodFetchesEveryOtherPodByItsIpAndSeesTheClientsOwnPodIp() {
        assertThat(pods).hasSize(REPLICAS);
        for (PodFacts from : pods.values()) {
            for (PodFacts to : pods.values()) {
                if (from == to) {
                    continue;
                }
                Netns.Result r = wget(from, "http://" + to.ip() + ":8080/");
                assertThat(r.output()).as("%s (%s on %s) -> %s (%s on %s)", from.name(), from.ip(), from.node(), to.name(), to.ip(), to.node())
                        .isEqualTo(to.name());
                // no NAT between pods, across hosts too: the server sees the client pod's own IP
                assertThat(ipv4(wget(from, "http://" + to.ip() + ":8080/cgi-bin/ip").output()))
                        .as("client address %s sees from %s", to.name(), from.name()).isEqualTo(from.ip());
            }
        }
    }

    @Test
    @Order(3)
    void everyNodeMasqueradesOnlyPodTrafficLeavingTheClusterCidrAsKubenet() {
        for (NetnsHost h : hosts) {
            String postrouting = h.exec("iptables", "-t", "nat", "-S", "POSTROUTING");
            assertThat(postrouting).as("nat POSTROUTING of %s", h.name())
                    .contains("-A POSTROUTING ! -d " + CLUSTER_CIDR + " -m comment --comment \"kubenet: SNAT for outbound traffic from cluster\""
                            + " -m addrtype ! --dst-type LOCAL -j MASQUERADE")
                    // the bridge plugin's own per-pod masquerading (ipMasq) is off
                    .doesNotContain("CNI-");
        }
    }

    @Test
    @Order(4)
    void aClusterIpServiceSpreadsOverTheSixPodsThroughIptables() {
        assertThat(pods).hasSize(REPLICAS);
        String clusterIp = createService("mh-web", "ClusterIP").path("spec").path("clusterIP").asString();
        PodFacts client = pods.values().iterator().next();
        await().atMost(Duration.ofSeconds(30)).until(() -> wget(client, "http://" + clusterIp + "/").ok());
        List<String> got = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            got.add(wget(client, "http://" + clusterIp + "/").output());
        }
        assertThat(pods.keySet()).containsAll(got);
        assertThat(new HashSet<>(got)).as("distinct pods in 30 requests: %s", got).hasSizeGreaterThanOrEqualTo(5);
    }

    @Test
    @Order(5)
    void aNodePortAnswersOnEveryHostsLanAddressFromAnotherHost() {
        assertThat(pods).hasSize(REPLICAS);
        int nodePort = createService("mh-web-np", "NodePort").path("spec").path("ports").path(0).path("nodePort").asInt();
        assertThat(nodePort).isBetween(30000, 32767);
        for (int i = 0; i < hosts.size(); i++) {
            NetnsHost target = hosts.get(i);
            NetnsHost from = hosts.get((i + 1) % hosts.size());
            String url = "http://" + target.ip() + ":" + nodePort + "/";
            await().atMost(Duration.ofSeconds(30)).until(() -> from.run("curl", "-s", "--max-time", "3", url).ok());
            Set<String> got = new HashSet<>();
            for (int k = 0; k < 10; k++) {
                Netns.Result r = from.run("curl", "-s", "--max-time", "3", url);
                assertThat(r.ok()).as("%s from %s: %s", url, from.name(), r.output()).isTrue();
                got.add(r.output());
            }
            assertThat(pods.keySet()).as("answers of %s", url).containsAll(got);
        }
    }

    private static JsonNode createService(String name, String type) {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("apiVersion", "v1");
        s.put("kind", "Service");
        s.putObject("metadata").put("name", name);
        ObjectNode spec = s.putObject("spec");
        spec.put("type", type);
        spec.putObject("selector").put("app", APP);
        ObjectNode port = spec.putArray("ports").addObject();
        port.put("port", 80);
        port.put("targetPort", 8080);
        port.put("protocol", "TCP");
        return Json.mapper().readTree(cp.api("POST", "/api/v1/namespaces/default/services", s.toString()).orThrow("create service " + name));
    }
}
