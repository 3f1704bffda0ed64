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
        assertThatThrownBy(() -> AllInOneOptions.parse(new String[]{"--nodez=2"}, Map.of())).hasMessageContaining("unknown option --nodez");
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
}
