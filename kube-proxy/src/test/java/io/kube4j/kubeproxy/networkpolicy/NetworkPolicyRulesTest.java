package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.api.Container;
import io.kube4j.api.IntOrString;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.NetworkPolicy;
import io.kube4j.api.Pod;
import io.kube4j.kubeproxy.iptables.IptablesRules;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class NetworkPolicyRulesTest {
    static final String NODE = "node-a";

    static Pod pod(String ns, String name, String node, String ip, Map<String, String> labels) {
        Pod p = new Pod();
        p.metadata.namespace = ns;
        p.metadata.name = name;
        p.metadata.labels.putAll(labels);
        p.spec.nodeName = node;
        p.status.podIP = ip;
        p.status.phase = "Running";
        return p;
    }

    static Namespace ns(String name, Map<String, String> labels) {
        Namespace n = new Namespace();
        n.metadata.name = name;
        n.metadata.labels.putAll(labels);
        return n;
    }

    static NetworkPolicy policy(String ns, String name, LabelSelector podSelector) {
        NetworkPolicy np = new NetworkPolicy();
        np.metadata.namespace = ns;
        np.metadata.name = name;
        np.spec.podSelector = podSelector;
        return np;
    }

    static LabelSelector all() {
        return new LabelSelector();
    }

    static NetworkPolicy.NetworkPolicyPeer pods(LabelSelector podSelector, LabelSelector namespaceSelector) {
        NetworkPolicy.NetworkPolicyPeer p = new NetworkPolicy.NetworkPolicyPeer();
        p.podSelector = podSelector;
        p.namespaceSelector = namespaceSelector;
        return p;
    }

    static NetworkPolicy.NetworkPolicyPeer ipBlock(String cidr, String... except) {
        NetworkPolicy.NetworkPolicyPeer p = new NetworkPolicy.NetworkPolicyPeer();
        p.ipBlock = new NetworkPolicy.IPBlock();
        p.ipBlock.cidr = cidr;
        p.ipBlock.except.addAll(List.of(except));
        return p;
    }

    static NetworkPolicy.NetworkPolicyIngressRule from(NetworkPolicy.NetworkPolicyPeer... peers) {
        NetworkPolicy.NetworkPolicyIngressRule r = new NetworkPolicy.NetworkPolicyIngressRule();
        r.from.addAll(List.of(peers));
        return r;
    }

    static NetworkPolicy.NetworkPolicyPort port(String protocol, IntOrString port, Integer endPort) {
        NetworkPolicy.NetworkPolicyPort p = new NetworkPolicy.NetworkPolicyPort();
        p.protocol = protocol;
        p.port = port;
        p.endPort = endPort;
        return p;
    }

    static String chain(String podKey, String direction) {
        return "KUBE-NWPLCY-" + IptablesRules.hash(podKey + " " + direction);
    }

    // blue/b1 (here), blue/b2 (node-b), red/r1 (here), red/r2 (node-b)
    final List<Pod> pods = new ArrayList<>(List.of(
            pod("blue", "b1", NODE, "10.244.1.2", Map.of("app", "web")),
            pod("blue", "b2", "node-b", "10.244.2.2", Map.of("app", "db")),
            pod("red", "r1", NODE, "10.244.1.3", Map.of("app", "web")),
            pod("red", "r2", "node-b", "10.244.2.3", Map.of("app", "client"))));
    final List<Namespace> namespaces = List.of(ns("blue", Map.of("team", "blue")), ns("red", Map.of("team", "red")));

    List<String> render(NetworkPolicy... nps) {
        return NetworkPolicyRules.render(List.of(nps), pods, namespaces, NODE, Set.of()).lines().toList();
    }

    @Test
    void withoutPoliciesNoPodIsIsolated() {
        assertThat(render()).containsExactly(
                "*filter",
                ":KUBE-NWPLCY - [0:0]",
                "-A KUBE-NWPLCY -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
                "-A KUBE-NWPLCY -m addrtype --src-type LOCAL -j RETURN",
                "COMMIT");
    }

    @Test
    void denyFromOtherNamespacesAllowsEveryPodOfThePolicysNamespaceOnAnyNode() {
        NetworkPolicy np = policy("blue", "same-namespace-only", all());
        np.spec.ingress.add(from(pods(all(), null)));
        String b1 = chain("blue/b1", "Ingress");
        assertThat(render(np)).containsExactly(
                "*filter",
                ":KUBE-NWPLCY - [0:0]",
                ":" + b1 + " - [0:0]",
                "-A KUBE-NWPLCY -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN",
                "-A KUBE-NWPLCY -m addrtype --src-type LOCAL -j RETURN",
                "-A KUBE-NWPLCY -d 10.244.1.2/32 -m comment --comment \"blue/b1 ingress\" -j " + b1,
                "-A " + b1 + " -j MARK --set-xmark 0x0/0x10000",
                "-A " + b1 + " -s 10.244.1.2/32 -m comment --comment \"the pod itself\" -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -s 10.244.1.2/32 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -s 10.244.2.2/32 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A " + b1 + " -m comment --comment \"blue/b1 ingress not allowed by any network policy\" -j REJECT",
                "COMMIT");
    }

    @Test
    void aPolicyWithoutIngressRulesDeniesAllIngressAndPolicyTypesDefaultToIngress() {
        NetworkPolicy np = policy("red", "deny-all", all());
        List<String> lines = render(np);
        String r1 = chain("red/r1", "Ingress");
        assertThat(lines).filteredOn(l -> l.startsWith("-A " + r1)).containsExactly(
                "-A " + r1 + " -j MARK --set-xmark 0x0/0x10000",
                "-A " + r1 + " -s 10.244.1.3/32 -m comment --comment \"the pod itself\" -j MARK --set-xmark 0x10000/0x10000",
                "-A " + r1 + " -m mark --mark 0x10000/0x10000 -j RETURN",
                "-A " + r1 + " -m comment --comment \"red/r1 ingress not allowed by any network policy\" -j REJECT");
        assertThat(String.join("\n", lines)).doesNotContain(chain("red/r1", "Egress")).doesNotContain("blue/b1");
    }

    @Test
    void policyTypesDefaultToEgressToo_whenTheresAnEgressRule_andExplicitTypesWin() {
        NetworkPolicy np = policy("red", "egress", LabelSelector.of(Map.of("app", "web")));
        NetworkPolicy.NetworkPolicyEgressRule e = new NetworkPolicy.NetworkPolicyEgressRule();
        e.to.add(pods(LabelSelector.of(Map.of("app", "db")), LabelSelector.of(Map.of("team", "blue"))));
        np.spec.egress.add(e);
        String egress = chain("red/r1", "Egress");
        List<String> lines = render(np);
        assertThat(lines).contains("-A KUBE-NWPLCY -s 10.244.1.3/32 -m comment --comment \"red/r1 egress\" -j " + egress,
                "-A " + egress + " -d 10.244.2.2/32 -j MARK --set-xmark 0x10000/0x10000",
                "-A KUBE-NWPLCY -d 10.244.1.3/32 -m comment --comment \"red/r1 ingress\" -j " + chain("red/r1", "Ingress"));
        // egress before ingress in the top chain: a pod-to-pod packet on one node passes both
        assertThat(lines.indexOf("-A KUBE-NWPLCY -s 10.244.1.3/32 -m comment --comment \"red/r1 egress\" -j " + egress))
                .isLessThan(lines.indexOf("-A KUBE-NWPLCY -d 10.244.1.3/32 -m comment --comment \"red/r1 ingress\" -j " + chain("red/r1", "Ingress")));
        np.spec.policyTypes.add("Egress");
        assertThat(String.join("\n", render(np))).contains(egress).doesNotContain(chain("red/r1", "Ingress"));
    }

    @Test
    void namespaceSelectorAlone_podSelectorAlone_andBothInOnePeer() {
        NetworkPolicy np = policy("blue", "p", LabelSelector.of(Map.of("app", "web")));
        np.spec.ingress.add(from(pods(null, LabelSelector.of(Map.of("team", "red")))));
        String b1 = chain("blue/b1", "Ingress");
        assertThat(render(np)).filteredOn(l -> l.contains(" -s ") && !l.contains("the pod itself")).containsExactly(
                "-A " + b1 + " -s 10.244.1.3/32 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -s 10.244.2.3/32 -j MARK --set-xmark 0x10000/0x10000");
        np.spec.ingress.set(0, from(pods(LabelSelector.of(Map.of("app", "client")), LabelSelector.of(Map.of("kubernetes.io/metadata.name", "red")))));
        assertThat(render(np)).filteredOn(l -> l.contains(" -s ") && !l.contains("the pod itself")).containsExactly("-A " + b1 + " -s 10.244.2.3/32 -j MARK --set-xmark 0x10000/0x10000");
        // a podSelector alone stays in the policy's namespace: no blue pod is a client
        np.spec.ingress.set(0, from(pods(LabelSelector.of(Map.of("app", "client")), null)));
        assertThat(render(np)).filteredOn(l -> l.contains(" -s ") && !l.contains("the pod itself")).isEmpty();
    }

    @Test
    void ipBlockWithExceptGoesThroughItsOwnChain() {
        NetworkPolicy np = policy("blue", "p", LabelSelector.of(Map.of("app", "web")));
        np.spec.ingress.add(from(ipBlock("10.123.0.0/24", "10.123.0.11/32")));
        np.spec.ingress.add(from(ipBlock("192.168.0.0/16")));
        List<String> lines = render(np);
        String b1 = chain("blue/b1", "Ingress");
        String except = lines.stream().filter(l -> l.startsWith("-A " + b1 + " -s 10.123.0.0/24")).findFirst().orElseThrow().replaceAll(".* -j ", "");
        assertThat(except).startsWith("KUBE-NWPLCY-").hasSize(28);
        assertThat(lines).contains(":" + except + " - [0:0]",
                "-A " + except + " -s 10.123.0.11/32 -j RETURN",
                "-A " + except + " -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -s 192.168.0.0/16 -j MARK --set-xmark 0x10000/0x10000");
    }

    @Test
    void portsProtocolDefaultsToTcp_endPortIsARange_namedPortsResolveOnTheDestinationPod() {
        Container c = new Container();
        Container.ContainerPort http = new Container.ContainerPort();
        http.name = "http";
        http.containerPort = 8080;
        c.ports.add(http);
        pods.get(0).spec.containers.add(c);
        NetworkPolicy np = policy("blue", "p", LabelSelector.of(Map.of("app", "web")));
        NetworkPolicy.NetworkPolicyIngressRule r = new NetworkPolicy.NetworkPolicyIngressRule();
        r.ports.addAll(List.of(port(null, IntOrString.of(80), null), port("UDP", IntOrString.of(5000), 5010),
                port("TCP", IntOrString.of("http"), null), port("UDP", IntOrString.of("http"), null), port("SCTP", null, null)));
        np.spec.ingress.add(r);
        String b1 = chain("blue/b1", "Ingress");
        assertThat(render(np)).filteredOn(l -> l.contains("--set-xmark 0x10000/") && !l.contains("the pod itself")).containsExactly(
                "-A " + b1 + " -p tcp -m tcp --dport 80 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -p udp -m udp --dport 5000:5010 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -p tcp -m tcp --dport 8080 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -p sctp -j MARK --set-xmark 0x10000/0x10000");
    }

    @Test
    void theUnionOfEverySelectingPolicysRules() {
        NetworkPolicy a = policy("blue", "a", all());
        a.spec.ingress.add(from(ipBlock("10.0.0.1/32")));
        NetworkPolicy b = policy("blue", "b", LabelSelector.of(Map.of("app", "web")));
        b.spec.ingress.add(from(ipBlock("10.0.0.2/32")));
        String b1 = chain("blue/b1", "Ingress");
        assertThat(render(a, b)).filteredOn(l -> l.contains("--set-xmark 0x10000/") && !l.contains("the pod itself")).containsExactly(
                "-A " + b1 + " -s 10.0.0.1/32 -j MARK --set-xmark 0x10000/0x10000",
                "-A " + b1 + " -s 10.0.0.2/32 -j MARK --set-xmark 0x10000/0x10000");
    }

    @Test
    void podsWithoutIpInHostNetworkOrFinishedAreNeitherIsolatedNorPeers() {
        pods.get(1).spec.hostNetwork = true;
        pods.add(pod("blue", "done", NODE, "10.244.1.9", Map.of()));
        pods.getLast().status.phase = "Succeeded";
        pods.add(pod("blue", "pending", NODE, null, Map.of()));
        NetworkPolicy np = policy("blue", "p", all());
        np.spec.ingress.add(from(pods(all(), null)));
        String all = String.join("\n", render(np));
        assertThat(all).contains(chain("blue/b1", "Ingress")).doesNotContain("10.244.2.2").doesNotContain("10.244.1.9")
                .doesNotContain(chain("blue/done", "Ingress")).doesNotContain(chain("blue/pending", "Ingress"));
    }

    @Test
    void staleChainsAreDeletedAndCleanupRemovesOursOnly() {
        String stale = "KUBE-NWPLCY-AAAAAAAAAAAAAAAA";
        List<String> lines = NetworkPolicyRules.render(List.of(), pods, namespaces, NODE, Set.of(stale, "KUBE-SERVICES", "KUBE-NWPLCY")).lines().toList();
        assertThat(lines).contains(":" + stale + " - [0:0]", "-X " + stale).doesNotContain("-X KUBE-NWPLCY", "-X KUBE-SERVICES");
        assertThat(lines.indexOf("-X " + stale)).isGreaterThan(lines.indexOf("-A KUBE-NWPLCY -m addrtype --src-type LOCAL -j RETURN"));
        assertThat(NetworkPolicyRules.cleanup(Set.of(stale, "KUBE-NWPLCY", "KUBE-SERVICES", "FORWARD")).lines().toList()).containsExactly(
                "*filter", ":KUBE-NWPLCY - [0:0]", ":" + stale + " - [0:0]", "-X KUBE-NWPLCY", "-X " + stale, "COMMIT");
    }

    @Test
    void theJumpMustBeTheFirstRuleOfItsChain() {
        String first = "-A FORWARD -m comment --comment \"kube4j network policies\" -j KUBE-NWPLCY\n-A FORWARD -j KUBE-FORWARD\n";
        String second = "-A FORWARD -j KUBE-FORWARD\n-A FORWARD -m comment --comment \"kube4j network policies\" -j KUBE-NWPLCY\n";
        assertThat(NetworkPolicyController.jumpIsFirst(first, "FORWARD")).isTrue();
        assertThat(NetworkPolicyController.jumpIsFirst(second, "FORWARD")).isFalse();
        assertThat(NetworkPolicyController.jumpIsFirst(first, "OUTPUT")).isFalse();
    }
}
