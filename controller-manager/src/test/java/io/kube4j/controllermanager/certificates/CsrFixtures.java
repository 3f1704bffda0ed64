package io.kube4j.controllermanager.certificates;

import io.kube4j.api.CertificateSigningRequest;
import io.kube4j.api.CertificateSigningRequest.CertificateSigningRequestCondition;
import org.bouncycastle.asn1.pkcs.PKCSObjectIdentifiers;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.ExtensionsGenerator;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.math.BigInteger;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.time.Duration;
import java.time.Instant;
import java.util.Date;
import java.util.List;

/** Real PKCS#10 requests and a real CA for the certificate controllers' tests. */
final class CsrFixtures {
    static final String KUBELET_CLIENT = "kubernetes.io/kube-apiserver-client-kubelet";

    private CsrFixtures() {
    }

    static KeyPair ecKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A PEM request for CN {@code cn} and organizations {@code orgs}, with DNS SANs {@code dnsNames}. */
    static String requestPem(KeyPair key, String cn, List<String> orgs, String... dnsNames) {
        try {
            X500NameBuilder subject = new X500NameBuilder(BCStyle.INSTANCE);
            orgs.forEach(o -> subject.addRDN(BCStyle.O, o));
            subject.addRDN(BCStyle.CN, cn);
            var b = new JcaPKCS10CertificationRequestBuilder(subject.build(), key.getPublic());
            if (dnsNames.length > 0) {
                ExtensionsGenerator ext = new ExtensionsGenerator();
                GeneralName[] names = java.util.Arrays.stream(dnsNames).map(d -> new GeneralName(GeneralName.dNSName, d)).toArray(GeneralName[]::new);
                ext.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names));
                b.addAttribute(PKCSObjectIdentifiers.pkcs_9_at_extensionRequest, ext.generate());
            }
            return CertificateAuthority.pem(b.build(new JcaContentSignerBuilder("SHA256withECDSA").build(key.getPrivate())));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    /** A CSR as the apiserver stores it after a bootstrap token created it. */
    static CertificateSigningRequest csr(String name, String signer, String requestPem, String username, List<String> groups, String... usages) {
        CertificateSigningRequest csr = new CertificateSigningRequest();
        csr.metadata.name = name;
        csr.metadata.uid = "uid-" + name;
        csr.metadata.resourceVersion = "7";
        csr.spec.signerName = signer;
        csr.spec.setRequestPem(requestPem);
        csr.spec.usages = new java.util.ArrayList<>(List.of(usages));
        csr.spec.username = username;
        csr.spec.uid = "";
        csr.spec.groups = new java.util.ArrayList<>(groups);
        return csr;
    }

    /** The kubelet's bootstrap request: system:node:worker-1 / system:nodes, asked by bootstrap token abcdef. */
    static CertificateSigningRequest bootstrapCsr(String name) {
        return csr(name, KUBELET_CLIENT, requestPem(ecKey(), "system:node:worker-1", List.of("system:nodes")), "system:bootstrap:abcdef",
                List.of("system:bootstrappers", "system:bootstrappers:kubeadm:default-node-token", "system:authenticated"),
                "digital signature", "client auth");
    }

    static CertificateSigningRequest approved(CertificateSigningRequest csr) {
        csr.status.conditions.add(new CertificateSigningRequestCondition("Approved", "True", "AutoApproved", "ok", null));
        return csr;
    }

    /** A self-signed RSA CA, valid from an hour ago for {@code validity}. */
    static CertificateAuthority ca(Duration validity) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
            g.initialize(2048);
            KeyPair kp = g.generateKeyPair();
            var name = new org.bouncycastle.asn1.x500.X500Name("CN=kubernetes");
            Instant now = Instant.now();
            var b = new JcaX509v3CertificateBuilder(name, BigInteger.ONE, Date.from(now.minus(Duration.ofHours(1))), Date.from(now.plus(validity)), name, kp.getPublic());
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyCertSign | KeyUsage.digitalSignature));
            b.addExtension(Extension.subjectKeyIdentifier, false, new org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils().createSubjectKeyIdentifier(kp.getPublic()));
            var cert = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(kp.getPrivate())));
            return new CertificateAuthority(cert, kp.getPrivate());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
