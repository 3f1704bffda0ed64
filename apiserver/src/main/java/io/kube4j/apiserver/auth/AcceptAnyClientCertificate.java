package io.kube4j.apiserver.auth;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS trust manager for client certificates: accepts any, as Go's {@code tls.RequestClientCert} that
 * kube-apiserver uses, so the handshake never fails on a client certificate and {@link X509Authenticator}
 * answers an untrusted one with a 401 Status. It still names the cluster CA as the acceptable issuer
 * (Go's {@code ClientCAs}), so clients holding several certificates pick the cluster's.
 *
 * <p>Tomcat creates it by class name ({@code SSLHostConfig.trustManagerClassName}) with no arguments,
 * hence the CA is handed over through {@link #acceptIssuers} before the connector starts.
 */
public final class AcceptAnyClientCertificate extends X509ExtendedTrustManager {
    private static volatile List<X509Certificate> issuers = List.of();

    /** The CAs advertised to clients from now on. */
    public static void acceptIssuers(List<X509Certificate> cas) {
        issuers = List.copyOf(cas);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // verified by X509Authenticator, per request
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // verified by X509Authenticator, per request
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // verified by X509Authenticator, per request
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws java.security.cert.CertificateException {
        throw new java.security.cert.CertificateException("a server-side trust manager does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws java.security.cert.CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws java.security.cert.CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.toArray(X509Certificate[]::new);
    }
}
