package io.kube4j.kubelet;

import io.kube4j.kubelet.network.CniNetwork;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.boot.context.properties.source.MapConfigurationPropertySource;

import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@code kube4j.kubelet.network-plugin} and {@code kube4j.kubelet.cni.*}: defaults and what they make. */
class RuntimeFactoryCniTest {

    private static KubeletProperties bind(Map<String, String> values) {
        return new Binder(new MapConfigurationPropertySource(values)).bindOrCreate("kube4j.kubelet", KubeletProperties.class);
    }

    @Test
    void dockerNetworkingStaysTheDefault() {
        KubeletProperties props = bind(Map.of());
        assertThat(props.networkPlugin()).isEqualTo("docker");
        assertThat(props.cni().binDir()).isEqualTo("/usr/lib/cni:/opt/cni/bin");
        assertThat(props.cni().confDir()).isEqualTo("/etc/cni/net.d");
        assertThat(RuntimeFactory.cniNetwork(props, "node-a", () -> null)).isNull();
    }

    @Test
    void cniMakesTheNodesCniNetworkFromTheProperties() {
        KubeletProperties props = bind(Map.of("kube4j.kubelet.network-plugin", "cni", "kube4j.kubelet.cni.bin-dir", "/a:/b",
                "kube4j.kubelet.cni.conf-dir", "/nonexistent/net.d"));
        assertThat(props.cni().binDir()).isEqualTo("/a:/b");
        CniNetwork cni = RuntimeFactory.cniNetwork(props, "node-a", () -> null);
        assertThat(cni).isNotNull();
        // nothing configured and no podCIDR yet: not ready, in the kubelet's words
        assertThatThrownBy(cni::network).hasMessageContaining("cni config uninitialized");
        assertThat(CniNetwork.searchPath("/a::/b")).extracting(Object::toString).containsExactly("/a", "/b");
    }

    @Test
    void anUnknownNetworkPluginIsRefused() {
        KubeletProperties props = bind(Map.of("kube4j.kubelet.network-plugin", "kubenet"));
        assertThatThrownBy(() -> RuntimeFactory.cniNetwork(props, "node-a", () -> null))
                .isInstanceOf(IllegalArgumentException.class).hasMessage("kube4j.kubelet.network-plugin must be docker or cni, not kubenet");
    }
}
