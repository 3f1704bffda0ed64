package io.kube4j.apiserver.auth;

import java.security.cert.X509Certificate;

/** Certificates for tests outside this package (Pki's builders are package-private). */
public final class PkiTestSupport {
    private PkiTestSupport() {
    }

    /** A fresh self-signed CA certificate (RSA). */
    public static X509Certificate selfSigned() throws Exception {
        return Pki.selfSignedCa(Pki.rsa());
    }
}
