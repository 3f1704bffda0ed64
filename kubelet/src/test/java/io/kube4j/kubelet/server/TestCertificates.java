package io.kube4j.kubelet.server;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.cert.X509Certificate;
import java.time.Instant;
import java.util.Date;

/** A CA and the client certificates it signs, for authentication tests (EC P-256 keys: fast to make). */
final class TestCertificates {
    final KeyPair caKey;
    final X509Certificate ca;

    TestCertificates(String name) throws Exception {
        caKey = keys();
        X500Name n = new X500Name("CN=" + name);
        var b = new JcaX509v3CertificateBuilder(n, BigInteger.ONE, Date.from(Instant.now().minusSeconds(3600)), Date.from(Instant.now().plusSeconds(3600)), n, caKey.getPublic());
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        ca = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    }

    static KeyPair keys() throws Exception {
        KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
        g.initialize(256);
        return g.generateKeyPair();
    }

    /** A client certificate for {@code subject} (e.g. {@code CN=alice,O=devs}) valid from {@code from} to {@code to}. */
    X509Certificate client(String subject, Instant from, Instant to, KeyPurposeId usage) throws Exception {
        var b = new JcaX509v3CertificateBuilder(new X500Name(ca.getSubjectX500Principal().getName()), BigInteger.valueOf(System.nanoTime()),
                Date.from(from), Date.from(to), new X500Name(subject), keys().getPublic());
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(usage));
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(caKey.getPrivate())));
    }

    X509Certificate client(String subject) throws Exception {
        return client(subject, Instant.now().minusSeconds(60), Instant.now().plusSeconds(3600), KeyPurposeId.id_kp_clientAuth);
    }
}
