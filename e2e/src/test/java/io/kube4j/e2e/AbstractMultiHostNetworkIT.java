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
import org.junit.jupiter.api.TestInstance;
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
 * Issue #19's "Done when" on three hosts, whatever the container runtime: three hosts (network namespaces on one LAN,
 * {@link NetnsLan}) plus a control plane (etcd + apiserver, insecure HTTP, {@link NetnsControlPlane}) running the
 * scheduler and the controller-manager with node IPAM ({@code allocate-node-cidrs=true}); on each host a kubelet
 * (its runtime given by the subclass: {@link MultiHostNetworkIT} docker with the kubelet's own CNI calls,
 * {@link MultiHostCriNetworkIT} CRI to a containerd of the host's own whose CNI plugs the pods) with host-gw routes to
 * the other nodes' podCIDRs, and a kube-proxy in iptables mode enforcing NetworkPolicies
 * ({@code kube4j.kube-proxy.network-policy=true}). A Deployment of 6 busybox httpd pods spread over the hosts: each
 * pod's IP is in its node's {@code spec.podCIDR}, every pod fetches every other by pod IP (seeing the client's own pod
 * IP, no NAT), a ClusterIP Service spreads over the six, a NodePort answers on every host's LAN address, and a
 * NetworkPolicy denying ingress from other namespaces holds across hosts and lifting it restores traffic.
 *
 * <p>One cluster per concrete class ({@code PER_CLASS} lifecycle: the subclass's hooks are instance methods). Node
 * names are the hosts' namespace names, unique to the run; {@link #stopAll()} deletes the pods through the API, stops
 * the kubelets, lets the subclass remove what its runtime still holds, then deletes every namespace (hence every
 * interface, route and iptables rule), also after a failed start.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
abstract class AbstractMultiHostNetworkIT {
    static final String IMAGE = "local/busybox:latest";
    static final String APP = "mh-web";
    static final int REPLICAS = 6;
    static final String CLUSTER_CIDR = "10.244.0.0/16";
    /** The NetworkPolicy step's other namespace and its client pod. */
    static final String OTHER_NAMESPACE = "mh-other";
    static final String OTHER_CLIENT = "mh-client";
    static final String POLICY = "deny-from-other-namespaces";
    /** Every pod serves its name on / and the client address it sees on /cgi-bin/ip (REMOTE_ADDR). */
    private static final String SERVE = "mkdir -p /www/cgi-bin && printf %s \"$POD_NAME\" > /www/index.html"
            + " && printf '%s\\n' '#!/bin/sh' 'printf \"Content-Type: text/plain\\r\\n\\r\\n%s\" \"$REMOTE_ADDR\"' > /www/cgi-bin/ip"
            + " && chmod +x /www/cgi-bin/ip && exec httpd -f -p 8080 -h /www";

    NetnsLan lan;
    NetnsControlPlane cp;
    final List<NetnsHost> hosts = new ArrayList<>();
    final Map<NetnsHost, Process> kubelets = new LinkedHashMap<>();
    final Map<NetnsHost, Process> proxies = new LinkedHashMap<>();
    /** The test's own directory: kubelet root dir, CNI conf, runtime state. */
    Path workDir;
    /** Pod name -> its facts once Running. */
    final Map<String, PodFacts> pods = new LinkedHashMap<>();

    /**
     * One running pod.
     *
     * @param container its (first) container's id in the runtime, without the {@code <type>://} of the status
     */
    record PodFacts(String name, String ip, String node, String container) {
    }

    /** Skips (assumeTrue) when this machine lacks what the runtime needs; the netns and CNI checks are done already. */
    abstract void assumeRuntime();

    /** The LAN's first three octets: distinct per subclass, so that a leftover of one never meets the other. */
    abstract String lanSubnet();

    /** Starts what the runtime needs on {@code host} (before its kubelet) and returns the kubelet's runtime arguments. */
    abstract List<String> startRuntime(NetnsHost host) throws Exception;

    /** Called once every Node has its podCIDR, before any pod exists (e.g. to drop the CNI configuration in place). */
    void nodesHavePodCidrs(Map<NetnsHost, String> podCidrs) throws Exception {
    }

    /** The {@code <type>} of the containers' {@code <type>://<id>} in pod status. */
    abstract String containerIdType();

    /** Runs {@code command} inside the pod's container (its own network namespace): exec through the runtime. */
    abstract Netns.Result exec(PodFacts pod, String... command);

    /** Ids of what the runtime of {@code host} still holds for the test's pods (empty once the kubelet removed them). */
    abstract List<String> leftovers(NetnsHost host);

    /** Removes whatever the runtimes still hold and stops them; the kubelets are stopped already, the hosts not yet. */
    abstract void stopRuntimes();

    @BeforeAll
    void startCluster() throws Exception {
        assumeTrue(Netns.available(), "needs root and ip netns");
        assumeTrue(Files.isExecutable(Path.of("/usr/lib/cni/bridge")) || Files.isExecutable(Path.of("/opt/cni/bin/bridge")),
                "needs the CNI plugins (containernetworking-plugins)");
        assumeRuntime();
        workDir = Files.createTempDirectory("kube4j-mh-");
        try {
            lan = NetnsLan.create(lanSubnet());
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
                List<String> args = new ArrayList<>(List.of(
                        "--kube4j.apiserver.url=" + cp.url(),
                        "--kube4j.kubelet.node-name=" + node,
                        "--kube4j.kubelet.address=" + h.ip(),
                        // host-gw routes to the other nodes' podCIDRs and kubenet's masquerade rule
                        "--kube4j.kubelet.network-plugin=cni",
                        // kubenet setups set it to the cluster CIDR: only traffic leaving the pods' network is masqueraded
                        "--kube4j.kubelet.non-masquerade-cidr=" + CLUSTER_CIDR,
                        "--kube4j.kubelet.root-dir=" + workDir.resolve("kubelet")));
                // the runtime's arguments (runtime, endpoint, sandbox image, CNI conf dir); none repeats one above, as
                // Spring would join a repeated option's values with a comma
                args.addAll(startRuntime(h));
                kubelets.put(h, h.startComponent("kubelet", "kubelet", 10250, null, args, null));
                proxies.put(h, h.startComponent("kube-proxy", "kube-proxy", 10256, null, List.of(
                        "--kube4j.apiserver.url=" + cp.url(),
                        "--kube4j.kube-proxy.mode=iptables",
                        "--kube4j.kube-proxy.network-policy=true",
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
            Map<NetnsHost, String> podCidrs = new LinkedHashMap<>();
            await().atMost(Duration.ofMinutes(2)).pollInterval(Duration.ofSeconds(1)).until(() -> {
                for (NetnsHost h : hosts) {
                    if (!kubelets.get(h).isAlive()) {
                        throw new IllegalStateException("kubelet in " + h + " exited; see " + h.log("kubelet"));
                    }
                    NetnsControlPlane.Response r = cp.api("GET", "/api/v1/nodes/" + h.namespace(), null);
                    String cidr = r.status() == 200 ? Json.mapper().readTree(r.body()).path("spec").path("podCIDR").asString("") : "";
                    if (!cidr.isEmpty()) {
                        podCidrs.put(h, cidr);
                    }
                }
                return podCidrs.size() == hosts.size();
            });
            nodesHavePodCidrs(podCidrs);
            createDeployment();
        } catch (Throwable t) {
            stopAll();
            throw t;
        }
    }

    private void createDeployment() {
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
    void stopAll() {
        try {
            if (cp != null) {
                // the kubelets remove their pods' containers (and CNI DEL frees the addresses) before they stop
                cp.api("DELETE", "/apis/apps/v1/namespaces/default/deployments/" + APP, null);
                cp.api("DELETE", "/api/v1/namespaces/default/pods?labelSelector=app%3D" + APP, null);
                cp.api("DELETE", "/api/v1/namespaces/" + OTHER_NAMESPACE + "/pods/" + OTHER_CLIENT, null);
                try {
                    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofSeconds(1))
                            .until(() -> kubelets.keySet().stream().allMatch(h -> leftovers(h).isEmpty()));
                } catch (Throwable e) {
                    // removed by force below
                }
            }
        } finally {
            try {
                kubelets.values().forEach(Process::destroy);
                kubelets.forEach((h, p) -> h.stop(p));
                stopRuntimes();
            } finally {
                if (cp != null) {
                    cp.close();
                }
                if (lan != null) {
                    lan.close();
                }
                if (workDir != null) {
                    try (Stream<Path> files = Files.walk(workDir)) {
                        files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
                    } catch (IOException e) {
                        // a temp directory left behind is harmless
                    }
                }
            }
        }
    }

    JsonNode get(String path) {
        return Json.mapper().readTree(cp.api("GET", path, null).orThrow("GET " + path));
    }

    /** The pods of {@code namespace} matching {@code labelSelector} (null: all) Running with an IP and a running container. */
    Map<String, PodFacts> runningPods(String namespace, String labelSelector) {
        Map<String, PodFacts> out = new LinkedHashMap<>();
        String query = labelSelector == null ? "" : "?labelSelector=" + labelSelector.replace("=", "%3D");
        for (JsonNode p : get("/api/v1/namespaces/" + namespace + "/pods" + query).path("items")) {
            JsonNode status = p.path("status");
            JsonNode container = status.path("containerStatuses").path(0);
            String id = container.path("containerID").asString("");
            if (!"Running".equals(status.path("phase").asString("")) || status.path("podIP").asString("").isEmpty()
                    || !p.path("metadata").path("deletionTimestamp").isMissingNode()
                    || container.path("state").path("running").isMissingNode() || id.isEmpty()) {
                continue;
            }
            String prefix = containerIdType() + "://";
            assertThat(id).as("containerID of %s", p.path("metadata").path("name").asString()).startsWith(prefix);
            String name = p.path("metadata").path("name").asString();
            out.put(name, new PodFacts(name, status.path("podIP").asString(), p.path("spec").path("nodeName").asString(),
                    id.substring(prefix.length())));
        }
        return out;
    }

    /** {@code wget -qO- url} inside the pod's container (its own network namespace). */
    Netns.Result wget(PodFacts from, String url) {
        // busybox's timeout rather than wget -T, which makes this busybox's wget crash (SIGSEGV)
        return exec(from, "timeout", "5", "wget", "-qO-", url);
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
        await().atMost(Duration.ofMinutes(3)).pollInterval(Duration.ofSeconds(2)).until(() -> runningPods("default", "app=" + APP).size() == REPLICAS);
        pods.putAll(runningPods("default", "app=" + APP));
        Map<String, Integer> perNode = new LinkedHashMap<>();
        for (PodFacts p : pods.values()) {
            perNode.merge(p.node(), 1, Integer::sum);
        }
        assertThat(perNode).as("pods per node").containsOnlyKeys(hosts.stream().map(NetnsHost::namespace).toList());
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
                    assertThat(exec(p, "ip", "-4", "-o", "addr", "show", "eth0").output()).contains(" " + p.ip() + "/");
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
        List<String> retried = new ArrayList<>();
        for (int i = 0; i < 30; i++) {
            // a request that times out on the loaded 2-core CI machine (5 s, exec included) is sent again, up to
            // twice, as Kubernetes' own service reachability checks poll; every request must end answered by a pod
            Netns.Result r = wget(client, "http://" + clusterIp + "/");
            for (int attempt = 1; attempt < 3 && !r.ok(); attempt++) {
                retried.add("request " + i + ": " + r.output());
                r = wget(client, "http://" + clusterIp + "/");
            }
            got.add(r.output());
        }
        assertThat(pods.keySet()).as("answers %s (retried: %s)", got, retried).containsAll(got);
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

    /**
     * Kubernetes' "deny traffic from other namespaces" NetworkPolicy (podSelector {} with one ingress rule from
     * podSelector {}: every pod of the namespace isolated for ingress, allowed only from pods of its own namespace),
     * enforced by kube-proxy's iptables on the server's host. Server, same-namespace client and other-namespace client
     * sit on three different hosts, so both clients' packets are routed into the server's host and cross its FORWARD
     * chain.
     */
    @Test
    @Order(6)
    void aNetworkPolicyDenyingIngressFromOtherNamespacesHoldsAcrossHostsAndLiftingItRestoresTraffic() {
        assertThat(pods).hasSize(REPLICAS);
        NetnsHost serverHost = hosts.get(0);
        NetnsHost sameHost = hosts.get(1);
        NetnsHost otherHost = hosts.get(2);
        PodFacts server = pods.values().stream().filter(p -> p.node().equals(serverHost.namespace())).findFirst().orElseThrow();
        PodFacts sameNamespaceClient = pods.values().stream().filter(p -> p.node().equals(sameHost.namespace())).findFirst().orElseThrow();
        PodFacts otherNamespaceClient = startOtherNamespaceClient(otherHost);
        String url = "http://" + server.ip() + ":8080/";

        // without a policy every pod is open: the other namespace's client reaches the server
        await().atMost(Duration.ofSeconds(30)).until(() -> wget(otherNamespaceClient, url).ok());
        assertThat(wget(otherNamespaceClient, url).output()).isEqualTo(server.name());

        ObjectNode np = Json.mapper().createObjectNode();
        np.put("apiVersion", "networking.k8s.io/v1");
        np.put("kind", "NetworkPolicy");
        np.putObject("metadata").put("name", POLICY).put("namespace", "default");
        ObjectNode spec = np.putObject("spec");
        spec.putObject("podSelector");
        spec.putArray("ingress").addObject().putArray("from").addObject().putObject("podSelector");
        cp.api("POST", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies", np.toString()).orThrow("create NetworkPolicy");

        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> !wget(otherNamespaceClient, url).ok());
        for (int i = 0; i < 3; i++) {
            Netns.Result denied = wget(otherNamespaceClient, url);
            assertThat(denied.ok()).as("%s (namespace %s on %s) -> %s on %s under %s: %s", otherNamespaceClient.name(), OTHER_NAMESPACE,
                    otherHost.name(), server.name(), serverHost.name(), POLICY, denied.output()).isFalse();
            Netns.Result allowed = wget(sameNamespaceClient, url);
            assertThat(allowed.output()).as("%s (namespace default on %s) -> %s on %s under %s", sameNamespaceClient.name(),
                    sameHost.name(), server.name(), serverHost.name(), POLICY).isEqualTo(server.name());
        }

        cp.api("DELETE", "/apis/networking.k8s.io/v1/namespaces/default/networkpolicies/" + POLICY, null).orThrow("delete NetworkPolicy");
        long t0 = System.nanoTime();
        await().atMost(Duration.ofSeconds(10)).pollInterval(Duration.ofMillis(300)).until(() -> wget(otherNamespaceClient, url).ok());
        System.out.printf("traffic from %s restored %d ms after the policy's deletion%n", OTHER_NAMESPACE, (System.nanoTime() - t0) / 1_000_000);
        assertThat(wget(otherNamespaceClient, url).output()).isEqualTo(server.name());
    }

    /** Namespace {@value #OTHER_NAMESPACE} and a busybox pod {@value #OTHER_CLIENT} in it bound to {@code host}, once Running. */
    private PodFacts startOtherNamespaceClient(NetnsHost host) {
        ObjectNode ns = Json.mapper().createObjectNode();
        ns.put("apiVersion", "v1");
        ns.put("kind", "Namespace");
        ns.putObject("metadata").put("name", OTHER_NAMESPACE);
        cp.api("POST", "/api/v1/namespaces", ns.toString()).orThrow("create namespace " + OTHER_NAMESPACE);
        ObjectNode pod = Json.mapper().createObjectNode();
        pod.put("apiVersion", "v1");
        pod.put("kind", "Pod");
        pod.putObject("metadata").put("name", OTHER_CLIENT).put("namespace", OTHER_NAMESPACE);
        ObjectNode spec = pod.putObject("spec");
        spec.put("nodeName", host.namespace());
        spec.put("terminationGracePeriodSeconds", 1);
        ObjectNode c = spec.putArray("containers").addObject();
        c.put("name", "client");
        c.put("image", IMAGE);
        c.put("imagePullPolicy", "Never");
        c.putArray("command").add("sleep").add("3600");
        cp.api("POST", "/api/v1/namespaces/" + OTHER_NAMESPACE + "/pods", pod.toString()).orThrow("create pod " + OTHER_CLIENT);
        await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).until(() -> runningPods(OTHER_NAMESPACE, null).containsKey(OTHER_CLIENT));
        return runningPods(OTHER_NAMESPACE, null).get(OTHER_CLIENT);
    }

    private JsonNode createService(String name, String type) {
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
