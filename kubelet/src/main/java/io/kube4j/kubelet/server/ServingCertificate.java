package io.kube4j.kubelet.server;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x509.BasicConstraints;
import org.bouncycastle.asn1.x509.ExtendedKeyUsage;
import org.bouncycastle.asn1.x509.Extension;
import org.bouncycastle.asn1.x509.GeneralName;
import org.bouncycastle.asn1.x509.GeneralNames;
import org.bouncycastle.asn1.x509.KeyPurposeId;
import org.bouncycastle.asn1.x509.KeyUsage;
import org.bouncycastle.cert.X509v3CertificateBuilder;
import org.bouncycastle.cert.jcajce.JcaX509CertificateConverter;
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.SecureRandom;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The kubelet's serving certificate and key files (Kubernetes' {@code cmd/kubelet/app/server.go InitializeTLS}):
 * the configured {@code --tls-cert-file}/{@code --tls-private-key-file}, else {@code kubelet.crt}/{@code kubelet.key}
 * in the certificate directory, made on the first start and reused after (as the kubelet, which generates them
 * only when it cannot read them).
 *
 * <p>A made certificate follows client-go's {@code cert.GenerateSelfSignedCertKey}: a throw-away CA
 * {@code CN=<host>-ca@<unix seconds>} signs a serving certificate {@code CN=<host>@<unix seconds>} (server auth),
 * both RSA 2048, valid from one hour ago (clock skew) for 365 days, and the file holds the certificate then the CA.
 * Its names are the node name (a DNS name, or an IP address when it is one) and the node's addresses, so a client
 * configured with that CA can check the address it dialled.
 */
public final class ServingCertificate {
    static final Duration VALIDITY = Duration.ofDays(365);
    static final Duration BACKDATE = Duration.ofHours(1);
    private static final SecureRandom RANDOM = new SecureRandom();

    /** The PEM certificate (chain) file and its key file. */
    public record Files(Path certFile, Path keyFile) {
    }

    private ServingCertificate() {
    }

    /**
     * The files Tomcat serves: the configured pair when both are set, else {@code <certDir>/kubelet.crt|key}, made
     * when absent for {@code host} with {@code addresses} as extra names.
     *
     * @throws IllegalArgumentException when only one of the two files is configured
     * @throws UncheckedIOException     when the certificate directory cannot be written
     */
    public static Files resolve(String certFile, String keyFile, Path certDir, String host, List<String> addresses) {
        if (!certFile.isBlank() || !keyFile.isBlank()) {
            if (certFile.isBlank() || keyFile.isBlank()) {
                throw new IllegalArgumentException("kube4j.kubelet.tls-cert-file and kube4j.kubelet.tls-private-key-file must be set together");
            }
            return new Files(Path.of(certFile), Path.of(keyFile));
        }
        Path crt = certDir.resolve("kubelet.crt");
        Path key = certDir.resolve("kubelet.key");
        if (java.nio.file.Files.isReadable(crt) && java.nio.file.Files.isReadable(key)) {
            return new Files(crt, key);
        }
        try {
            java.nio.file.Files.createDirectories(certDir);
            String[] pem = generateSelfSigned(host, addresses, Instant.now());
            write(key, pem[1], true);
            write(crt, pem[0], false);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write the kubelet's self-signed certificate to " + certDir, e);
        }
        return new Files(crt, key);
    }

    /**
     * client-go's {@code GenerateSelfSignedCertKey(host, alternateIPs, alternateDNS)}: returns the PEM certificate
     * chain (serving certificate, then its CA) and the PEM private key (PKCS#1).
     */
    public static String[] generateSelfSigned(String host, List<String> alternateNames, Instant now) {
        try {
            KeyPairGenerator gen = KeyPairGenerator.getInstance("RSA");
            gen.initialize(2048, RANDOM);
            KeyPair caKey = gen.generateKeyPair();
            KeyPair key = gen.generateKeyPair();
            Instant from = now.minus(BACKDATE);
            Instant to = from.plus(VALIDITY);
            long unix = now.getEpochSecond();
            X500Name caName = new X500Name("CN=" + host + "-ca@" + unix);
            X509v3CertificateBuilder ca = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(from), Date.from(to), caName, caKey.getPublic());
            ca.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature | KeyUsage.keyCertSign));
            ca.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
            X509Certificate caCert = sign(ca, caKey);
            X509v3CertificateBuilder leaf = new JcaX509v3CertificateBuilder(caName, serial(), Date.from(from), Date.from(to),
                    new X500Name("CN=" + host + "@" + unix), key.getPublic());
            leaf.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.keyEncipherment | KeyUsage.digitalSignature));
            leaf.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(KeyPurposeId.id_kp_serverAuth));
            leaf.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
            Set<String> names = new LinkedHashSet<>();
            names.add(host);
            names.addAll(alternateNames);
            List<GeneralName> sans = new ArrayList<>();
            for (String n : names) {
                if (!n.isBlank()) {
                    sans.add(isIp(n) ? new GeneralName(GeneralName.iPAddress, n) : new GeneralName(GeneralName.dNSName, n));
                }
            }
            leaf.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(sans.toArray(GeneralName[]::new)));
            X509Certificate cert = sign(leaf, caKey);
            return new String[]{pem(cert) + pem(caCert), pem(key.getPrivate())};
        } catch (GeneralSecurityException | IOException | OperatorCreationException e) {
            throw new IllegalStateException("cannot make a self-signed certificate for " + host, e);
        }
    }

    private static X509Certificate sign(X509v3CertificateBuilder b, KeyPair signer) throws OperatorCreationException, GeneralSecurityException {
        return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer.getPrivate())));
    }

    static boolean isIp(String s) {
        return s.matches("[0-9.]+") && s.chars().filter(c -> c == '.').count() == 3 || s.contains(":") && s.matches("[0-9a-fA-F:.]+");
    }

    private static BigInteger serial() {
        return new BigInteger(127, RANDOM).add(BigInteger.ONE);
    }

    private static String pem(Object o) throws IOException {
        StringWriter w = new StringWriter();
        try (JcaPEMWriter p = new JcaPEMWriter(w)) {
            p.writeObject(o);
        }
        return w.toString();
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        java.nio.file.Files.writeString(file, content);
        if (secret) {
            try {
                java.nio.file.Files.setPosixFilePermissions(file, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system
            }
        }
    }
}
