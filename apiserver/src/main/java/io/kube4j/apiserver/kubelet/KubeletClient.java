package io.kube4j.apiserver.kubelet;

import io.kube4j.apiserver.auth.Pki;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.stereotype.Component;

import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.SSLSocket;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509ExtendedTrustManager;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.util.List;

/**
 * How the apiserver reaches kubelets (Kubernetes' {@code pkg/kubelet/client} {@code KubeletClientConfig} and
 * its transport): always HTTPS, as the kubelet's port 10250 is TLS-only. With a cluster PKI (security on) the
 * apiserver presents {@code apiserver-kubelet-client.crt}/{@code .key} (Kubernetes' {@code --kubelet-client-certificate}
 * and {@code --kubelet-client-key}, kubeadm's files), so a kubelet checking client certificates knows it. The
 * kubelet's serving certificate is verified, host name (the node's InternalIP) included, only when
 * {@code kube4j.kubelet-client.certificate-authority} names a CA bundle (Kubernetes'
 * {@code --kubelet-certificate-authority}); without it Kubernetes skips verification ({@code Insecure: true}), and so
 * does this client, because kubelets serve self-signed certificates by default.
 *
 * <p>One SSL context serves the HTTP client (logs, summaries) and the raw sockets of streaming upgrades.
 */
@Component
public class KubeletClient {
    private static final Logger log = LoggerFactory.getLogger(KubeletClient.class);

    private final SSLContext ssl;
    private final boolean verify;
    private final HttpClient http;

    @org.springframework.beans.factory.annotation.Autowired
    public KubeletClient(ObjectProvider<Pki> pki, @Value("${kube4j.kubelet-client.certificate-authority:}") String certificateAuthority) {
        this(clientCredentials(pki.getIfAvailable()), certificateAuthority.isBlank() ? null : Path.of(certificateAuthority));
    }

    /**
     * @param credentials the client certificate chain and key to present, or null for none
     * @param caBundle    a PEM bundle that must have issued the kubelets' serving certificates, or null for no verification
     */
    public KubeletClient(Credentials credentials, Path caBundle) {
        try {
            KeyManager[] keys = null;
            if (credentials != null) {
                KeyStore ks = KeyStore.getInstance("PKCS12");
                ks.load(null, null);
                ks.setKeyEntry("client", credentials.key(), new char[0], credentials.chain().toArray(X509Certificate[]::new));
                KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
                kmf.init(ks, new char[0]);
                keys = kmf.getKeyManagers();
            }
            TrustManager[] trust;
            if (caBundle != null) {
                KeyStore ts = KeyStore.getInstance("PKCS12");
                ts.load(null, null);
                int i = 0;
                for (X509Certificate ca : Pki.parseCertificates(java.nio.file.Files.readString(caBundle))) {
                    ts.setCertificateEntry("ca-" + i++, ca);
                }
                TrustManagerFactory tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
                tmf.init(ts);
                trust = tmf.getTrustManagers();
            } else {
                trust = new TrustManager[]{new TrustAnyKubelet()};
            }
            this.ssl = SSLContext.getInstance("TLS");
            ssl.init(keys, trust, null);
            this.verify = caBundle != null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the kubelet certificate authority " + caBundle, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up TLS towards kubelets", e);
        }
        // HTTP/1.1 only: the kubelet's answers are streamed, and upgraded as HTTP/1.1 connections
        this.http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1)
                .sslContext(ssl).build();
        log.info("kubelet client: HTTPS, {} client certificate, kubelet serving certificates {}",
                credentials == null ? "no" : "with a", verify ? "verified against " + caBundle : "not verified (no kube4j.kubelet-client.certificate-authority)");
    }

    /** A client certificate chain (leaf first) and its private key. */
    public record Credentials(List<X509Certificate> chain, PrivateKey key) {
    }

    // apiserver-kubelet-client.crt/.key from the PKI, or nothing when security is off
    private static Credentials clientCredentials(Pki pki) {
        if (pki == null) {
            return null;
        }
        try {
            Path dir = pki.dir();
            return new Credentials(List.of(Pki.readCertificate(dir.resolve("apiserver-kubelet-client.crt"))),
                    Pki.readPrivateKey(dir.resolve("apiserver-kubelet-client.key")));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read apiserver-kubelet-client.crt/.key in " + pki.dir(), e);
        }
    }

    /** The HTTP client for kubelet requests (HTTP/1.1 over TLS, 3 s connect timeout). */
    public HttpClient http() {
        return http;
    }

    /** {@code https://<host:port><pathAndQuery>}; {@code authority} is already bracketed for IPv6. */
    public static URI uri(String authority, String pathAndQuery) {
        return URI.create("https://" + authority + pathAndQuery);
    }

    /**
     * A TLS connection to a kubelet for a raw HTTP upgrade, handshake done: the TCP connect waits at most
     * {@code connectTimeout}, the handshake at most 10 s; afterwards reads block without timeout (a stream may be idle).
     *
     * @throws IOException when the kubelet cannot be reached or the handshake fails (e.g. an unverifiable certificate)
     */
    public SSLSocket connect(String host, int port, Duration connectTimeout) throws IOException {
        Socket tcp = new Socket();
        try {
            tcp.connect(new InetSocketAddress(host, port), (int) connectTimeout.toMillis());
            tcp.setTcpNoDelay(true);
            SSLSocket tls = (SSLSocket) ssl.getSocketFactory().createSocket(tcp, host, port, true);
            SSLParameters params = tls.getSSLParameters();
            params.setApplicationProtocols(new String[]{"http/1.1"});
            if (verify) {
                // as the HTTP client does: the serving certificate must name the address dialled
                params.setEndpointIdentificationAlgorithm("HTTPS");
            }
            tls.setSSLParameters(params);
            tls.setSoTimeout(10_000);
            tls.startHandshake();
            tls.setSoTimeout(0);
            return tls;
        } catch (IOException | RuntimeException e) {
            tcp.close();
            throw e;
        }
    }

    /**
     * Accepts any kubelet serving certificate and checks no host name, as Go's {@code InsecureSkipVerify} that
     * Kubernetes' kubelet client uses without {@code --kubelet-certificate-authority}. An extended trust
     * manager, because JSSE adds its own host name check around a plain one.
     */
    static final class TrustAnyKubelet extends X509ExtendedTrustManager {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) {
            // not verified: see the class comment
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
            // not verified: see the class comment
        }

        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {
            throw new UnsupportedOperationException("client side only");
        }

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {
            // not verified: see the class comment
        }

        @Override
        public X509Certificate[] getAcceptedIssuers() {
            return new X509Certificate[0];
        }
    }
}
