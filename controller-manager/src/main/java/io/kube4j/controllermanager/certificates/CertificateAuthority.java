package io.kube4j.controllermanager.certificates;

import org.bouncycastle.asn1.ASN1ObjectIdentifier;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509ExtensionUtils;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.operator.jcajce.JcaContentVerifierProviderBuilder;
import org.bouncycastle.pkcs.PKCS10CertificationRequest;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PrivateKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster CA as the CSR signer uses it (Kubernetes' {@code pkg/controller/certificates/authority}: {@code authority.go}
 * {@code Sign} and {@code policies.go} {@code PermissiveSigningPolicy}): a certificate for a PKCS#10 request with its subject
 * and SANs, the requested usages as key usage / extended key usage, not a CA, a random 128-bit serial, valid from 5 minutes
 * ago ({@link #BACKDATE}) for the TTL (less the backdate unless the TTL is shorter than {@link #SHORT}), never past the CA's
 * own expiry.
 *
 * @param certificate the CA certificate ({@code --cluster-signing-cert-file})
 * @param key         its private key ({@code --cluster-signing-key-file}; RSA or EC)
 */
public record CertificateAuthority(X509Certificate certificate, PrivateKey key) {
    /** signer.go: certificates are backdated 5 minutes. */
    public static final Duration BACKDATE = Duration.ofMinutes(5);
    /** signer.go: a TTL under 8 hours is short; its end is not backdated. */
    public static final Duration SHORT = Duration.ofHours(8);
    private static final SecureRandom RANDOM = new SecureRandom();

    private static final Map<String, Integer> KEY_USAGES = new LinkedHashMap<>();
    // in Go's x509.ExtKeyUsage order, the order Kubernetes sorts them into
    private static final Map<String, ASN1ObjectIdentifier> EXT_KEY_USAGES = new LinkedHashMap<>();

    static {
        KEY_USAGES.put("signing", KeyUsage.digitalSignature);
        KEY_USAGES.put("digital signature", KeyUsage.digitalSignature);
        KEY_USAGES.put("content commitment", KeyUsage.nonRepudiation);
        KEY_USAGES.put("key encipherment", KeyUsage.keyEncipherment);
        KEY_USAGES.put("key agreement", KeyUsage.keyAgreement);
        KEY_USAGES.put("data encipherment", KeyUsage.dataEncipherment);
        KEY_USAGES.put("cert sign", KeyUsage.keyCertSign);
        KEY_USAGES.put("crl sign", KeyUsage.cRLSign);
        KEY_USAGES.put("encipher only", KeyUsage.encipherOnly);
        KEY_USAGES.put("decipher only", KeyUsage.decipherOnly);
        EXT_KEY_USAGES.put("any", KeyPurposeId.anyExtendedKeyUsage.toOID());
        EXT_KEY_USAGES.put("server auth", KeyPurposeId.id_kp_serverAuth.toOID());
        EXT_KEY_USAGES.put("client auth", KeyPurposeId.id_kp_clientAuth.toOID());
        EXT_KEY_USAGES.put("code signing", KeyPurposeId.id_kp_codeSigning.toOID());
        EXT_KEY_USAGES.put("email protection", KeyPurposeId.id_kp_emailProtection.toOID());
        EXT_KEY_USAGES.put("s/mime", KeyPurposeId.id_kp_emailProtection.toOID());
        EXT_KEY_USAGES.put("ipsec end system", KeyPurposeId.id_kp_ipsecEndSystem.toOID());
        EXT_KEY_USAGES.put("ipsec tunnel", KeyPurposeId.id_kp_ipsecTunnel.toOID());
        EXT_KEY_USAGES.put("ipsec user", KeyPurposeId.id_kp_ipsecUser.toOID());
        EXT_KEY_USAGES.put("timestamping", KeyPurposeId.id_kp_timeStamping.toOID());
        EXT_KEY_USAGES.put("ocsp signing", KeyPurposeId.id_kp_OCSPSigning.toOID());
        EXT_KEY_USAGES.put("microsoft sgc", new ASN1ObjectIdentifier("1.3.6.1.4.1.311.10.3.3"));
        EXT_KEY_USAGES.put("netscape sgc", new ASN1ObjectIdentifier("2.16.840.1.113730.4.1"));
    }

    /**
     * Loads the CA certificate (the first of the PEM file) and its key (PEM: PKCS#1, SEC1 or PKCS#8).
     *
     * @throws UncheckedIOException     when a file cannot be read
     * @throws IllegalArgumentException when a file holds no certificate or key
     */
    public static CertificateAuthority load(Path certFile, Path keyFile) {
        try {
            X509Certificate cert = (X509Certificate) CertificateFactory.getInstance("X.509")
                    .generateCertificate(new ByteArrayInputStream(Files.readAllBytes(certFile)));
            PrivateKey key;
            try (PEMParser parser = new PEMParser(new StringReader(Files.readString(keyFile)))) {
                Object o = parser.readObject();
                while (o != null && !(o instanceof PEMKeyPair) && !(o instanceof PrivateKeyInfo)) {
                    o = parser.readObject();
                }
                JcaPEMKeyConverter converter = new JcaPEMKeyConverter();
                key = switch (o) {
                    case PEMKeyPair pair -> converter.getKeyPair(pair).getPrivate();
                    case PrivateKeyInfo info -> converter.getPrivateKey(info);
                    case null, default -> throw new IllegalArgumentException("no private key in " + keyFile);
                };
            }
            return new CertificateAuthority(cert, key);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the cluster signing CA " + certFile + " / " + keyFile + ": " + e, e);
        } catch (java.security.cert.CertificateException e) {
            throw new IllegalArgumentException("no certificate in " + certFile + ": " + e.getMessage(), e);
        }
    }

    /**
     * Signs {@code request} (authority.go Sign with a PermissiveSigningPolicy).
     *
     * @param usages the CSR's {@code spec.usages}
     * @param ttl    the certificate's lifetime (the signer's duration, or the requested one)
     * @param now    the signing time
     * @return the certificate as PEM {@code CERTIFICATE}
     * @throws IllegalArgumentException with Kubernetes' message for a bad signature, an unknown usage or an expired CA
     */
    public String sign(PKCS10CertificationRequest request, List<String> usages, Duration ttl, Instant now) {
        try {
            if (!request.isSignatureValid(new JcaContentVerifierProviderBuilder().build(request.getSubjectPublicKeyInfo()))) {
                throw new IllegalArgumentException("unable to verify certificate request signature: signature invalid");
            }
        } catch (org.bouncycastle.operator.OperatorCreationException | org.bouncycastle.pkcs.PKCSException e) {
            throw new IllegalArgumentException("unable to verify certificate request signature: " + e.getMessage(), e);
        }
        int keyUsage = 0;
        List<ASN1ObjectIdentifier> extUsages = new ArrayList<>();
        List<String> unrecognized = new ArrayList<>();
        for (String usage : usages) {
            if (KEY_USAGES.containsKey(usage)) {
                keyUsage |= KEY_USAGES.get(usage);
            } else if (!EXT_KEY_USAGES.containsKey(usage)) {
                unrecognized.add("\"" + usage + "\"");
            }
        }
        if (!unrecognized.isEmpty()) {
            throw new IllegalArgumentException("unrecognized usage values: [" + String.join(" ", unrecognized) + "]");
        }
        for (var e : EXT_KEY_USAGES.entrySet()) {
            if (usages.contains(e.getKey()) && !extUsages.contains(e.getValue())) {
                extUsages.add(e.getValue());
            }
        }
        // policies.go apply
        Instant notBefore = now.minus(BACKDATE);
        Instant notAfter = ttl.compareTo(SHORT) < 0 ? now.plus(ttl) : now.plus(ttl).minus(BACKDATE);
        Instant signerNotAfter = certificate.getNotAfter().toInstant();
        if (!notAfter.isBefore(signerNotAfter)) {
            notAfter = signerNotAfter;
        }
        if (!notBefore.isBefore(signerNotAfter)) {
            throw new IllegalArgumentException("the signer has expired: NotAfter=" + signerNotAfter);
        }
        if (!now.isBefore(signerNotAfter)) {
            throw new IllegalArgumentException("refusing to sign a certificate that expired in the past: NotAfter=" + signerNotAfter);
        }
        try {
            // rand.Int(rand.Reader, 2^128)
            BigInteger serial = new BigInteger(128, RANDOM);
            X509v3CertificateBuilder b = new X509v3CertificateBuilder(
                    org.bouncycastle.asn1.x500.X500Name.getInstance(certificate.getSubjectX500Principal().getEncoded()), serial,
                    Date.from(notBefore), Date.from(notAfter), request.getSubject(), request.getSubjectPublicKeyInfo());
            if (keyUsage != 0) {
                b.addExtension(Extension.keyUsage, true, new KeyUsage(keyUsage));
            }
            if (!extUsages.isEmpty()) {
                b.addExtension(Extension.extendedKeyUsage, false,
                        new ExtendedKeyUsage(extUsages.stream().map(KeyPurposeId::getInstance).toArray(KeyPurposeId[]::new)));
            }
            b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            b.addExtension(Extension.authorityKeyIdentifier, false, new JcaX509ExtensionUtils().createAuthorityKeyIdentifier(certificate));
            // the request's other extensions are dropped (policy: Extensions = nil), its SANs kept (DNSNames, IPAddresses, ...)
            List<GeneralName> sans = CertificateRequests.subjectAlternativeNames(request);
            if (!sans.isEmpty()) {
                b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            }
            String algorithm = "EC".equals(key.getAlgorithm()) ? "SHA256withECDSA" : "SHA256withRSA";
            X509Certificate issued = new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder(algorithm).build(key)));
            return pem(issued);
        } catch (Exception e) {
            throw new IllegalStateException("failed to sign certificate: " + e.getMessage(), e);
        }
    }

    /** PEM of a certificate. */
    static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
