package io.kube4j.kubeproxy.iptables;

import io.kube4j.kubeproxy.Endpoint;
import io.kube4j.kubeproxy.KubeProxyProperties;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;

class IptablesProxierTest {
    /** A fake iptables: remembers jump rules added, records every command. */
    final List<String> commands = new ArrayList<>();
    final List<String> restores = new ArrayList<>();
    final Set<String> jumps = new HashSet<>();
    final CommandRunner fake = (cmd, stdin) -> {
        String line = String.join(" ", cmd);
        commands.add(line);
        if (cmd.get(0).equals("iptables-restore")) {
            restores.add(stdin);
            return new CommandRunner.Result(0, "");
        }
        String rule = String.join(" ", cmd.subList(5, cmd.size()));
        return switch (cmd.get(4)) {
            case "-C" -> new CommandRunner.Result(jumps.contains(rule) ? 0 : 1, "");
            case "-I" -> {
                jumps.add(rule);
                yield new CommandRunner.Result(0, "");
            }
            case "-D" -> new CommandRunner.Result(jumps.remove(rule) ? 0 : 1, "");
            default -> new CommandRunner.Result(2, "unexpected");
        };
    };
    final IptablesProxier proxier = new IptablesProxier(new KubeProxyProperties.Iptables("iptables", "iptables-restore", ""), fake);

    @Test
    void syncRestoresTheRulesAndInstallsTheJumpsOnce() {
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.1", 8080))));
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.2", 8080))));
        assertThat(restores).hasSize(2);
        assertThat(restores.get(1)).contains("--to-destination 10.1.0.2:8080").contains("-X KUBE4J-SEP-");
        assertThat(jumps).containsExactlyInAnyOrder(
                "PREROUTING -m comment --comment kube4j service portals -j KUBE4J-SERVICES",
                "OUTPUT -m comment --comment kube4j service portals -j KUBE4J-SERVICES",
                "POSTROUTING -m comment --comment kube4j postrouting rules -j KUBE4J-POSTROUTING");
        assertThat(commands.stream().filter(c -> c.contains(" -I "))).hasSize(3);
    }

    @Test
    void closeRemovesTheJumpsAndEveryKube4jChain() {
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.1", 8080))));
        proxier.close();
        assertThat(jumps).isEmpty();
        String cleanup = restores.getLast();
        assertThat(cleanup).contains("-X KUBE4J-SERVICES", "-X KUBE4J-NODEPORTS", "-X KUBE4J-SVC-", "-X KUBE4J-SEP-");
        assertThat(cleanup).doesNotContain("-A ");
    }
}
