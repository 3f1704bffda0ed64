package io.kube4j.apiserver.kubelet;

import com.sun.net.httpserver.HttpsConfigurator;
import com.sun.net.httpserver.HttpsParameters;
import com.sun.net.httpserver.HttpsServer;
import io.kube4j.apiserver.auth.Pki;

import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.X509TrustManager;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.security.cert.X509Certificate;

/**
 * A JDK HTTPS server standing in for a kubelet's port in unit tests: it serves {@code apiserver.crt} of a
 * test PKI (any certificate does: the apiserver does not verify kubelets without a configured CA) and asks
 * for, but does not check, a client certificate, so a test can see which one the apiserver presented.
 */
public final class FakeKubeletServer {
    private FakeKubeletServer() {
    }

    /** An HTTPS server on 127.0.0.1 (free port, not started) serving {@code <pkiDir>/apiserver.crt}. */
    public static HttpsServer create(Path pkiDir) throws IOException {
        HttpsServer server = HttpsServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        SSLContext ssl = serverContext(pkiDir.resolve("apiserver.crt"), pkiDir.resolve("apiserver.key"));
        server.setHttpsConfigurator(new HttpsConfigurator(ssl) {
            @Override
            public void configure(HttpsParameters params) {
                params.setWantClientAuth(true);
            }
        });
        return server;
    }

    /** A server SSL context from PEM files, accepting any client certificate. */
    public static SSLContext serverContext(Path cert, Path key) throws IOException {
        try {
            KeyStore ks = KeyStore.getInstance("PKCS12");
            ks.load(null, null);
            ks.setKeyEntry("server", Pki.readPrivateKey(key), new char[0], new X509Certificate[]{Pki.readCertificate(cert)});
            KeyManagerFactory kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
            kmf.init(ks, new char[0]);
            SSLContext ssl = SSLContext.getInstance("TLS");
            ssl.init(kmf.getKeyManagers(), new TrustManager[]{new X509TrustManager() {
                @Override
                public void checkClientTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(X509Certificate[] chain, String authType) {
                }

                @Override
                public X509Certificate[] getAcceptedIssuers() {
                    return new X509Certificate[0];
                }
            }}, null);
            return ssl;
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }
}
