package io.kube4j.kubelet;

import io.kube4j.kubelet.certificate.TlsBootstrapFailure;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;

import java.nio.file.Path;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The join runs from the environment alone (before any bean), failing with its one-line reason. */
class KubeletJoinFailureTest {
    @TempDir
    Path root;

    @Test
    void aJoinWithoutAPinFailsFromThePropertiesAloneWithKubeadmsMessage() {
        var env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", Map.of(
                "kube4j.apiserver.url", "https://127.0.0.1:1",
                "kube4j.kubelet.bootstrap-token", "abcdef.0123456789abcdef",
                "kube4j.kubelet.node-name", "n1",
                "kube4j.kubelet.root-dir", root.toString())));
        var binder = Binder.get(env);

        assertThatThrownBy(() -> KubeletConfiguration.bootstrapClientCert(binder.bindOrCreate("kube4j.apiserver", ApiServerProperties.class),
                binder.bindOrCreate("kube4j.kubelet", BootstrapProperties.class), binder.bindOrCreate("kube4j.kubelet", KubeletProperties.class)))
                .isInstanceOf(TlsBootstrapFailure.class)
                .hasMessageStartingWith("using token-based discovery without caCertHashes can be unsafe.");
    }

    @Test
    void withoutATokenThereIsNothingToJoin() {
        var binder = Binder.get(new StandardEnvironment());
        assertThat(KubeletConfiguration.bootstrapClientCert(binder.bindOrCreate("kube4j.apiserver", ApiServerProperties.class),
                binder.bindOrCreate("kube4j.kubelet", BootstrapProperties.class), binder.bindOrCreate("kube4j.kubelet", KubeletProperties.class))).isNull();
    }
}
