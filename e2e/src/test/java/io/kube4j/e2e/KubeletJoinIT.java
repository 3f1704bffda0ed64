package io.kube4j.e2e;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.Lease;
import io.kube4j.api.Node;
import io.kube4j.api.Secret;
import io.kube4j.client.ApiClient;
import io.kube4j.client.Kubeconfig;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * Joining a kubelet the way {@code kubeadm join} does, with real processes: a secure apiserver (etcd in a container), the
 * controller-manager (CSR approver and signer on the cluster CA) and a hollow kubelet started with nothing but the apiserver
 * URL, a bootstrap token and the CA's public key hash. The admin makes the token as a Secret
 * {@code kube-system/bootstrap-token-<id>} (what {@code kubectl create secret generic ... --type bootstrap.kubernetes.io/token}
 * sends) and the hash with kubeadm's documented openssl pipeline. The Node registers and becomes Ready, its CSR is approved
 * ({@code AutoApproved}) and issued, the kubelet then is {@code system:node:<name>}, a restart reuses the written credential
 * (the token is deleted by then), and a kubelet given a wrong hash refuses to join, saying why.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeletJoinIT {
    static final String TOKEN_ID = "abcdef";
    static final String TOKEN = TOKEN_ID + ".0123456789abcdef";
    static final String NODE = "joiner";
    static Cluster cluster;
    static Path rootDir;
    static ComponentProcess kubelet;
    static int kubeletPort;
    static String caHash;

    @BeforeAll
    static void startControlPlane() throws Exception {
        // kubeadm's controller-manager: --controllers=*,bootstrapsigner,tokencleaner (cluster-info's JWS for discovery)
        cluster = new Cluster().startControlPlane(List.of("--kube4j.controller-manager.controllers=*,bootstrapsigner,tokencleaner"));
        rootDir = Files.createTempDirectory("kube4j-join");
        caHash = caHashWithOpenssl(cluster.pki.resolve("ca.crt"));
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (cluster != null) {
            cluster.close();
        }
    }

    /** kubeadm's documented pipeline for --discovery-token-ca-cert-hash, as the README gives it. */
    static String caHashWithOpenssl(Path caCrt) throws Exception {
        Process p = new ProcessBuilder("bash", "-c", "openssl x509 -pubkey -in '" + caCrt + "' | openssl rsa -pubin -outform der 2>/dev/null"
                + " | openssl dgst -sha256 -hex | sed 's/^.* //'").redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.US_ASCII).trim();
        assertThat(p.waitFor()).as(out).isZero();
        assertThat(out).matches("[0-9a-f]{64}");
        return "sha256:" + out;
    }

    /** What {@code kubectl create secret generic bootstrap-token-abcdef -n kube-system --type bootstrap.kubernetes.io/token --from-literal=...} sends. */
    static Secret bootstrapTokenSecret() {
        Secret s = new Secret();
        s.metadata.namespace = "kube-system";
        s.metadata.name = "bootstrap-token-" + TOKEN_ID;
        s.type = "bootstrap.kubernetes.io/token";
        Map<String, String> literals = Map.of("token-id", TOKEN_ID, "token-secret", "0123456789abcdef", "usage-bootstrap-authentication", "true",
                "usage-bootstrap-signing", "true", "auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token");
        literals.forEach((k, v) -> s.data.put(k, Base64.getEncoder().encodeToString(v.getBytes(StandardCharsets.UTF_8))));
        return s;
    }

    static ComponentProcess startKubelet(String node, Path root, String hash, int port) {
        List<String> args = new ArrayList<>(List.of(
                "--kube4j.apiserver.url=" + cluster.apiserver.url(),
                "--kube4j.kubelet.bootstrap-token=" + TOKEN,
                "--kube4j.kubelet.discovery-token-ca-cert-hash=" + hash,
                "--kube4j.kubelet.node-name=" + node,
                "--kube4j.kubelet.root-dir=" + root,
                "--kube4j.kubelet.runtime=fake",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.status-interval=2s",
                // kubeadm's kubelet configuration, as the README's join command gives it
                "--kube4j.kubelet.authentication.anonymous=false",
                "--kube4j.kubelet.authentication.webhook.enabled=true",
                "--kube4j.kubelet.authorization.mode=Webhook",
                "--kube4j.kubelet.authentication.client-ca-file=" + root.resolve(node).resolve("pki").resolve("ca.crt")));
        return new ComponentProcess("kubelet", "kubelet-" + node, port, "/actuator/health", args).https().start(Duration.ofSeconds(180));
    }

    /** Runs a command, failing unless it exits 0; its standard output. */
    static String run(String... command) throws Exception {
        Path err = Files.createTempFile("join-it", ".err");
        Process p = new ProcessBuilder(command).redirectError(err.toFile()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        int code = p.waitFor();
        String stderr = Files.readString(err);
        Files.deleteIfExists(err);
        assertThat(code).as("%s: %s%s", String.join(" ", command), out, stderr).isZero();
        return out;
    }

    static Path certDir() {
        return rootDir.resolve(NODE).resolve("pki");
    }

    @Test
    @Order(1)
    void aKubeletWithOnlyTheUrlATokenAndTheCaHashJoinsAsItsNode() throws Exception {
        cluster.api.create(bootstrapTokenSecret());
        kubeletPort = ApiServerProcess.freePort();
        kubelet = startKubelet(NODE, rootDir, caHash, kubeletPort);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Node node = cluster.api.get(Node.class, null, NODE);
            assertThat(node.status.condition("Ready").status).isEqualTo("True");
        });

        List<CertificateSigningRequest> csrs = cluster.api.list(CertificateSigningRequest.class, null).items;
        assertThat(csrs).hasSize(1);
        CertificateSigningRequest csr = csrs.getFirst();
        assertThat(csr.metadata.name).startsWith("node-csr-");
        assertThat(csr.spec.signerName).isEqualTo("kubernetes.io/kube-apiserver-client-kubelet");
        assertThat(csr.spec.username).isEqualTo("system:bootstrap:" + TOKEN_ID);
        assertThat(csr.spec.groups).contains("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token");
        var approved = csr.status.condition("Approved");
        assertThat(List.of(approved.status, approved.reason, approved.message))
                .containsExactly("True", "AutoApproved", "Auto approving kubelet client certificate after SubjectAccessReview.");
        X509Certificate issued = (X509Certificate) CertificateFactory.getInstance("X.509")
                .generateCertificate(new java.io.ByteArrayInputStream(csr.status.certificatePem().getBytes(StandardCharsets.US_ASCII)));
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:" + NODE + ",O=system:nodes");
        // signed by the cluster CA
        try (var in = Files.newInputStream(cluster.pki.resolve("ca.crt"))) {
            issued.verify(CertificateFactory.getInstance("X.509").generateCertificate(in).getPublicKey());
        }

        // the credential the kubelet now uses is the node's own: the apiserver says who it is
        Path kubeconfig = certDir().resolve("kubeconfig");
        assertThat(Files.readString(kubeconfig)).doesNotContain(TOKEN);
        // the token does not stay on disk (kubeadm join removes bootstrap-kubelet.conf)
        assertThat(certDir().resolve("bootstrap-kubeconfig")).doesNotExist();
        // the cluster CA, for the kubelet server's client-ca-file
        try (var written = Files.newInputStream(certDir().resolve("ca.crt")); var ca = Files.newInputStream(cluster.pki.resolve("ca.crt"))) {
            assertThat(CertificateFactory.getInstance("X.509").generateCertificate(written))
                    .isEqualTo(CertificateFactory.getInstance("X.509").generateCertificate(ca));
        }
        ApiClient asKubelet = new ApiClient(cluster.apiserver.url(), "join-it", Kubeconfig.load(kubeconfig));
        JsonNode review = Json.tree(asKubelet.sendJson("POST", "/apis/authentication.k8s.io/v1/selfsubjectreviews", null,
                "{\"apiVersion\":\"authentication.k8s.io/v1\",\"kind\":\"SelfSubjectReview\"}"));
        assertThat(review.path("status").path("userInfo").path("username").asString()).isEqualTo("system:node:" + NODE);
        assertThat(review.path("status").path("userInfo").path("groups").toString()).contains("system:nodes");
        // the written key is what Go's x509.MarshalECPrivateKey writes, so openssl and kubectl read the credential as is
        assertThat(run("openssl", "pkey", "-in", certDir().resolve("kubelet-client.key").toString(), "-noout")).isEmpty();
        assertThat(run("openssl", "ec", "-in", certDir().resolve("kubelet-client.key").toString(), "-text", "-noout")).contains("ASN1 OID: prime256v1");
        JsonNode whoami = Json.tree(run("kubectl", "--kubeconfig", kubeconfig.toString(), "auth", "whoami", "-o", "json"));
        assertThat(whoami.path("status").path("userInfo").path("username").asString()).isEqualTo("system:node:" + NODE);
        // the kubelet's own API admits the apiserver's kubelet client certificate (cluster CA, system:masters) after a
        // SubjectAccessReview the kubelet makes as system:node:joiner, and refuses anonymous requests
        String url = "https://127.0.0.1:" + kubeletPort + "/stats/summary";
        assertThat(run("curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", "--cert", cluster.pki.resolve("apiserver-kubelet-client.crt").toString(),
                "--key", cluster.pki.resolve("apiserver-kubelet-client.key").toString(), url)).isEqualTo("200");
        assertThat(run("curl", "-sk", "-o", "/dev/null", "-w", "%{http_code}", url)).isEqualTo("401");
        // and it heartbeats as that node (the Node authorizer lets only system:node:joiner renew this Lease)
        Lease lease = cluster.api.get(Lease.class, "kube-node-lease", NODE);
        assertThat(lease.spec.holderIdentity).isEqualTo(NODE);
    }

    @Test
    @Order(2)
    void aRestartReusesTheWrittenCredentialWithoutTheToken() throws Exception {
        String kubeconfigBefore = Files.readString(certDir().resolve("kubeconfig"));
        String certBefore = Files.readString(certDir().resolve("kubelet-client.crt"));
        kubelet.kill();
        // the token is gone: the restarted kubelet can only use what it wrote
        cluster.api.delete(Secret.class, "kube-system", "bootstrap-token-" + TOKEN_ID);
        String renewBefore = cluster.api.get(Lease.class, "kube-node-lease", NODE).spec.renewTime;

        kubelet = startKubelet(NODE, rootDir, caHash, kubeletPort);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(cluster.api.get(Lease.class, "kube-node-lease", NODE).spec.renewTime).isNotEqualTo(renewBefore));
        assertThat(cluster.api.get(Node.class, null, NODE).status.condition("Ready").status).isEqualTo("True");
        assertThat(cluster.api.list(CertificateSigningRequest.class, null).items).hasSize(1);
        assertThat(Files.readString(certDir().resolve("kubeconfig"))).isEqualTo(kubeconfigBefore);
        assertThat(Files.readString(certDir().resolve("kubelet-client.crt"))).isEqualTo(certBefore);
    }

    @Test
    @Order(3)
    void aWrongCaHashMakesTheKubeletRefuseToJoinSayingWhy() throws Exception {
        cluster.api.create(bootstrapTokenSecret());
        String wrong = "sha256:" + "0".repeat(64);
        int port = ApiServerProcess.freePort();
        Path otherRoot = Files.createTempDirectory("kube4j-join-wrong");

        assertThatThrownBy(() -> startKubelet("impostor", otherRoot, wrong, port))
                .hasMessageContaining("kubelet-impostor exited");

        String log = Files.readString(Path.of("target", "kubelet-impostor-" + port + ".log"));
        assertThat(log).contains("TLS bootstrap failed: couldn't validate the identity of the API Server: cluster CA found in cluster-info"
                + " ConfigMap is invalid: none of the public keys \"" + caHash + "\" are pinned");
        // the one line, then exit: no Spring stack trace (kubeadm and the kubelet print the error alone)
        assertThat(log).doesNotContain("UnsatisfiedDependencyException").doesNotContain("Application run failed");
        assertThat(log.lines().filter(l -> l.startsWith("\tat "))).isEmpty();
        // nothing was asked with the token, nothing written
        assertThat(cluster.api.list(CertificateSigningRequest.class, null).items).hasSize(1);
        assertThat(otherRoot.resolve("impostor").resolve("pki").resolve("kubeconfig")).doesNotExist();
        assertThat(otherRoot.resolve("impostor").resolve("pki").resolve("bootstrap-kubeconfig")).doesNotExist();
    }
}
