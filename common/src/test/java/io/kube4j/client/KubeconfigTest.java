package io.kube4j.client;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.kube4j.testing.MutableClock;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.sec.ECPrivateKey;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.openssl.jcajce.JcaPKCS8Generator;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.util.io.pem.PemObject;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;
import java.io.IOException;
import java.io.InputStream;
import java.io.StringWriter;
import java.math.BigInteger;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Kubeconfig} and {@link ApiClient} with credentials: certificates and keys made here with
 * BouncyCastle, and a JDK HTTPS server that requires a client certificate and answers with the
 * certificate's subject and the Authorization header it got, so each case proves a real handshake.
 */
class KubeconfigTest {
    @TempDir
    Path dir;

    private HttpsServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.stop(0);
        }
    }

    // ---- PKI helpers ----------------------------------------------------------------------------------

    private record Issued(X509Certificate cert, KeyPair keys) {
    }

    private static KeyPair rsa() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048);
        return g.generateKeyPair();
    }

    private static KeyPair ec() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(new ECGenParameterSpec("secp256r1"));
        return g.generateKeyPair();
    }

    private static Issued ca(String cn) throws Exception {
        KeyPair kp = rsa();
        return new Issued(sign(new X500Name("CN=" + cn), kp, new X500Name("CN=" + cn), kp.getPrivate(), true, null), kp);
    }

    private static Issued issue(Issued ca, String subject, KeyPair kp, boolean server) throws Exception {
        return new Issued(sign(new X500Name(subject), kp, X500Name.getInstance(ca.cert().getSubjectX500Principal().getEncoded()),
                ca.keys().getPrivate(), false, server ? "127.0.0.1" : null), kp);
    }

    private static X509Certificate sign(X500Name subject, KeyPair kp, X500Name issuer, PrivateKey issuerKey, boolean isCa, String ip) throws Exception {
        Instant now = Instant.now();
        JcaX509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, BigInteger.valueOf(now.toEpochMilli()),
                Date.from(now.minusSeconds(300)), Date.from(now.plus(Duration.ofDays(1))), subject, kp.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(isCa));
        if (!isCa) {
            b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(ip != null ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        }
        if (ip != null) {
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(new GeneralName(GeneralName.iPAddress, ip)));
        }
        String alg = issuerKey.getAlgorithm().equals("EC") ? "SHA256withECDSA" : "SHA256withRSA";
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(alg).build(issuerKey)));
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter pw = new JcaPEMWriter(w)) {
            pw.writeObject(o);
        }
        return w.toString();
    }

    /** PKCS#1 ({@code RSA PRIVATE KEY}) or SEC1 ({@code EC PRIVATE KEY}) when {@code pkcs8} is false. */
    private static String keyPem(PrivateKey key, boolean pkcs8) throws IOException {
        return pkcs8 ? pem(new JcaPKCS8Generator(key, null)) : pem(key);
    }

    /** An EC key as openssl writes it: SEC1 with the curve in its optional parameters. */
    private static String opensslEcKey(PrivateKey key) throws IOException {
        PrivateKeyInfo info = PrivateKeyInfo.getInstance(key.getEncoded());
        ECPrivateKey inner = ECPrivateKey.getInstance(info.parsePrivateKey());
        ECPrivateKey withCurve = new ECPrivateKey(256, inner.getKey(), info.getPrivateKeyAlgorithm().getParameters());
        return pem(new PemObject("EC PRIVATE KEY", withCurve.getEncoded()));
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** An HTTPS server on loopback with {@code serving} that requires client certificates issued by {@code clientCa}. */
    private String startServer(Issued serving, Issued clientCa) throws Exception {
        KeyStore ks = KeyStore.getInstance("PKCS12");
        ks.load(null, null);
        ks.setKeyEntry("server", serving.keys().getPrivate(), new char[0], new X509Certificate[]{serving.cert()});
        KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, new char[0]);
        KeyStore ts = KeyStore.getInstance("PKCS12");
        ts.load(null, null);
        ts.setCertificateEntry("ca", clientCa.cert());
        TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
        tmf.init(ts);
        SSLContext ctx = SSLContext.getInstance("TLS");
        ctx.init(kmf.getKeyManagers(), tmf.getTrustManagers(), null);
        server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new HttpsConfigurator(ctx) {
            @Override
            public void configure(HttpsParameters params) {
                SSLParameters p = getSSLContext().getDefaultSSLParameters();
                p.setNeedClientAuth(true);
                params.setSSLParameters(p);
            }
        });
        server.createContext("/", ex -> {
            X509Certificate peer = (X509Certificate) ((HttpsExchange) ex).getSSLSession().getPeerCertificates()[0];
            String auth = ex.getRequestHeaders().getFirst("Authorization");
            byte[] body = (peer.getSubjectX500Principal().getName() + "|" + auth).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            try (var out = ex.getResponseBody()) {
                out.write(body);
            }
        });
        server.start();
        return "https://127.0.0.1:" + server.getAddress().getPort();
    }

    private Path write(String name, String content) throws IOException {
        Path f = dir.resolve(name);
        Files.createDirectories(f.getParent());
        Files.writeString(f, content);
        return f;
    }

    private static String kubeconfig(String cluster, String user) {
        return """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kubernetes
                  cluster:
                %s
                contexts:
                - name: ctx
                  context:
                    cluster: kubernetes
                    user: me
                current-context: ctx
                users:
                - name: me
                  user:
                %s
                """.formatted(cluster.indent(4).stripTrailing(), user.indent(4).stripTrailing());
    }

    // ---- tests ---------------------------------------------------------------------------------------

    @ParameterizedTest(name = "{0} key, pkcs8={1}")
    @CsvSource({"RSA,false", "RSA,true", "EC,false", "EC,true"})
    void dataFieldsPresentTheClientCertificateAndTrustTheCa(String keyType, boolean pkcs8) throws Exception {
        Issued ca = ca("kubernetes");
        Issued serving = issue(ca, "CN=kube-apiserver", rsa(), true);
        Issued client = issue(ca, "O=system:masters,CN=kubernetes-admin", keyType.equals("EC") ? ec() : rsa(), false);
        String url = startServer(serving, ca);
        Path file = write("admin.kubeconfig", kubeconfig(
                "server: " + url + "\ncertificate-authority-data: " + b64(pem(ca.cert())),
                "client-certificate-data: " + b64(pem(client.cert())) + "\nclient-key-data: " + b64(keyPem(client.keys().getPrivate(), pkcs8))));

        Kubeconfig kc = Kubeconfig.load(file);

        assertThat(kc.server()).isEqualTo(url);
        assertThat(kc.context()).isEqualTo("ctx");
        assertThat(kc.hasClientCertificate()).isTrue();
        assertThat(kc.bearerToken()).isNull();
        assertThat(new ApiClient(url, "test", kc).getText("/whoami")).isEqualTo("CN=kubernetes-admin,O=system:masters|null");
    }

    @Test
    void fileFieldsAreResolvedAgainstTheKubeconfigsDirectory() throws Exception {
        Issued ca = ca("kubernetes");
        Issued serving = issue(ca, "CN=kube-apiserver", rsa(), true);
        Issued client = issue(ca, "CN=system:kube-scheduler", ec(), false);
        String url = startServer(serving, ca);
        write("etc/pki/ca.crt", pem(ca.cert()));
        write("etc/pki/scheduler.crt", pem(client.cert()));
        String keyPem = opensslEcKey(client.keys().getPrivate());
        assertThat(keyPem).startsWith("-----BEGIN EC PRIVATE KEY-----");
        Path key = write("keys/scheduler.key", keyPem);
        // relative to etc/ (the kubeconfig's directory), not to the working directory; an absolute path stays
        Path file = write("etc/scheduler.kubeconfig", kubeconfig(
                "server: " + url + "\ncertificate-authority: pki/ca.crt",
                "client-certificate: pki/scheduler.crt\nclient-key: " + key.toAbsolutePath()));

        Kubeconfig kc = Kubeconfig.load(file);

        assertThat(new ApiClient(url, "test", kc).getText("/")).isEqualTo("CN=system:kube-scheduler|null");
    }

    @Test
    void dataWinsOverTheFileAsInClientGo() throws Exception {
        Issued ca = ca("kubernetes");
        Issued serving = issue(ca, "CN=kube-apiserver", rsa(), true);
        Issued client = issue(ca, "CN=data-user", rsa(), false);
        String url = startServer(serving, ca);
        Path file = write("k.kubeconfig", kubeconfig(
                "server: " + url + "\ncertificate-authority-data: " + b64(pem(ca.cert())) + "\ncertificate-authority: missing-ca.crt",
                "client-certificate-data: " + b64(pem(client.cert())) + "\nclient-certificate: missing.crt\n"
                        + "client-key-data: " + b64(keyPem(client.keys().getPrivate(), false)) + "\nclient-key: missing.key"));

        assertThat(new ApiClient(url, "test", Kubeconfig.load(file)).getText("/")).startsWith("CN=data-user|");
    }

    @Test
    void everyRequestCarriesTheBearerTokenIncludingStreams() throws Exception {
        Issued ca = ca("kubernetes");
        Issued serving = issue(ca, "CN=kube-apiserver", rsa(), true);
        Issued client = issue(ca, "CN=someone", rsa(), false);
        String url = startServer(serving, ca);
        Path file = write("k.kubeconfig", kubeconfig(
                "server: " + url + "\ncertificate-authority-data: " + b64(pem(ca.cert())),
                "token: abc.def\nclient-certificate-data: " + b64(pem(client.cert())) + "\nclient-key-data: " + b64(keyPem(client.keys().getPrivate(), true))));
        ApiClient api = new ApiClient(url, "test", Kubeconfig.load(file));

        assertThat(api.getText("/")).isEqualTo("CN=someone|Bearer abc.def");
        assertThat(api.sendJson("POST", "/x", null, "{}")).isEqualTo("CN=someone|Bearer abc.def");
        try (InputStream in = api.stream("/logs")) {
            assertThat(new String(in.readAllBytes(), StandardCharsets.UTF_8)).isEqualTo("CN=someone|Bearer abc.def");
        }
        assertThat(api.withRateLimiter(new TokenBucketRateLimiter(100, 10)).getText("/")).isEqualTo("CN=someone|Bearer abc.def");
    }

    @Test
    void aTokenFileIsReadRelativeToTheKubeconfigTrimmedAndReReadOnlyAfterItsPeriod() throws Exception {
        Path tokenFile = write("tokens/token", "first\n");
        Path file = write("k.kubeconfig", kubeconfig("server: https://10.0.0.1:6443", "tokenFile: tokens/token"));
        MutableClock clock = new MutableClock(Instant.parse("2026-01-01T00:00:00Z"));
        Kubeconfig kc = Kubeconfig.load(file, null, clock);
        assertThat(kc.bearerToken()).isEqualTo("first");

        Files.writeString(tokenFile, "second");
        clock.advance(Duration.ofSeconds(45));
        assertThat(kc.bearerToken()).as("cached within one minute minus 10 s of leeway").isEqualTo("first");
        clock.advance(Duration.ofSeconds(6));
        assertThat(kc.bearerToken()).as("re-read after 51 s").isEqualTo("second");

        Files.delete(tokenFile);
        clock.advance(Duration.ofMinutes(2));
        assertThat(kc.bearerToken()).as("an unreadable file keeps the last token").isEqualTo("second");
    }

    @Test
    void theClustersCaIsAvailableAsPemFromDataOrFile() throws Exception {
        Issued ca = ca("kubernetes");
        String caPem = pem(ca.cert());
        Path data = write("data.kubeconfig", kubeconfig("server: https://10.0.0.1:6443\ncertificate-authority-data: " + b64(caPem), "token: t"));
        assertThat(Kubeconfig.load(data).certificateAuthorityPem()).isEqualTo(caPem);
        write("pki/ca.crt", caPem);
        Path fromFile = write("file.kubeconfig", kubeconfig("server: https://10.0.0.1:6443\ncertificate-authority: pki/ca.crt", "token: t"));
        assertThat(Kubeconfig.load(fromFile).certificateAuthorityPem()).isEqualTo(caPem);
        Path none = write("none.kubeconfig", kubeconfig("server: https://10.0.0.1:6443", "token: t"));
        assertThat(Kubeconfig.load(none).certificateAuthorityPem()).isNull();
    }

    @Test
    void aTokenFileWinsOverTheTokenWhichIsTheFallback() throws Exception {
        write("token", "from-file");
        Path file = write("k.kubeconfig", kubeconfig("server: https://10.0.0.1:6443", "token: static\ntokenFile: token"));
        assertThat(Kubeconfig.load(file).bearerToken()).isEqualTo("from-file");

        Path noFile = write("k2.kubeconfig", kubeconfig("server: https://10.0.0.1:6443", "token: static\ntokenFile: absent"));
        assertThat(Kubeconfig.load(noFile).bearerToken()).isEqualTo("static");
    }

    @Test
    void anotherContextCanBeChosen() throws Exception {
        Path file = write("k.kubeconfig", """
                clusters:
                - {name: a, cluster: {server: "https://a:6443"}}
                - {name: b, cluster: {server: "https://b:6443"}}
                users:
                - {name: u, user: {token: t}}
                contexts:
                - {name: one, context: {cluster: a, user: u}}
                - {name: two, context: {cluster: b, user: u}}
                current-context: one
                """);
        assertThat(Kubeconfig.load(file).server()).isEqualTo("https://a:6443");
        assertThat(Kubeconfig.load(file, "two").server()).isEqualTo("https://b:6443");
    }

    @Test
    void withoutACaTheJvmRootsAreTrustedSoAPrivateCaIsRejected() throws Exception {
        Issued ca = ca("kubernetes");
        Issued serving = issue(ca, "CN=kube-apiserver", rsa(), true);
        Issued client = issue(ca, "CN=someone", rsa(), false);
        String url = startServer(serving, ca);
        Path file = write("k.kubeconfig", kubeconfig("server: " + url,
                "client-certificate-data: " + b64(pem(client.cert())) + "\nclient-key-data: " + b64(keyPem(client.keys().getPrivate(), false))));

        assertThatThrownBy(() -> new ApiClient(url, "test", Kubeconfig.load(file)).getText("/"))
                .isInstanceOf(ApiException.class).hasMessageContaining("no apiserver reachable");
    }

    @Test
    void aServerCertificateFromAnotherCaIsRejectedAndInsecureSkipTlsVerifyAcceptsIt() throws Exception {
        Issued ca = ca("kubernetes");
        Issued other = ca("someone-else");
        Issued serving = issue(other, "CN=impostor", rsa(), true);
        Issued client = issue(ca, "CN=someone", rsa(), false);
        String url = startServer(serving, ca);
        String user = "client-certificate-data: " + b64(pem(client.cert())) + "\nclient-key-data: " + b64(keyPem(client.keys().getPrivate(), false));
        Path strict = write("strict.kubeconfig", kubeconfig("server: " + url + "\ncertificate-authority-data: " + b64(pem(ca.cert())), user));
        Path insecure = write("insecure.kubeconfig", kubeconfig("server: " + url + "\ninsecure-skip-tls-verify: true", user));

        assertThatThrownBy(() -> new ApiClient(url, "test", Kubeconfig.load(strict)).getText("/")).isInstanceOf(ApiException.class);
        Kubeconfig kc = Kubeconfig.load(insecure);
        assertThat(kc.insecureSkipTlsVerify()).isTrue();
        assertThat(new ApiClient(url, "test", kc).getText("/")).startsWith("CN=someone|");
    }

    @Test
    void theUrlRuleIsUrlThenKubeconfigServerThenTheDefault() throws Exception {
        Path file = write("k.kubeconfig", kubeconfig("server: https://10.0.0.1:6443", "token: t"));
        Kubeconfig kc = Kubeconfig.load(file);
        assertThat(Kubeconfig.apiServerUrl("https://a:1,https://b:2", kc)).isEqualTo("https://a:1,https://b:2");
        assertThat(Kubeconfig.apiServerUrl("", kc)).isEqualTo("https://10.0.0.1:6443");
        assertThat(Kubeconfig.apiServerUrl(" ", null)).isEqualTo("http://127.0.0.1:8080");
        assertThat(Kubeconfig.apiServerUrl(null, null)).isEqualTo(Kubeconfig.DEFAULT_URL);
    }

    // ---- errors: client-go's message and the file -------------------------------------------------------

    private void assertInvalid(String content, String message) throws IOException {
        Path file = write("bad-" + Math.abs(content.hashCode()) + ".kubeconfig", content);
        assertThatThrownBy(() -> Kubeconfig.load(file))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining(message)
                .hasMessageContaining(file.toAbsolutePath().toString());
    }

    @Test
    void missingPiecesAreNamedWithTheFile() throws Exception {
        assertInvalid("clusters: []\n", "no context chosen");
        assertInvalid(kubeconfig("server: https://x", "token: t").replace("current-context: ctx", "current-context: nope"),
                "context was not found for specified context: nope");
        assertInvalid(kubeconfig("server: https://x", "token: t").replace("cluster: kubernetes", "cluster: gone"),
                "cluster \"gone\" was not found for context \"ctx\"");
        assertInvalid(kubeconfig("server: https://x", "token: t").replace("user: me", "user: ghost"),
                "user \"ghost\" was not found for context \"ctx\"");
        assertInvalid(kubeconfig("insecure-skip-tls-verify: true", "token: t"), "no server found for cluster \"kubernetes\"");
        assertInvalid(kubeconfig("server: https://x\ncertificate-authority: nowhere/ca.crt", "token: t"),
                "unable to read certificate-authority " + dir.resolve("nowhere/ca.crt"));
        assertInvalid(kubeconfig("server: https://x", "client-certificate-data: " + b64("x")),
                "client-key-data or client-key must be specified for me to use the clientCert authentication method.");
        assertInvalid(kubeconfig("server: https://x", "client-key-data: " + b64("x")),
                "client-certificate-data or client-certificate must be specified for me");
        assertInvalid(kubeconfig("server: https://x", "tokenFile: absent-token"), "failed to read token file");
        assertInvalid(kubeconfig("server: https://x\ncertificate-authority-data: " + b64(pem(ca("c").cert())) + "\ninsecure-skip-tls-verify: true", "token: t"),
                "specifying a root certificates file with the insecure flag is not allowed");
        assertInvalid(kubeconfig("server: https://x\ncertificate-authority-data: " + b64("not a certificate"), "token: t"),
                "certificate authority of cluster \"kubernetes\"");
    }

    @Test
    void aKeyOfAnotherCertificateIsRejected() throws Exception {
        Issued ca = ca("kubernetes");
        Issued client = issue(ca, "CN=someone", rsa(), false);
        assertInvalid(kubeconfig("server: https://x", "client-certificate-data: " + b64(pem(client.cert()))
                + "\nclient-key-data: " + b64(keyPem(rsa().getPrivate(), false))), "private key does not match public key");
        assertInvalid(kubeconfig("server: https://x", "client-certificate-data: " + b64(pem(client.cert()))
                + "\nclient-key-data: " + b64("garbage")), "failed to find any PEM data in the client key of user \"me\"");
    }

    @Test
    void anUnreadableKubeconfigIsNamed() {
        Path missing = dir.resolve("none.kubeconfig");
        assertThatThrownBy(() -> Kubeconfig.load(missing)).isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("cannot read kubeconfig " + missing);
    }
}
