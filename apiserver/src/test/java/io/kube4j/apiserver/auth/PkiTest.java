package io.kube4j.apiserver.auth;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermission;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

class PkiTest {

    @Test
    void createsKubeadmLayoutWithServingSansAndClientIdentities(@TempDir Path dir) throws Exception {
        Pki pki = Pki.ensure(dir, List.of("kube4j.example.com", "10.0.0.7"), List.of("node-1"), "https://127.0.0.1:6443");
        for (String f : List.of("ca.crt", "ca.key", "apiserver.crt", "apiserver.key", "apiserver-kubelet-client.crt", "sa.key", "sa.pub",
                "admin.kubeconfig", "kube-scheduler.kubeconfig", "kube-controller-manager.kubeconfig", "kube-proxy.kubeconfig", "kubelet-node-1.kubeconfig",
                "kubelet-node-1.crt", "kubelet-node-1.key")) {
            assertThat(dir.resolve(f)).as(f).exists();
        }
        assertThat(Files.getPosixFilePermissions(dir.resolve("ca.key"))).containsExactlyInAnyOrder(PosixFilePermission.OWNER_READ, PosixFilePermission.OWNER_WRITE);

        X509Certificate ca = Pki.readCertificate(dir.resolve("ca.crt"));
        assertThat(ca.getSubjectX500Principal().getName()).isEqualTo("CN=kubernetes");
        assertThat(ca.getBasicConstraints()).isGreaterThanOrEqualTo(0);
        assertThat(Duration.between(ca.getNotBefore().toInstant(), ca.getNotAfter().toInstant()).toDays()).isBetween(3649L, 3651L);

        X509Certificate serving = Pki.readCertificate(dir.resolve("apiserver.crt"));
        serving.verify(ca.getPublicKey());
        assertThat(serving.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.1");
        List<String> sans = new ArrayList<>();
        for (List<?> san : serving.getSubjectAlternativeNames()) {
            sans.add(String.valueOf(san.get(1)));
        }
        assertThat(sans).contains("localhost", "apiserver", "kubernetes", "kubernetes.default", "kubernetes.default.svc",
                "kubernetes.default.svc.cluster.local", "kube4j.example.com", "127.0.0.1", "10.0.0.7");
        // ::1 as Java prints an IPv6 SAN
        assertThat(sans).anyMatch(s -> s.contains(":") && s.replace("0", "").equals("::1".replace("0", "")) || s.equals("0:0:0:0:0:0:0:1"));
        assertThat(Duration.between(serving.getNotBefore().toInstant(), serving.getNotAfter().toInstant()).toDays()).isBetween(364L, 366L);

        X509Certificate node = Pki.readCertificate(dir.resolve("kubelet-node-1.crt"));
        assertThat(new X509Authenticator(List.of(ca), java.time.Clock.systemUTC()).authenticate(List.of(node)).orElseThrow())
                .isEqualTo(new UserInfo("system:node:node-1", "", List.of("system:nodes"), Map.of()));
        assertThat(pki.ca()).isEqualTo(ca);
    }

    @Test
    void adminKubeconfigEmbedsTheCaAndAClientCertificateOfSystemMasters(@TempDir Path dir) throws Exception {
        Pki.ensure(dir, List.of(), List.of(), "https://127.0.0.1:6443");
        String yaml = Files.readString(dir.resolve("admin.kubeconfig"));
        assertThat(yaml).contains("server: https://127.0.0.1:6443", "current-context: \"kubernetes-admin@kubernetes\"");
        String certData = yaml.lines().filter(l -> l.contains("client-certificate-data:")).findFirst().orElseThrow().split(": ")[1];
        X509Certificate admin = Pki.parseCertificates(new String(Base64.getDecoder().decode(certData))).getFirst();
        assertThat(admin.getSubjectX500Principal().getName()).isEqualTo("CN=kubernetes-admin,O=system:masters");
        assertThat(admin.getExtendedKeyUsage()).containsExactly("1.3.6.1.5.5.7.3.2");
    }

    @Test
    void aSecondStartReusesEveryFile(@TempDir Path dir) throws Exception {
        Pki first = Pki.ensure(dir, List.of(), List.of("n1"), "https://127.0.0.1:6443");
        Map<String, String> before = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                before.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        Pki second = Pki.ensure(dir, List.of(), List.of("n1"), "https://127.0.0.1:6443");
        Map<String, String> after = new java.util.TreeMap<>();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                after.put(f.getFileName().toString(), Files.readString(f));
            }
        }
        assertThat(after).isEqualTo(before);
        assertThat(second.serviceAccountKeys().getPublic()).isEqualTo(first.serviceAccountKeys().getPublic());
    }
}
