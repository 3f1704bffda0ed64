package io.kube4j.kubelet.network;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class KubenetMasqueradeTest {
    private final List<List<String>> commands = new ArrayList<>();

    private PodCidrRoutes.CommandRunner answering(int checkExit) {
        return command -> {
            commands.add(command);
            return new PodCidrRoutes.CommandRunner.Result(command.contains("-C") ? checkExit : 0, "");
        };
    }

    @Test
    void aMissingRuleIsAppendedAsKubenetsEnsureMasqRuleWritesIt() {
        assertThat(new KubenetMasquerade("10.244.0.0/16", answering(1)).ensure()).isTrue();

        List<String> rule = List.of("-m", "comment", "--comment", "kubenet: SNAT for outbound traffic from cluster",
                "-m", "addrtype", "!", "--dst-type", "LOCAL", "!", "-d", "10.244.0.0/16", "-j", "MASQUERADE");
        List<String> check = new ArrayList<>(List.of("iptables", "-w", "5", "-t", "nat", "-C", "POSTROUTING"));
        check.addAll(rule);
        List<String> append = new ArrayList<>(List.of("iptables", "-w", "5", "-t", "nat", "-A", "POSTROUTING"));
        append.addAll(rule);
        assertThat(commands).containsExactly(check, append);
    }

    @Test
    void aPresentRuleIsNotAddedTwice() {
        assertThat(new KubenetMasquerade("10.0.0.0/8", answering(0)).ensure()).isTrue();
        assertThat(commands).hasSize(1);
        assertThat(commands.getFirst()).contains("-C");
    }

    @Test
    void theAllAddressesCidrDisablesTheRuleAsInKubenet() {
        assertThat(new KubenetMasquerade("0.0.0.0/0", answering(1)).ensure()).isTrue();
        assertThat(commands).isEmpty();
    }

    @Test
    void aFailedAppendIsReported() {
        PodCidrRoutes.CommandRunner failing = command -> {
            commands.add(command);
            return new PodCidrRoutes.CommandRunner.Result(command.contains("-C") ? 1 : 4, "iptables: Permission denied");
        };
        assertThat(new KubenetMasquerade("10.244.0.0/16", failing).ensure()).isFalse();
    }
}
