package io.kube4j.kubeproxy.iptables;

import io.kube4j.kubeproxy.Endpoint;
import io.kube4j.kubeproxy.ProxiedPort;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IptablesRulesTest {

    static ProxiedPort web(boolean affinity, Endpoint... endpoints) {
        return new ProxiedPort("default", "web", "http", "TCP", "10.96.0.10", 80, 30080, affinity, Duration.ofSeconds(600), List.of(endpoints));
    }

    static List<String> lines(IptablesRules.Rendered r) {
        return r.restoreInput().lines().toList();
    }

    static final String SVC = "KUBE-SVC-" + IptablesRules.portProtoHash("default/web:http", "tcp");
    static final String EXT = "KUBE-EXT-" + IptablesRules.portProtoHash("default/web:http", "tcp");
    static final String SVL = "KUBE-SVL-" + IptablesRules.portProtoHash("default/web:http", "tcp");

    static String sep(String ip) {
        return IptablesRules.endpointChain("default/web:http", "tcp", new Endpoint(ip, 8080));
    }

    @Test
    void chainNamesHashAsKubernetesDoes() {
        // the chain of the kubernetes Service's https port in Kubernetes' own proxier_test.go
        assertThat("KUBE-SVC-" + IptablesRules.portProtoHash("default/kubernetes:https", "tcp")).isEqualTo("KUBE-SVC-NPX46M4PTMTKRN6Y");
        assertThat(sep("10.1.0.1")).startsWith("KUBE-SEP-").hasSize(25);
    }

    @Test
    void clusterIpAndNodePortJumpToAServiceChainThatSpreadsOverEndpointChains() {
        IptablesRules.Rendered r = IptablesRules.render(List.of(web(false, new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080), new Endpoint("10.1.0.3", 8080))), Set.of(), "");
        List<String> lines = lines(r);
        assertThat(lines.get(0)).isEqualTo("*filter");
        assertThat(lines).contains(
                "*nat",
                ":KUBE-SERVICES - [0:0]",
                ":" + SVC + " - [0:0]",
                ":" + EXT + " - [0:0]",
                "-A KUBE-SERVICES -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j " + SVC,
                "-A KUBE-NODEPORTS -m comment --comment \"default/web:http\" -m tcp -p tcp --dport 30080 -j " + EXT,
                "-A " + EXT + " -m comment --comment \"masquerade traffic for default/web:http external destinations\" -j KUBE-MARK-MASQ",
                "-A " + EXT + " -j " + SVC,
                "-A " + SVC + " -m comment --comment \"default/web:http -> 10.1.0.1:8080\" -m statistic --mode random --probability 0.3333333333 -j " + sep("10.1.0.1"),
                "-A " + SVC + " -m comment --comment \"default/web:http -> 10.1.0.2:8080\" -m statistic --mode random --probability 0.5000000000 -j " + sep("10.1.0.2"),
                "-A " + SVC + " -m comment --comment \"default/web:http -> 10.1.0.3:8080\" -j " + sep("10.1.0.3"),
                "-A " + sep("10.1.0.1") + " -m comment --comment \"default/web:http\" -s 10.1.0.1 -j KUBE-MARK-MASQ",
                "-A " + sep("10.1.0.1") + " -m comment --comment \"default/web:http\" -m tcp -p tcp -j DNAT --to-destination 10.1.0.1:8080",
                "-A KUBE-POSTROUTING -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        assertThat(lines.get(lines.size() - 2)).isEqualTo("-A KUBE-SERVICES -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\""
                + " -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j KUBE-NODEPORTS");
        assertThat(lines.getLast()).isEqualTo("COMMIT");
        assertThat(r.chains()).contains(SVC, EXT, sep("10.1.0.1"), sep("10.1.0.3")).hasSize(4 + 2 + 3);
        assertThat(r.chains()).allMatch(c -> c.length() <= 28);
    }

    @Test
    void clientIpAffinityChecksRecentBeforeTheRandomChoiceAndRecordsInTheEndpointChain() {
        IptablesRules.Rendered r = IptablesRules.render(List.of(web(true, new Endpoint("10.1.0.1", 8080))), Set.of(), "");
        String sep = sep("10.1.0.1");
        List<String> lines = lines(r);
        assertThat(lines).contains(
                "-A " + SVC + " -m comment --comment \"default/web:http -> 10.1.0.1:8080\" -m recent --name " + sep + " --rcheck --seconds 600 --reap -j " + sep,
                "-A " + sep + " -m comment --comment \"default/web:http\" -m recent --name " + sep + " --set -m tcp -p tcp -j DNAT --to-destination 10.1.0.1:8080");
        assertThat(lines.indexOf("-A " + SVC + " -m comment --comment \"default/web:http -> 10.1.0.1:8080\" -j " + sep))
                .isGreaterThan(lines.indexOf("-A " + SVC + " -m comment --comment \"default/web:http -> 10.1.0.1:8080\" -m recent --name " + sep + " --rcheck --seconds 600 --reap -j " + sep));
    }

    @Test
    void externalTrafficPolicyLocalSendsOutsideTrafficToTheLocalEndpointsOnly() {
        Endpoint here = new Endpoint("10.244.1.2", 8080);
        Endpoint there = new Endpoint("10.244.2.2", 8080);
        ProxiedPort p = new ProxiedPort("default", "web", "http", "TCP", "10.96.0.10", 80, 30080, false, Duration.ZERO,
                List.of(here, there), true, List.of(here));
        List<String> lines = lines(IptablesRules.render(List.of(p), Set.of(), "10.244.0.0/16"));
        assertThat(lines).containsSubsequence(
                "-A " + EXT + " -m comment --comment \"pod traffic for default/web:http external destinations\" -s 10.244.0.0/16 -j " + SVC,
                "-A " + EXT + " -m comment --comment \"masquerade LOCAL traffic for default/web:http external destinations\" -m addrtype --src-type LOCAL -j KUBE-MARK-MASQ",
                "-A " + EXT + " -m comment --comment \"route LOCAL traffic for default/web:http external destinations\" -m addrtype --src-type LOCAL -j " + SVC,
                "-A " + EXT + " -j " + SVL);
        assertThat(lines).contains("-A " + SVL + " -m comment --comment \"default/web:http -> 10.244.1.2:8080\" -j " + IptablesRules.endpointChain("default/web:http", "tcp", here));
        assertThat(lines).filteredOn(l -> l.startsWith("-A " + SVL)).hasSize(1);
        assertThat(lines).noneMatch(l -> l.contains("masquerade traffic for"));

        // no local endpoint: outside traffic is dropped in filter, traffic from the node still reaches the Service
        ProxiedPort none = new ProxiedPort("default", "web", "http", "TCP", "10.96.0.10", 80, 30080, false, Duration.ZERO,
                List.of(there), true, List.of());
        List<String> noneLines = lines(IptablesRules.render(List.of(none), Set.of(), ""));
        assertThat(noneLines).contains("-A KUBE-EXTERNAL-SERVICES -m comment --comment \"default/web:http has no local endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j DROP");
        assertThat(noneLines).noneMatch(l -> l.startsWith("-A " + EXT + " -j "));
    }

    @Test
    void staleServiceChainsAreFlushedAndDeletedButForeignChainsAreLeftAlone() {
        IptablesRules.Rendered before = IptablesRules.render(List.of(web(false, new Endpoint("10.1.0.1", 8080))), Set.of(), "");
        Set<String> existing = new java.util.HashSet<>(before.chains());
        existing.add("DOCKER");
        IptablesRules.Rendered after = IptablesRules.render(List.of(), existing, "");
        assertThat(lines(after)).contains(":" + SVC + " - [0:0]", "-X " + SVC, "-X " + sep("10.1.0.1"), "-X " + EXT);
        assertThat(lines(after)).noneMatch(l -> l.startsWith("-A " + SVC));
        assertThat(lines(after)).noneMatch(l -> l.contains("DOCKER") || l.equals("-X KUBE-SERVICES"));
        assertThat(after.chains()).doesNotContain(SVC);
    }

    @Test
    void aPortWithoutEndpointsIsRejectedAndClusterCidrMasqueradesOutsideTraffic() {
        IptablesRules.Rendered empty = IptablesRules.render(List.of(web(false)), Set.of(), "");
        assertThat(empty.chains()).hasSize(4);
        assertThat(lines(empty)).contains(
                "-A KUBE-SERVICES -m comment --comment \"default/web:http has no endpoints\" -m tcp -p tcp -d 10.96.0.10 --dport 80 -j REJECT",
                "-A KUBE-EXTERNAL-SERVICES -m comment --comment \"default/web:http has no endpoints\" -m addrtype --dst-type LOCAL -m tcp -p tcp --dport 30080 -j REJECT");
        IptablesRules.Rendered r = IptablesRules.render(List.of(web(false, new Endpoint("10.1.0.1", 8080))), Set.of(), "10.244.0.0/16");
        assertThat(lines(r)).contains("-A " + SVC + " -m comment --comment \"default/web:http cluster IP\" -m tcp -p tcp -d 10.96.0.10 --dport 80 ! -s 10.244.0.0/16 -j KUBE-MARK-MASQ");
    }

    @Test
    void cleanupFlushesAndDeletesOurChainsOnly() {
        String c = IptablesRules.cleanup(Set.of("KUBE-SERVICES", "KUBE-FORWARD", "INPUT"), Set.of("KUBE-SERVICES", "KUBE-MARK-MASQ", SVC, "DOCKER"));
        assertThat(c.lines().toList()).contains("*filter", ":KUBE-SERVICES - [0:0]", "-X KUBE-FORWARD", "*nat", "-X " + SVC, "-X KUBE-MARK-MASQ");
        assertThat(c).doesNotContain("DOCKER", "INPUT", "-A ");
    }
}
