package io.kube4j.allinone;

import org.junit.jupiter.api.Test;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class AllInOneOptionsTest {

    @Test
    void defaultsAreOneNodeOnPort6443() {
        AllInOneOptions o = AllInOneOptions.parse(new String[0], Map.of());
        assertThat(o.port()).isEqualTo(6443);
        assertThat(o.nodes()).isEqualTo(1);
        assertThat(o.nodeNames()).containsExactly("node-0");
        assertThat(o.nodeCpu()).isEqualTo("4");
        assertThat(o.nodeMemory()).isEqualTo("8Gi");
        assertThat(o.nodePods()).isEqualTo("110");
        assertThat(o.serverUrl()).isEqualTo("https://127.0.0.1:6443");
        assertThat(o.localApiServerUrl()).isEqualTo("https://127.0.0.1:6443");
        assertThat(o.secure()).isTrue();
        assertThat(o.dataDir()).isEmpty();
        assertThat(o.tlsSans()).isEmpty();
        assertThat(o.etcdEndpoints()).isEmpty();
        assertThat(o.exitWhenReady()).isFalse();
    }

    @Test
    void argumentsWinOverEnvironmentVariables() {
        AllInOneOptions o = AllInOneOptions.parse(new String[]{"--nodes=3", "--port=7443"},
                Map.of("KUBE4J_NODES", "5", "KUBE4J_NODE_MEMORY", "16Gi", "KUBE4J_KUBECONFIG", "/etc/kube4j/kubeconfig.yaml",
                        "KUBE4J_SERVER_URL", "https://example:1"));
        assertThat(o.nodes()).isEqualTo(3);
        assertThat(o.nodeNames()).containsExactly("node-0", "node-1", "node-2");
        assertThat(o.port()).isEqualTo(7443);
        assertThat(o.localApiServerUrl()).isEqualTo("https://127.0.0.1:7443");
        assertThat(o.nodeMemory()).isEqualTo("16Gi");
        assertThat(o.kubeconfig()).isEqualTo(Path.of("/etc/kube4j/kubeconfig.yaml"));
        assertThat(o.serverUrl()).isEqualTo("https://example:1");
    }

    @Test
    void componentSettingsPassThroughAndUnknownOptionsFail() {
        AllInOneOptions o = AllInOneOptions.parse(new String[]{"--kube4j.controller-manager.node-monitor-grace-period=20s"}, Map.of());
        assertThat(o.passThrough()).containsExactly("--kube4j.controller-manager.node-monitor-grace-period=20s");
        assertThatThrownBy(() -> AllInOneOptions.parse(new String[]{"--nodez=2"}, Map.of())).hasMessage("unknown option --nodez");
        assertThatThrownBy(() -> AllInOneOptions.parse(new String[]{"--nodes=0"}, Map.of())).hasMessageContaining("at least 1");
    }

    @Test
    void tlsSansAreACommaSeparatedList() {
        AllInOneOptions o = AllInOneOptions.parse(new String[]{"--tls-san=kube4j, 10.0.0.7,,my.host"}, Map.of("KUBE4J_TLS_SAN", "ignored"));
        assertThat(o.tlsSans()).containsExactly("kube4j", "10.0.0.7", "my.host");
        assertThat(AllInOneOptions.parse(new String[0], Map.of("KUBE4J_TLS_SAN", "a,b", "KUBE4J_DATA_DIR", "/var/lib/kube4j")))
                .satisfies(e -> assertThat(e.tlsSans()).containsExactly("a", "b"))
                .satisfies(e -> assertThat(e.dataDir()).isEqualTo("/var/lib/kube4j"));
    }

    @Test
    void insecureOnlyWhenAskedForByName() {
        AllInOneOptions insecure = AllInOneOptions.parse(new String[]{"--kube4j.security.insecure=true"}, Map.of());
        assertThat(insecure.secure()).isFalse();
        assertThat(insecure.serverUrl()).isEqualTo("http://127.0.0.1:6443");
        assertThat(insecure.localApiServerUrl()).isEqualTo("http://127.0.0.1:6443");
        assertThat(AllInOneOptions.parse(new String[]{"--kube4j.security.enabled=false"}, Map.of()).secure()).isFalse();
        assertThat(AllInOneOptions.parse(new String[]{"--kube4j.security.insecure=false"}, Map.of()).secure()).isTrue();
        assertThat(AllInOneOptions.parse(new String[]{"--kube4j.security.insecure=true", "--kube4j.security.insecure=false"}, Map.of())
                .passThroughValue("kube4j.security.insecure")).isEqualTo("false");
    }

    @Test
    void servingNamesAddTheServerUrlsHostToTheTlsSans() {
        AllInOne aio = new AllInOne(AllInOneOptions.parse(new String[]{"--tls-san=kube4j", "--server-url=https://cluster.example:6443"}, Map.of()));
        assertThat(aio.servingNames()).containsExactly("kube4j", "cluster.example");
        AllInOne v6 = new AllInOne(AllInOneOptions.parse(new String[]{"--server-url=https://[::1]:6443"}, Map.of()));
        assertThat(v6.servingNames()).containsExactly("::1");
    }

    @Test
    void kubeconfigNamesTheServer() {
        String k = AllInOne.kubeconfig("http://localhost:32768");
        assertThat(k).contains("server: http://localhost:32768").contains("current-context: kube4j").startsWith("apiVersion: v1\nkind: Config\n");
    }

    @Test
    void helpListsEveryOptionTheParserAcceptsWithItsEnvironmentVariableAndDefault() {
        String usage = AllInOneOptions.usage();
        java.util.Map<String, String> valid = Map.of("port", "1", "nodes", "2", "exit-when-ready", "true");
        for (AllInOneOptions.Option o : AllInOneOptions.OPTIONS) {
            assertThat(usage).contains("--" + o.name() + "=...  (" + o.env() + ")")
                    .contains(o.description() + "; default: " + o.defaultShown());
            // every option listed is one the parser takes
            AllInOneOptions.parse(new String[]{"--" + o.name() + "=" + valid.getOrDefault(o.name(), "x")}, Map.of());
        }
        assertThat(AllInOneOptions.OPTIONS).extracting(AllInOneOptions.Option::name).containsExactly("port", "nodes", "node-cpu",
                "node-memory", "node-pods", "server-url", "kubeconfig", "data-dir", "tls-san", "etcd-endpoints", "etcd-binary",
                "etcd-data-dir", "exit-when-ready");
        assertThat(usage).contains("port", "KUBE4J_PORT", "default: 6443").contains("KUBE4J_NODES", "default: 1")
                .contains("--kube4j.*=...").contains("-h, --help");
    }

    @Test
    void helpPrintsTheUsageAndExitsZero() {
        for (String flag : new String[]{"--help", "-h"}) {
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            String[] args = {"--nodes=2", flag, "--bogus"};
            assertThat(AllInOne.commandLine(args, Map.of(), new java.io.PrintStream(out), new java.io.PrintStream(err))).isNull();
            assertThat(AllInOne.helpExitCode(args)).isZero();
            assertThat(out.toString()).isEqualTo(AllInOneOptions.usage());
            assertThat(err.toString()).isEmpty();
        }
    }

    @Test
    void aBadOptionPrintsOneLineNamingItAndExitsTwo() {
        Map<String, String> expected = Map.of(
                "--nodez=2", "kube4j all-in-one: unknown option --nodez; see --help",
                "--verbose", "kube4j all-in-one: unknown option --verbose; see --help",
                "--nodes", "kube4j all-in-one: option --nodes needs a value: --nodes=...; see --help",
                "nodes=2", "kube4j all-in-one: unexpected argument nodes=2 (options are --name=value); see --help",
                "--port=abc", "kube4j all-in-one: invalid --port=abc: not a number; see --help",
                "--nodes=0", "kube4j all-in-one: --nodes must be at least 1, got 0; see --help");
        expected.forEach((arg, line) -> {
            var out = new java.io.ByteArrayOutputStream();
            var err = new java.io.ByteArrayOutputStream();
            String[] args = {"--port=7443", arg};
            assertThat(AllInOne.commandLine(args, Map.of(), new java.io.PrintStream(out), new java.io.PrintStream(err))).isNull();
            assertThat(AllInOne.helpExitCode(args)).isEqualTo(2);
            assertThat(err.toString()).isEqualTo(line + System.lineSeparator());
            assertThat(out.toString()).isEmpty();
        });
        assertThat(AllInOne.commandLine(new String[]{"--nodes=2"}, Map.of(), System.out, System.err).nodes()).isEqualTo(2);
    }

    @Test
    void withADataDirTheKubeconfigAndEtcdLiveUnderIt() {
        AllInOneOptions o = AllInOneOptions.parse(new String[]{"--data-dir=/var/lib/kube4j"}, Map.of());
        assertThat(o.kubeconfig()).isNull();
        assertThat(o.kubeconfigFile(Path.of("/var/lib/kube4j/pki"))).isEqualTo(Path.of("/var/lib/kube4j/pki/admin.kubeconfig"));
        // insecure: no PKI, a kubeconfig of its own in the data directory
        assertThat(o.kubeconfigFile(null)).isEqualTo(Path.of("/var/lib/kube4j/kubeconfig.yaml"));
        assertThat(o.effectiveEtcdDataDir()).isEqualTo("/var/lib/kube4j/etcd");
    }

    @Test
    void explicitPathsWinOverTheDataDir() {
        AllInOneOptions o = AllInOneOptions.parse(new String[]{"--data-dir=/var/lib/kube4j", "--kubeconfig=/etc/k.yaml", "--etcd-data-dir=/srv/etcd"}, Map.of());
        assertThat(o.kubeconfigFile(Path.of("/var/lib/kube4j/pki"))).isEqualTo(Path.of("/etc/k.yaml"));
        assertThat(o.effectiveEtcdDataDir()).isEqualTo("/srv/etcd");
        // the image sets KUBE4J_KUBECONFIG (Kube4jContainer copies /etc/kube4j/kubeconfig.yaml out)
        AllInOneOptions image = AllInOneOptions.parse(new String[0], Map.of("KUBE4J_KUBECONFIG", "/etc/kube4j/kubeconfig.yaml"));
        assertThat(image.kubeconfigFile(Path.of("/tmp/kube4j-all-in-one-data1/pki"))).isEqualTo(Path.of("/etc/kube4j/kubeconfig.yaml"));
    }

    @Test
    void withoutADataDirTheKubeconfigStaysAtItsWellKnownPathAndEtcdIsTemporary() {
        AllInOneOptions o = AllInOneOptions.parse(new String[0], Map.of());
        assertThat(o.kubeconfigFile(Path.of("/tmp/kube4j-all-in-one-data1/pki")))
                .isEqualTo(Path.of(System.getProperty("java.io.tmpdir"), "kube4j-all-in-one", "kubeconfig.yaml"));
        assertThat(o.effectiveEtcdDataDir()).isEmpty();
    }
}
