package io.kube4j.testcontainers;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLHandshakeException;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** {@link KubeconfigTls} against a real HTTPS server that requires a client certificate of the same CA. */
class KubeconfigTlsTest {
    static final char[] NO_PASSWORD = new char[0];

    KeyPair caKeys;
    X509Certificate ca;
    HttpsServer server;

    @BeforeEach
    void serve() throws Exception {
        caKeys = rsa();
        ca = certificate("CN=test-ca", caKeys, "CN=test-ca", caKeys.getPrivate(), true, null);
        KeyPair serverKeys = rsa();
        X509Certificate serving = certificate("CN=kube-apiserver", serverKeys, "CN=test-ca", caKeys.getPrivate(), false, "localhost");
        KeyStore keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        keys.setKeyEntry("server", serverKeys.getPrivate(), NO_PASSWORD, new X509Certificate[]{serving, ca});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, NO_PASSWORD);
        KeyStore trust = KeyStore.getInstance("PKCS12");
        trust.load(null, null);
        trust.setCertificateEntry("ca", ca);
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(trust);
        SSLContext tls = SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);

        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(tls) {
            @Override
            public void configure(HttpsParameters params) {
                var p = tls.getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        // answers with the client certificate's subject: what an apiserver would authenticate
        server.createContext("/", exchange -> {
            byte[] body = ((X509Certificate) ((HttpsExchange) exchange).getSSLSession().getPeerCertificates()[0])
                    .getSubjectX500Principal().getName().getBytes(StandardCharsets.UTF_8);
            exchange.sendResponseHeaders(200, body.length);
            exchange.getResponseBody().write(body);
            exchange.close();
        });
        server.start();
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    @Test
    void theClientPresentsThePkcs1KeysCertificateAndTrustsTheClusterCa() throws Exception {
        KeyPair clientKeys = rsa();
        X509Certificate client = certificate("CN=kubernetes-admin,O=system:masters", clientKeys, "CN=test-ca", caKeys.getPrivate(), false, null);
        String kubeconfig = kubeconfig("https://localhost:1", pem(ca), pem(client), pem(clientKeys.getPrivate()));

        HttpClient http = HttpClient.newBuilder().sslContext(KubeconfigTls.sslContext(kubeconfig)).build();
        HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.getAddress().getPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString());

        assertThat(pem(clientKeys.getPrivate())).startsWith("-----BEGIN RSA PRIVATE KEY-----");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.body()).isEqualTo("O=system:masters,CN=kubernetes-admin");
    }

    @Test
    void aServerOfAnotherCaIsNotTrusted() throws Exception {
        KeyPair otherKeys = rsa();
        X509Certificate otherCa = certificate("CN=other-ca", otherKeys, "CN=other-ca", otherKeys.getPrivate(), true, null);
        KeyPair clientKeys = rsa();
        X509Certificate client = certificate("CN=kubernetes-admin", clientKeys, "CN=test-ca", caKeys.getPrivate(), false, null);
        String kubeconfig = kubeconfig("https://localhost:1", pem(otherCa), pem(client), pem(clientKeys.getPrivate()));

        HttpClient http = HttpClient.newBuilder().sslContext(KubeconfigTls.sslContext(kubeconfig)).build();
        assertThatThrownBy(() -> http.send(HttpRequest.newBuilder(URI.create("https://localhost:" + server.getAddress().getPort() + "/")).build(),
                HttpResponse.BodyHandlers.ofString())).isInstanceOf(SSLHandshakeException.class);
    }

    @Test
    void withServerRewritesTheServerAndKeepsTheCredentials() throws Exception {
        KeyPair clientKeys = rsa();
        X509Certificate client = certificate("CN=kubernetes-admin", clientKeys, "CN=test-ca", caKeys.getPrivate(), false, null);
        String kubeconfig = kubeconfig("https://127.0.0.1:6443", pem(ca), pem(client), pem(clientKeys.getPrivate()));

        String rewritten = KubeconfigTls.withServer(kubeconfig, "https://localhost:32768");

        assertThat(KubeconfigTls.server(kubeconfig)).isEqualTo("https://127.0.0.1:6443");
        assertThat(KubeconfigTls.server(rewritten)).isEqualTo("https://localhost:32768");
        assertThat(rewritten).contains("client-key-data: " + b64(pem(clientKeys.getPrivate())))
                .contains("certificate-authority-data: " + b64(pem(ca))).contains("current-context: kubernetes-admin@kubernetes");
    }

    @Test
    void aKubeconfigWithoutCaDataIsRefused() {
        assertThatThrownBy(() -> KubeconfigTls.sslContext("""
                apiVersion: v1
                kind: Config
                clusters: [{name: c, cluster: {server: "https://x:1"}}]
                users: [{name: u, user: {}}]
                contexts: [{name: x, context: {cluster: c, user: u}}]
                current-context: x
                """)).isInstanceOf(IllegalArgumentException.class).hasMessageContaining("certificate-authority-data");
    }

    /** The layout of the PKI's admin.kubeconfig, with a second, unused cluster first. */
    static String kubeconfig(String server, String caPem, String certPem, String keyPem) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: elsewhere
                  cluster:
                    server: https://elsewhere:1
                - name: kubernetes
                  cluster:
                    certificate-authority-data: %s
                    server: %s
                contexts:
                - name: "kubernetes-admin@kubernetes"
                  context:
                    cluster: kubernetes
                    user: kubernetes-admin
                current-context: "kubernetes-admin@kubernetes"
                users:
                - name: kubernetes-admin
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                """.formatted(b64(caPem), server, b64(certPem), b64(keyPem));
    }

    static String b64(String pem) {
        return Base64.getEncoder().encodeToString(pem.getBytes(StandardCharsets.US_ASCII));
    }

    static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    static X509Certificate certificate(String subject, KeyPair keys, String issuer, PrivateKey issuerKey, boolean isCa, String dnsName) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(new X500Name(issuer), BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minus(Duration.ofMinutes(5))), Date.from(now.plus(Duration.ofDays(1))), new X500Name(subject), keys.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (dnsName != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.dNSName, dnsName)));
        }
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(issuerKey)));
    }

    /** PEM as the PKI writes it: certificates, and private keys in PKCS#1 ({@code RSA PRIVATE KEY}). */
    static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pem = new JcaPEMWriter(w)) {
            pem.writeObject(o instanceof PrivateKey k ? new org.bouncycastle.openssl.jcajce.JcaMiscPEMGenerator(k) : o);
        }
        return w.toString();
    }
}
