package io.kube4j.kubelet.server;

import io.kube4j.kubelet.testing.KubeletTls;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServingCertificateTest {
    @TempDir
    Path dir;

    @Test
    void madeAsClientGosGenerateSelfSignedCertKey() throws Exception {
        Instant now = Instant.parse("2026-03-01T10:00:00Z");
        String[] pem = ServingCertificate.generateSelfSigned("node-1", List.of("10.0.0.5", "node-1.example"), now);
        Path crt = Files.writeString(dir.resolve("c.crt"), pem[0]);
        X509Certificate[] chain = KubeletTls.certificates(crt);
        assertThat(chain).hasSize(2);
        X509Certificate leaf = chain[0];
        X509Certificate ca = chain[1];
        assertThat(leaf.getSubjectX500Principal().getName()).isEqualTo("CN=node-1@" + now.getEpochSecond());
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=node-1-ca@" + now.getEpochSecond());
        assertThat(leaf.getIssuerX500Principal()).isEqualTo(ca.getSubjectX500Principal());
        leaf.verify(ca.getPublicKey());
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(leaf.getBasicConstraints()).isEqualTo(-1);
        assertThat(leaf.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        assertThat(leaf.getNotBefore().toInstant()).isEqualTo(now.minus(Duration.ofHours(1)));
        assertThat(leaf.getNotAfter().toInstant()).isEqualTo(now.minus(Duration.ofHours(1)).plus(Duration.ofDays(365)));
        // 2 = dNSName, 7 = iPAddress
        assertThat(leaf.getSubjectAlternativeNames()).extracting(l -> l.get(0) + "=" + l.get(1))
                .containsExactly("2=node-1", "7=10.0.0.5", "2=node-1.example");
        assertThat(pem[1]).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(KubeletTls.privateKey(Files.writeString(dir.resolve("c.key"), pem[1])).getAlgorithm()).isEqualTo("RSA");
    }

    @Test
    void anIpHostIsAnIpAddressName() throws Exception {
        String[] pem = ServingCertificate.generateSelfSigned("192.168.1.9", List.of(), Instant.now());
        X509Certificate leaf = KubeletTls.certificates(Files.writeString(dir.resolve("c.crt"), pem[0]))[0];
        assertThat(leaf.getSubjectAlternativeNames()).extracting(l -> l.get(0) + "=" + l.get(1)).containsExactly("7=192.168.1.9");
    }

    @Test
    void madeOnceInTheCertDirectoryAndReusedAfter() throws Exception {
        ServingCertificate.Files first = ServingCertificate.resolve("", "", dir.resolve("pki"), "node-1", List.of("127.0.0.1"));
        assertThat(first.certFile()).isEqualTo(dir.resolve("pki/kubelet.crt"));
        assertThat(first.keyFile()).isEqualTo(dir.resolve("pki/kubelet.key"));
        String pem = Files.readString(first.certFile());
        ServingCertificate.Files second = ServingCertificate.resolve("", "", dir.resolve("pki"), "node-1", List.of("127.0.0.1"));
        assertThat(second).isEqualTo(first);
        assertThat(Files.readString(second.certFile())).isEqualTo(pem);
        assertThat(Files.getPosixFilePermissions(first.keyFile()).toString()).isEqualTo("[OWNER_READ, OWNER_WRITE]");
    }

    @Test
    void configuredFilesAreUsedAsTheyAre() {
        ServingCertificate.Files files = ServingCertificate.resolve("/etc/k/tls.crt", "/etc/k/tls.key", dir, "node-1", List.of());
        assertThat(files).isEqualTo(new ServingCertificate.Files(Path.of("/etc/k/tls.crt"), Path.of("/etc/k/tls.key")));
        assertThat(dir.resolve("kubelet.crt")).doesNotExist();
        assertThatThrownBy(() -> ServingCertificate.resolve("/etc/k/tls.crt", "", dir, "node-1", List.of()))
                .isInstanceOf(IllegalArgumentException.class).hasMessageContaining("must be set together");
    }
}
