package io.kube4j.kubelet.certificate;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.ConfigMap;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Status;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.Kubeconfig;
import io.kube4j.json.Json;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.StringReader;
import java.math.BigInteger;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TlsBootstrapTest {
    static final String TOKEN = "abcdef.0123456789abcdef";
    @TempDir
    Path dir;
    final FakeCluster cluster = new FakeCluster();

    /** The apiserver as the bootstrap sees it: cluster-info, and CSRs approved and signed (or denied) at once. */
    static final class FakeCluster {
        final KeyPair caKey;
        final X509Certificate ca;
        final String caPem;
        final List<String> requests = new ArrayList<>();
        final Map<String, CertificateSigningRequest> csrs = new ConcurrentHashMap<>();
        String deny;
        // the token the bootstrap signer signed cluster-info with (null: no signature yet)
        String signWith = TOKEN;

        FakeCluster() {
            try {
                KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
                g.initialize(2048);
                caKey = g.generateKeyPair();
                X500Name name = new X500Name("CN=kubernetes");
                Instant now = Instant.now();
                var b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minusSeconds(300)), Date.from(now.plus(Duration.ofDays(3650))), name, caKey.getPublic());
                b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
                ca = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKey.getPrivate())));
                caPem = NodeCertificateRequest.pem(ca);
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        ApiClient client(Path kubeconfig) {
            String who = Json.yaml().readTree(read(kubeconfig)).path("users").path(0).path("user").path("token").asString("anonymous");
            return new ApiClient("https://10.0.0.1:6443") {
                @Override
                public <T extends KubeObject> T get(Class<T> type, String namespace, String name) {
                    requests.add("get " + type.getSimpleName() + " " + name + " as " + who);
                    if (type == ConfigMap.class && "kube-public".equals(namespace) && "cluster-info".equals(name)) {
                        ConfigMap cm = new ConfigMap();
                        cm.data.put("kubeconfig", clusterInfoKubeconfig());
                        if (signWith != null) {
                            String id = signWith.substring(0, 6);
                            cm.data.put("jws-kubeconfig-" + id, io.kube4j.bootstrap.BootstrapTokens.computeDetachedSignature(
                                    clusterInfoKubeconfig(), id, signWith.substring(7)));
                        }
                        return type.cast(cm);
                    }
                    CertificateSigningRequest csr = csrs.get(name);
                    if (type == CertificateSigningRequest.class && csr != null) {
                        return type.cast(Json.copy(csr));
                    }
                    throw new ApiException(404, Status.failure(404, "NotFound", name + " not found"), "404 NotFound", null);
                }

                String clusterInfoKubeconfig() {
                        return """
                                apiVersion: v1
                                kind: Config
                                clusters:
                                - cluster:
                                    certificate-authority-data: %s
                                    server: https://10.0.0.1:6443
                                  name: ""
                                """.formatted(Base64.getEncoder().encodeToString(caPem.getBytes(StandardCharsets.US_ASCII)));
                }

                @Override
                public <T extends KubeObject> T create(T obj) {
                    CertificateSigningRequest csr = (CertificateSigningRequest) Json.copy(obj);
                    requests.add("create CertificateSigningRequest " + csr.metadata.name + " as " + who);
                    csr.metadata.uid = "uid-1";
                    if (deny != null) {
                        csr.status.conditions.add(new CertificateSigningRequest.CertificateSigningRequestCondition("Denied", "True", deny, "no", null));
                    } else {
                        csr.status.conditions.add(new CertificateSigningRequest.CertificateSigningRequestCondition("Approved", "True", "AutoApproved", "ok", null));
                        csr.status.setCertificatePem(sign(csr.spec.requestPem()));
                    }
                    csrs.put(csr.metadata.name, csr);
                    return obj;
                }
            };
        }

        String sign(String requestPem) {
            try (PEMParser p = new PEMParser(new StringReader(requestPem))) {
                PKCS10CertificationRequest req = (PKCS10CertificationRequest) p.readObject();
                Instant now = Instant.now();
                var b = new org.bouncycastle.cert.X509v3CertificateBuilder(new X500Name("CN=kubernetes"), BigInteger.TWO, Date.from(now.minusSeconds(300)),
                        Date.from(now.plus(Duration.ofDays(365))), req.getSubject(), req.getSubjectPublicKeyInfo());
                return NodeCertificateRequest.pem(new JcaX509CertificateConverter().getCertificate(
                        b.build(new JcaContentSignerBuilder("SHA256withRSA").build(caKey.getPrivate()))));
            } catch (Exception e) {
                throw new IllegalStateException(e);
            }
        }

        static String read(Path p) {
            try {
                return Files.readString(p);
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
        }
    }

    TlsBootstrap bootstrap(List<String> pins, boolean unsafe, java.util.function.Function<Path, ApiClient> clients) {
        var settings = new TlsBootstrap.Settings("https://10.0.0.1:6443", TOKEN, pins, unsafe, dir, "worker-1", Duration.ofSeconds(2), Duration.ofSeconds(5));
        return new TlsBootstrap(settings, clients, Clock.systemUTC(), Duration.ofMillis(10), Duration.ofMillis(10));
    }

    @Test
    void joinsWithTheTokenAndWritesAKubeconfigWithTheIssuedClientCertificate() throws Exception {
        Path kubeconfig = bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert();

        assertThat(kubeconfig).isEqualTo(dir.resolve("kubeconfig"));
        // cluster-info anonymously twice (insecure, then verified with the pinned CA), then the CSR with the token, created and read back
        assertThat(cluster.requests).hasSize(4).startsWith("get ConfigMap cluster-info as anonymous", "get ConfigMap cluster-info as anonymous");
        assertThat(cluster.requests.get(2)).matches("create CertificateSigningRequest node-csr-[A-Za-z0-9_-]{43} as " + TOKEN);
        CertificateSigningRequest sent = cluster.csrs.values().iterator().next();
        assertThat(sent.spec.signerName).isEqualTo("kubernetes.io/kube-apiserver-client-kubelet");
        assertThat(sent.spec.usages).containsExactly("digital signature", "client auth");

        Kubeconfig credentials = Kubeconfig.load(kubeconfig);
        assertThat(credentials.hasClientCertificate()).isTrue();
        assertThat(credentials.server()).isEqualTo("https://10.0.0.1:6443");
        assertThat(credentials.certificateAuthorityPem()).isEqualTo(cluster.caPem);
        X509Certificate issued = TlsBootstrap.parseCertificates(Files.readString(dir.resolve("kubelet-client.crt"))).getFirst();
        assertThat(issued.getSubjectX500Principal().getName()).isEqualTo("CN=system:node:worker-1,O=system:nodes");
        assertThat(Files.readString(dir.resolve("kubelet-client.key"))).startsWith("-----BEGIN EC PRIVATE KEY-----");
        assertThat(dir.resolve("kubelet-client.key.tmp")).doesNotExist();
        // the verified cluster CA, for --kube4j.kubelet.authentication.client-ca-file
        assertThat(Files.readString(dir.resolve("ca.crt"))).isEqualTo(cluster.caPem);
        // the token does not stay on disk once the node has its own credential (kubeadm removes bootstrap-kubelet.conf)
        assertThat(dir.resolve("bootstrap-kubeconfig")).doesNotExist();
        try (var files = Files.list(dir)) {
            for (Path f : files.toList()) {
                assertThat(Files.readString(f)).as(f.toString()).doesNotContain(TOKEN);
            }
        }
    }

    @Test
    void aLaterStartReusesTheWrittenCredentialWithoutAskingAnything() {
        Path first = bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert();
        Path again = bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, file -> {
            throw new AssertionError("no request expected, asked with " + file);
        }).loadClientCert();
        assertThat(again).isEqualTo(first);
    }

    @Test
    void aCaThatDoesNotMatchThePinIsRefusedBeforeTheTokenIsSent() {
        String wrong = "sha256:" + "ab".repeat(32);
        assertThatThrownBy(() -> bootstrap(List.of(wrong), false, cluster::client).loadClientCert())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("couldn't validate the identity of the API Server: cluster CA found in cluster-info ConfigMap is invalid: "
                        + "none of the public keys \"" + PublicKeyPins.hash(cluster.ca) + "\" are pinned");
        assertThat(cluster.requests).containsExactly("get ConfigMap cluster-info as anonymous");
        assertThat(dir.resolve("bootstrap-kubeconfig")).doesNotExist();
        assertThat(dir.resolve("kubeconfig")).doesNotExist();
    }

    @Test
    void withoutAPinTheJoinNeedsTheUnsafeSkipAsKubeadm() {
        assertThatThrownBy(() -> bootstrap(List.of(), false, cluster::client).loadClientCert())
                .hasMessageStartingWith("using token-based discovery without caCertHashes can be unsafe.");
        assertThat(cluster.requests).isEmpty();
        assertThat(bootstrap(List.of(), true, cluster::client).loadClientCert()).exists();
    }

    @Test
    void aDeniedRequestStopsTheKubeletWithClientGosMessage() throws Exception {
        cluster.deny = "NotANode";
        assertThatThrownBy(() -> bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert())
                .hasMessageContaining("certificate signing request is denied, reason: NotANode, message: no");
        // the key is kept for the next attempt, so the same request name is found again; so is the bootstrap kubeconfig
        assertThat(dir.resolve("kubelet-client.key.tmp")).exists();
        assertThat(Files.readString(dir.resolve("bootstrap-kubeconfig"))).contains("token: \"" + TOKEN + "\"");
    }

    @Test
    void aMalformedTokenIsRefusedWithTheBootstrapTokenPattern() {
        var settings = new TlsBootstrap.Settings("https://10.0.0.1:6443", "abc.def", List.of(), true, dir, "worker-1", Duration.ofSeconds(1), Duration.ofSeconds(1));
        assertThatThrownBy(() -> new TlsBootstrap(settings, cluster::client, Clock.systemUTC(), Duration.ofMillis(10), Duration.ofMillis(10)).loadClientCert())
                .hasMessage("the bootstrap token \"abc.def\" was not of the form \"^([a-z0-9]{6})\\.([a-z0-9]{16})$\"");
    }

    /**
     * The key files are what Go's x509.MarshalECPrivateKey writes (SEC1 with [0] namedCurve prime256v1 and [1] publicKey),
     * so kubectl, Go's tls.X509KeyPair and openssl read them; checked with BouncyCastle's ASN.1 and, where installed, openssl.
     */
    static void assertSec1WithCurveAndPublicKey(Path keyFile) throws Exception {
        String pem = Files.readString(keyFile);
        assertThat(pem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            var pair = (org.bouncycastle.openssl.PEMKeyPair) p.readObject();
            var sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(pair.getPrivateKeyInfo().parsePrivateKey());
            // prime256v1 = secp256r1 = 1.2.840.10045.3.1.7
            assertThat(sec1.getParametersObject()).isEqualTo(org.bouncycastle.asn1.sec.SECObjectIdentifiers.secp256r1);
            assertThat(sec1.getPublicKey()).isNotNull();
            assertThat(sec1.getPublicKey().getOctets()).hasSize(65).startsWith((byte) 4);
        }
        Path openssl = Path.of("/usr/bin/openssl");
        if (Files.isExecutable(openssl)) {
            Process pkey = new ProcessBuilder(openssl.toString(), "pkey", "-in", keyFile.toString(), "-noout").redirectErrorStream(true).start();
            String out = new String(pkey.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(pkey.waitFor()).as("openssl pkey: %s", out).isZero();
            Process ec = new ProcessBuilder(openssl.toString(), "ec", "-in", keyFile.toString(), "-text", "-noout").redirectErrorStream(true).start();
            String text = new String(ec.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(ec.waitFor()).isZero();
            assertThat(text).contains("ASN1 OID: prime256v1").contains("pub:");
        }
    }

    @Test
    void theClientKeyCarriesItsCurveAndPublicKeyAsGoWritesIt() throws Exception {
        bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert();
        assertSec1WithCurveAndPublicKey(dir.resolve("kubelet-client.key"));
    }

    @Test
    void aPendingKeyIsWrittenWithItsCurveAndReusedWithTheSameRequestName() throws Exception {
        cluster.deny = "NotANode";
        assertThatThrownBy(() -> bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert())
                .hasMessageContaining("denied");
        Path pending = dir.resolve("kubelet-client.key.tmp");
        assertSec1WithCurveAndPublicKey(pending);
        String pendingPem = Files.readString(pending);
        String firstName = cluster.csrs.keySet().iterator().next();

        // the next start reuses the pending key: same CSR name (found again, 409 -> get), the final key equals the pending one
        cluster.deny = null;
        cluster.csrs.clear();
        bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert();
        assertThat(cluster.csrs.keySet()).containsExactly(firstName);
        assertThat(Files.readString(dir.resolve("kubelet-client.key"))).isEqualTo(pendingPem);
        assertSec1WithCurveAndPublicKey(dir.resolve("kubelet-client.key"));
    }

    @Test
    void withoutASignatureForTheTokenDiscoveryRetriesThenFailsAsKubeadm() {
        cluster.signWith = null;
        assertThatThrownBy(() -> bootstrap(List.of(PublicKeyPins.hash(cluster.ca)), false, cluster::client).loadClientCert())
                .hasMessage("couldn't validate the identity of the API Server: could not find a JWS signature in the cluster-info ConfigMap"
                        + " for token ID \"abcdef\"");
        // retried until the discovery timeout, never got as far as the token or a CSR
        assertThat(cluster.requests).hasSizeGreaterThan(1).allMatch(r -> r.equals("get ConfigMap cluster-info as anonymous"));
        assertThat(cluster.csrs).isEmpty();
    }

    @Test
    void aSignatureOfAnotherSecretIsRefusedBeforeTheCaPinEvenWithTheUnsafeSkip() {
        // an apiserver that does not know the token's secret cannot sign for it
        cluster.signWith = "abcdef.ffffffffffffffff";
        for (boolean unsafe : new boolean[]{false, true}) {
            List<String> pins = unsafe ? List.of() : List.of("sha256:" + "ab".repeat(32));
            assertThatThrownBy(() -> bootstrap(pins, unsafe, cluster::client).loadClientCert())
                    .hasMessage("couldn't validate the identity of the API Server: failed to verify JWS signature of received cluster info"
                            + " object, can't trust this API Server");
        }
        assertThat(cluster.requests).containsOnly("get ConfigMap cluster-info as anonymous");
        assertThat(dir.resolve("bootstrap-kubeconfig")).doesNotExist();
        assertThat(dir.resolve("ca.crt")).doesNotExist();
    }
}
