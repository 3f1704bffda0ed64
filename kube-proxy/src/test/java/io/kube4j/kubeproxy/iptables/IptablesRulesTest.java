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

    @Test
    void clusterIpAndNodePortJumpToAServiceChainThatSpreadsOverEndpointChains() {
        IptablesRules.Rendered r = IptablesRules.render(List.of(web(false, new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080), new Endpoint("10.1.0.3", 8080))), Set.of(), "");
        String svc = "KUBE4J-SVC-" + IptablesRules.hash("default/web:http/tcp");
        String sep1 = "KUBE4J-SEP-" + IptablesRules.hash("default/web:http/tcp/10.1.0.1:8080");
        String sep3 = "KUBE4J-SEP-" + IptablesRules.hash("default/web:http/tcp/10.1.0.3:8080");
        List<String> lines = lines(r);
        assertThat(lines.get(0)).isEqualTo("*nat");
        assertThat(lines).contains(
                ":KUBE4J-SERVICES - [0:0]",
                ":" + svc + " - [0:0]",
                "-A KUBE4J-SERVICES -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -m comment --comment \"default/web:http cluster IP\" -j " + svc,
                "-A KUBE4J-NODEPORTS -p tcp -m tcp --dport 30080 -m comment --comment \"default/web:http\" -j KUBE4J-MARK-MASQ",
                "-A KUBE4J-NODEPORTS -p tcp -m tcp --dport 30080 -m comment --comment \"default/web:http\" -j " + svc,
                "-A " + svc + " -m comment --comment \"default/web:http\" -m statistic --mode random --probability 0.3333333333 -j " + sep1,
                "-A " + svc + " -m comment --comment \"default/web:http\" -j " + sep3,
                "-A " + sep1 + " -m comment --comment \"default/web:http\" -s 10.1.0.1/32 -j KUBE4J-MARK-MASQ",
                "-A " + sep1 + " -m comment --comment \"default/web:http\" -p tcp -m tcp -j DNAT --to-destination 10.1.0.1:8080");
        assertThat(lines).anyMatch(l -> l.contains("--probability 0.5000000000"));
        assertThat(lines.get(lines.size() - 2)).contains("--dst-type LOCAL -j KUBE4J-NODEPORTS");
        assertThat(lines.getLast()).isEqualTo("COMMIT");
        assertThat(r.chains()).contains(svc, sep1, sep3).hasSize(4 + 1 + 3);
        assertThat(svc.length()).isLessThanOrEqualTo(28);
    }

    @Test
    void clientIpAffinityChecksRecentBeforeTheRandomChoiceAndRecordsInTheEndpointChain() {
        IptablesRules.Rendered r = IptablesRules.render(List.of(web(true, new Endpoint("10.1.0.1", 8080))), Set.of(), "");
        String sep = "KUBE4J-SEP-" + IptablesRules.hash("default/web:http/tcp/10.1.0.1:8080");
        assertThat(lines(r)).contains(
                "-A KUBE4J-SVC-" + IptablesRules.hash("default/web:http/tcp") + " -m comment --comment \"default/web:http\" -m recent --name " + sep + " --rcheck --seconds 600 --reap -j " + sep,
                "-A " + sep + " -m comment --comment \"default/web:http\" -m recent --name " + sep + " --set -p tcp -m tcp -j DNAT --to-destination 10.1.0.1:8080");
    }

    @Test
    void chainsOfServicesThatAreGoneAreFlushedAndDeleted() {
        IptablesRules.Rendered before = IptablesRules.render(List.of(web(false, new Endpoint("10.1.0.1", 8080))), Set.of(), "");
        IptablesRules.Rendered after = IptablesRules.render(List.of(), before.chains(), "");
        String svc = "KUBE4J-SVC-" + IptablesRules.hash("default/web:http/tcp");
        assertThat(lines(after)).contains(":" + svc + " - [0:0]", "-X " + svc);
        assertThat(lines(after)).noneMatch(l -> l.startsWith("-A " + svc));
        assertThat(after.chains()).doesNotContain(svc);
    }

    @Test
    void aPortWithoutEndpointsGetsNoRulesAndClusterCidrMasqueradesOutsideTraffic() {
        assertThat(IptablesRules.render(List.of(web(false)), Set.of(), "").chains()).hasSize(4);
        IptablesRules.Rendered r = IptablesRules.render(List.of(web(false, new Endpoint("10.1.0.1", 8080))), Set.of(), "10.244.0.0/16");
        assertThat(lines(r)).anyMatch(l -> l.contains("! -s 10.244.0.0/16 -d 10.96.0.10/32 -p tcp -m tcp --dport 80 -j KUBE4J-MARK-MASQ"));
    }
}
