package io.kube4j.kubelet.server;

import javax.net.ssl.SSLEngine;
import javax.net.ssl.X509ExtendedTrustManager;
import java.net.Socket;
import java.security.cert.CertificateException;
import java.security.cert.X509Certificate;
import java.util.List;

/**
 * The TLS trust manager of the kubelet's port: accepts any client certificate, as Go's
 * {@code tls.RequestClientCert} that the kubelet's server uses, so the handshake never fails on one and
 * {@link KubeletAuthFilter} answers an unacceptable one with 401. It names the client CAs as acceptable issuers
 * (Go's {@code ClientCAs}), so a client holding several certificates picks the right one.
 *
 * <p>Tomcat creates it by class name with no arguments, hence the CAs are handed over through {@link #acceptIssuers}
 * before the connector starts.
 */
public final class RequestClientCertificate extends X509ExtendedTrustManager {
    private static volatile List<X509Certificate> issuers = List.of();

    /** The CAs advertised to clients from now on. */
    public static void acceptIssuers(List<X509Certificate> cas) {
        issuers = List.copyOf(cas);
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType) {
        // checked per request by KubeletAuthFilter
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, Socket socket) {
        // checked per request by KubeletAuthFilter
    }

    @Override
    public void checkClientTrusted(X509Certificate[] chain, String authType, SSLEngine engine) {
        // checked per request by KubeletAuthFilter
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType) throws CertificateException {
        throw new CertificateException("a server-side trust manager does not check servers");
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, Socket socket) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public void checkServerTrusted(X509Certificate[] chain, String authType, SSLEngine engine) throws CertificateException {
        checkServerTrusted(chain, authType);
    }

    @Override
    public X509Certificate[] getAcceptedIssuers() {
        return issuers.toArray(X509Certificate[]::new);
    }
}
