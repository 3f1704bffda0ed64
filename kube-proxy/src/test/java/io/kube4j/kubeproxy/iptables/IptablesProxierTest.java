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
    /** A fake iptables: remembers jump rules added and the chains restored, records every command. */
    final List<String> commands = new ArrayList<>();
    final List<String> restores = new ArrayList<>();
    final Set<String> jumps = new HashSet<>();
    final Set<String> natChains = new HashSet<>(Set.of("PREROUTING", "OUTPUT", "POSTROUTING", "INPUT"));
    final CommandRunner fake = (cmd, stdin) -> {
        String line = String.join(" ", cmd);
        commands.add(line);
        if (cmd.get(0).equals("iptables-save")) {
            StringBuilder out = new StringBuilder("*" + cmd.get(2) + "\n");
            if (cmd.get(2).equals("nat")) {
                natChains.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
            }
            // as iptables-save prints a rule: "-A CHAIN ...", the comment quoted
            jumps.stream().filter(j -> j.startsWith(cmd.get(2) + " "))
                    .forEach(j -> out.append("-A ").append(j.substring(cmd.get(2).length() + 1).replaceFirst("--comment (.*) -j", "--comment \"$1\" -j")).append('\n'));
            return new CommandRunner.Result(0, out.append("COMMIT\n").toString());
        }
        if (cmd.get(0).equals("iptables-restore")) {
            restores.add(stdin);
            String natPart = stdin.substring(stdin.indexOf("*nat"));
            natPart.lines().filter(l -> l.startsWith(":")).forEach(l -> natChains.add(l.substring(1, l.indexOf(' '))));
            natPart.lines().filter(l -> l.startsWith("-X ")).forEach(l -> natChains.remove(l.substring(3)));
            return new CommandRunner.Result(0, "");
        }
        String rule = String.join(" ", cmd.subList(3, cmd.size())).replace(" " + cmd.get(4) + " ", " ");
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
    final IptablesProxier proxier = new IptablesProxier(new KubeProxyProperties.Iptables("iptables", "iptables-restore", "", "iptables-save"), fake);

    @Test
    void eachSyncIsOneRestoreThatDeletesTheChainsOfTheLastAndTheJumpsAreInsertedOnce() {
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.1", 8080))));
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.2", 8080))));
        assertThat(restores).hasSize(2);
        assertThat(restores.get(1)).contains("--to-destination 10.1.0.2:8080").contains("-X " + IptablesRulesTest.sep("10.1.0.1"));
        assertThat(jumps).contains(
                "nat PREROUTING -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "nat OUTPUT -m comment --comment kubernetes service portals -j KUBE-SERVICES",
                "nat POSTROUTING -m comment --comment kubernetes postrouting rules -j KUBE-POSTROUTING",
                "filter FORWARD -m conntrack --ctstate NEW -m comment --comment kubernetes service portals -j KUBE-SERVICES").hasSize(IptablesProxier.JUMPS.size());
        assertThat(commands.stream().filter(c -> c.contains(" -I "))).hasSize(IptablesProxier.JUMPS.size());
        // the second sync found every jump in iptables-save's output: no iptables -C at all
        assertThat(commands.stream().filter(c -> c.contains(" -C "))).hasSize(IptablesProxier.JUMPS.size());

        // a table flushed by someone else: the next sync puts the jumps back
        jumps.removeIf(j -> j.startsWith("nat PREROUTING"));
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.2", 8080))));
        assertThat(jumps).hasSize(IptablesProxier.JUMPS.size());
    }

    @Test
    void closeRemovesTheJumpsAndEveryChainOfOurs() {
        proxier.sync(List.of(IptablesRulesTest.web(false, new Endpoint("10.1.0.1", 8080))));
        proxier.close();
        assertThat(jumps).isEmpty();
        String cleanup = restores.getLast();
        assertThat(cleanup).contains("-X KUBE-SERVICES", "-X KUBE-NODEPORTS", "-X KUBE-SVC-", "-X KUBE-SEP-", "-X KUBE-EXT-");
        assertThat(cleanup).doesNotContain("-A ", "PREROUTING");
        assertThat(natChains).containsExactlyInAnyOrder("PREROUTING", "OUTPUT", "POSTROUTING", "INPUT");
    }
}
