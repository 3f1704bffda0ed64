package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.api.Namespace;
import io.kube4j.api.NetworkPolicy;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import io.kube4j.kubeproxy.KubeProxyProperties;
import io.kube4j.kubeproxy.iptables.CommandRunner;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** The controller's commands against a recording fake runner: restore, then the jumps moved to the top. */
class NetworkPolicyControllerTest {
    final ApiClient client = new ApiClient("http://127.0.0.1:1");
    final Informer<NetworkPolicy> policies = new Informer<>(client, NetworkPolicy.class);
    final Informer<Pod> pods = new Informer<>(client, Pod.class);
    final Informer<Namespace> namespaces = new Informer<>(client, Namespace.class);
    final List<String> commands = new ArrayList<>();
    final List<String> restored = new ArrayList<>();
    String table = "*filter\n:INPUT ACCEPT [0:0]\n:FORWARD ACCEPT [0:0]\n:OUTPUT ACCEPT [0:0]\nCOMMIT\n";

    final CommandRunner runner = (command, stdin) -> {
        commands.add(String.join(" ", command));
        if (command.getFirst().equals("iptables-save")) {
            return new CommandRunner.Result(0, table);
        }
        if (command.getFirst().equals("iptables-restore")) {
            restored.add(stdin);
        }
        // -D of a jump that is not there fails, as iptables does
        return new CommandRunner.Result(command.contains("-D") ? 1 : 0, "");
    };

    final NetworkPolicyController controller = new NetworkPolicyController(policies, pods, namespaces,
            new KubeProxyProperties.Iptables("iptables", "iptables-restore", "", "iptables-save"), runner, "node-a", Duration.ofSeconds(30));

    static final String JUMP = "-m comment --comment kube4j network policies -j KUBE-NWPLCY";

    @Test
    void aSyncRestoresTheRulesInOneTransactionAndPutsTheJumpsFirst() {
        Pod web = NetworkPolicyRulesTest.pod("blue", "web", "node-a", "10.244.1.2", Map.of());
        NetworkPolicy deny = NetworkPolicyRulesTest.policy("blue", "deny", new io.kube4j.api.LabelSelector());
        preload(pods, web);
        preload(policies, deny);
        controller.syncOnce();
        assertThat(restored).hasSize(1);
        assertThat(restored.getFirst()).contains("-A KUBE-NWPLCY -d 10.244.1.2/32 -m comment --comment \"blue/web ingress\" -j KUBE-NWPLCY-");
        assertThat(commands).containsExactly(
                "iptables-save -t filter",
                "iptables-restore --noflush",
                "iptables -w -t filter -D FORWARD " + JUMP,
                "iptables -w -t filter -I FORWARD 1 " + JUMP,
                "iptables -w -t filter -D OUTPUT " + JUMP,
                "iptables -w -t filter -I OUTPUT 1 " + JUMP);
        assertThat(controller.hasSynced()).isTrue();
    }

    @Test
    void theJumpCheckMovesOnlyAJumpThatIsNoLongerFirst() {
        table = """
                *filter
                :FORWARD ACCEPT [0:0]
                :OUTPUT ACCEPT [0:0]
                :KUBE-NWPLCY - [0:0]
                -A FORWARD -m comment --comment "kubernetes forwarding rules" -j KUBE-FORWARD
                -A FORWARD -m comment --comment "kube4j network policies" -j KUBE-NWPLCY
                -A OUTPUT -m comment --comment "kube4j network policies" -j KUBE-NWPLCY
                COMMIT
                """;
        controller.checkJumps();
        assertThat(commands).containsExactly("iptables-save -t filter",
                "iptables -w -t filter -D FORWARD " + JUMP, "iptables -w -t filter -I FORWARD 1 " + JUMP);
    }

    @Test
    void stopRemovesTheJumpsThenTheChains() {
        table = "*filter\n:FORWARD ACCEPT [0:0]\n:KUBE-NWPLCY - [0:0]\n:KUBE-NWPLCY-AAAAAAAAAAAAAAAA - [0:0]\n:KUBE-FORWARD - [0:0]\nCOMMIT\n";
        controller.stop();
        assertThat(commands).containsExactly("iptables -w -t filter -D FORWARD " + JUMP, "iptables -w -t filter -D OUTPUT " + JUMP,
                "iptables-save -t filter", "iptables-restore --noflush");
        assertThat(restored.getFirst()).contains("-X KUBE-NWPLCY\n", "-X KUBE-NWPLCY-AAAAAAAAAAAAAAAA").doesNotContain("KUBE-FORWARD");
    }

    @org.junit.jupiter.api.io.TempDir
    java.nio.file.Path sys;

    @Test
    void theJumpCheckTurnsBridgeNetfilterBackOnWhenSomethingTurnedItOff() throws Exception {
        java.nio.file.Path sysctl = sys.resolve(io.kube4j.net.BridgeNetfilter.CALL_IPTABLES);
        java.nio.file.Files.createDirectories(sysctl.getParent());
        java.nio.file.Files.writeString(sysctl, "0\n");
        NetworkPolicyController withBridge = new NetworkPolicyController(policies, pods, namespaces,
                new KubeProxyProperties.Iptables("iptables", "iptables-restore", "", "iptables-save"), runner, "node-a",
                Duration.ofSeconds(30), new io.kube4j.net.BridgeNetfilter(sys, List.of()));
        withBridge.checkJumps();
        assertThat(java.nio.file.Files.readString(sysctl).strip()).isEqualTo("1");
        java.nio.file.Files.writeString(sysctl, "0\n");
        withBridge.checkJumps();
        assertThat(java.nio.file.Files.readString(sysctl).strip()).isEqualTo("1");
    }

    @Test
    void aKernelWithoutBridgeNetfilterIsReportedAndDoesNotStopTheSync() {
        NetworkPolicyController withoutModule = new NetworkPolicyController(policies, pods, namespaces,
                new KubeProxyProperties.Iptables("iptables", "iptables-restore", "", "iptables-save"), runner, "node-a",
                Duration.ofSeconds(30), new io.kube4j.net.BridgeNetfilter(sys, List.of("false")));
        withoutModule.ensureBridgeNetfilter();
        withoutModule.syncOnce();
        assertThat(restored).hasSize(1);
        assertThat(java.nio.file.Files.exists(sys.resolve(io.kube4j.net.BridgeNetfilter.CALL_IPTABLES))).isFalse();
    }
}
