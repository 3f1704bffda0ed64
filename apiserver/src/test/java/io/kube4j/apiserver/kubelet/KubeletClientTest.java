package io.kube4j.apiserver.kubelet;

import com.sun.net.httpserver.HttpsExchange;
import com.sun.net.httpserver.HttpsServer;
import io.kube4j.apiserver.auth.Pki;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import javax.net.ssl.SSLPeerUnverifiedException;
import javax.net.ssl.SSLSocket;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The apiserver's side of kubelet TLS (Kubernetes' pkg/kubelet/client): always HTTPS, the apiserver-kubelet-client
 * certificate presented, the kubelet's serving certificate checked only against a configured CA.
 */
class KubeletClientTest {
    @TempDir
    static Path dir;
    static Pki cluster;
    static Pki other;
    static HttpsServer kubelet;

    @BeforeAll
    static void start() throws IOException {
        cluster = Pki.ensure(dir.resolve("cluster"), List.of(), List.of(), "https://127.0.0.1:6443");
        other = Pki.ensure(dir.resolve("other"), List.of(), List.of(), "https://127.0.0.1:6443");
        // the fake kubelet serves the cluster PKI's apiserver.crt (SAN 127.0.0.1) and echoes the client's CN
        kubelet = FakeKubeletServer.create(cluster.dir());
        kubelet.createContext("/", ex -> {
            String who;
            try {
                who = ((X509Certificate) ((HttpsExchange) ex).getSSLSession().getPeerCertificates()[0]).getSubjectX500Principal().getName();
            } catch (SSLPeerUnverifiedException e) {
                who = "none";
            }
            byte[] body = who.getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        kubelet.start();
    }

    @AfterAll
    static void stop() {
        kubelet.stop(0);
    }

    private static KubeletClient.Credentials apiserverKubeletClient(Pki pki) throws IOException {
        return new KubeletClient.Credentials(List.of(Pki.readCertificate(pki.dir().resolve("apiserver-kubelet-client.crt"))),
                Pki.readPrivateKey(pki.dir().resolve("apiserver-kubelet-client.key")));
    }

    private static String get(KubeletClient client) throws IOException, InterruptedException {
        HttpResponse<String> r = client.http().send(HttpRequest.newBuilder(KubeletClient.uri("127.0.0.1:" + kubelet.getAddress().getPort(), "/stats/summary"))
                .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).isEqualTo(200);
        return r.body();
    }

    @Test
    void presentsTheApiserverKubeletClientCertificate() throws Exception {
        assertThat(get(new KubeletClient(apiserverKubeletClient(cluster), null))).isEqualTo("CN=kube-apiserver-kubelet-client,O=system:masters");
    }

    @Test
    void withoutCredentialsPresentsNone() throws Exception {
        assertThat(get(new KubeletClient((KubeletClient.Credentials) null, null))).isEqualTo("none");
    }

    @Test
    void withoutACertificateAuthorityTheKubeletsCertificateIsNotVerified() throws Exception {
        // the cluster CA is not in the JDK's trust store: only skipping verification lets this through
        assertThat(get(new KubeletClient(apiserverKubeletClient(other), null))).startsWith("CN=kube-apiserver-kubelet-client");
    }

    @Test
    void withACertificateAuthorityOnlyKubeletsItIssuedAreAccepted() throws Exception {
        assertThat(get(new KubeletClient(apiserverKubeletClient(cluster), cluster.dir().resolve("ca.crt")))).startsWith("CN=kube-apiserver-kubelet-client");
        KubeletClient strict = new KubeletClient(apiserverKubeletClient(cluster), other.dir().resolve("ca.crt"));
        assertThatThrownBy(() -> get(strict)).isInstanceOf(IOException.class);
    }

    @Test
    void upgradeSocketsUseTheSameTls() throws Exception {
        int port = kubelet.getAddress().getPort();
        try (SSLSocket s = new KubeletClient(apiserverKubeletClient(cluster), cluster.dir().resolve("ca.crt")).connect("127.0.0.1", port, Duration.ofSeconds(3))) {
            s.getOutputStream().write("GET / HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n".getBytes(StandardCharsets.ISO_8859_1));
            s.getOutputStream().flush();
            String answer = new String(s.getInputStream().readAllBytes(), StandardCharsets.ISO_8859_1);
            assertThat(answer).startsWith("HTTP/1.1 200").endsWith("CN=kube-apiserver-kubelet-client,O=system:masters");
        }
        KubeletClient strict = new KubeletClient(apiserverKubeletClient(cluster), other.dir().resolve("ca.crt"));
        assertThatThrownBy(() -> strict.connect("127.0.0.1", port, Duration.ofSeconds(3))).isInstanceOf(IOException.class);
    }
}
