package io.kube4j.apiserver.auth;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
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
import org.bouncycastle.cert.jcajce.JcaX509v3CertificateBuilder;
import org.bouncycastle.openssl.PEMKeyPair;
import org.bouncycastle.openssl.PEMParser;
import org.bouncycastle.openssl.jcajce.JcaPEMKeyConverter;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.asn1.pkcs.PrivateKeyInfo;
import org.bouncycastle.asn1.x509.SubjectPublicKeyInfo;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.StringReader;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.math.BigInteger;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The cluster's PKI in one directory, laid out as kubeadm's {@code /etc/kubernetes/pki}: created on the
 * first start, reused (never regenerated) after, so a restart keeps every credential valid.
 *
 * <ul>
 *   <li>{@code ca.crt}/{@code ca.key}: the cluster CA ({@code CN=kubernetes}, 10 years, kubeadm's
 *       {@code CACertificateValidityPeriod});</li>
 *   <li>{@code apiserver.crt}/{@code .key}: the serving certificate ({@code CN=kube-apiserver}, server auth,
 *       SANs {@link #DEFAULT_SANS} plus the configured extra names, 1 year as kubeadm's
 *       {@code CertificateValidityPeriod});</li>
 *   <li>{@code apiserver-kubelet-client.crt}/{@code .key}: the apiserver's client certificate towards
 *       kubelets ({@code CN=kube-apiserver-kubelet-client});</li>
 *   <li>{@code sa.key}/{@code sa.pub}: the ServiceAccount token signing key pair (RSA 2048);</li>
 *   <li>a client certificate and a kubeconfig per identity: {@code admin} ({@code kubernetes-admin},
 *       {@code system:masters}), {@code kube-scheduler}, {@code kube-controller-manager}, {@code kube-proxy}
 *       and {@code kubelet-<node>} ({@code system:node:<node>}, {@code system:nodes}), each as
 *       {@code <name>.crt}, {@code <name>.key} and {@code <name>.kubeconfig}.</li>
 * </ul>
 *
 * <p>Keys are RSA 2048 in PKCS#1 PEM, as kubeadm's default; certificates are backdated 5 minutes
 * (kubeadm's {@code CertificateBackdate}) so a peer with a slightly late clock accepts them. Private
 * keys are written owner-read-only. Kubernetes: {@code cmd/kubeadm/app/phases/certs/certlist.go},
 * {@code cmd/kubeadm/app/constants/constants.go}, {@code cmd/kubeadm/app/phases/kubeconfig}.
 */
public final class Pki {
    /** The serving certificate's names for every cluster (kubeadm's plus the compose service name). */
    public static final List<String> DEFAULT_SANS = List.of("localhost", "127.0.0.1", "::1", "apiserver", "kubernetes",
            "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local");
    static final Duration CA_VALIDITY = Duration.ofDays(3650);
    static final Duration CERT_VALIDITY = Duration.ofDays(365);
    static final Duration BACKDATE = Duration.ofMinutes(5);
    private static final Pattern IP = Pattern.compile("^[0-9.]+$|^[0-9a-fA-F:]*:[0-9a-fA-F:.]*$");
    private static final SecureRandom RANDOM = new SecureRandom();

    /** One client identity: the file base name, the user (CN) and the groups (O). */
    public record Identity(String file, String user, List<String> groups) {
    }

    private final Path dir;
    private final X509Certificate ca;
    private final PrivateKey caKey;
    private final KeyPair serviceAccountKeys;

    private Pki(Path dir, X509Certificate ca, PrivateKey caKey, KeyPair serviceAccountKeys) {
        this.dir = dir;
        this.ca = ca;
        this.caKey = caKey;
        this.serviceAccountKeys = serviceAccountKeys;
    }

    /**
     * Creates whatever is missing in {@code dir} and loads the rest.
     *
     * @param extraSans further serving certificate names (DNS names or IP addresses)
     * @param nodes     node names to issue kubelet client certificates for
     * @param server    the apiserver URL written into each kubeconfig
     * @throws UncheckedIOException when the directory cannot be written or a file there cannot be read
     */
    public static Pki ensure(Path dir, List<String> extraSans, List<String> nodes, String server) {
        try {
            Files.createDirectories(dir);
            X509Certificate ca;
            PrivateKey caKey;
            if (Files.exists(dir.resolve("ca.crt")) && Files.exists(dir.resolve("ca.key"))) {
                ca = readCertificate(dir.resolve("ca.crt"));
                caKey = readPrivateKey(dir.resolve("ca.key"));
            } else {
                KeyPair kp = rsa();
                ca = selfSignedCa(kp);
                caKey = kp.getPrivate();
                write(dir.resolve("ca.key"), pem(caKey), true);
                write(dir.resolve("ca.crt"), pem(ca), false);
            }
            KeyPair sa;
            if (Files.exists(dir.resolve("sa.key"))) {
                PrivateKey key = readPrivateKey(dir.resolve("sa.key"));
                sa = new KeyPair(readPublicKey(dir.resolve("sa.pub")), key);
            } else {
                sa = rsa();
                write(dir.resolve("sa.key"), pem(sa.getPrivate()), true);
                write(dir.resolve("sa.pub"), pem(sa.getPublic()), false);
            }
            Pki pki = new Pki(dir, ca, caKey, sa);
            Set<String> sans = new LinkedHashSet<>(DEFAULT_SANS);
            sans.addAll(extraSans);
            pki.ensureCertificate("apiserver", "kube-apiserver", List.of(), List.copyOf(sans), true);
            pki.ensureCertificate("apiserver-kubelet-client", "kube-apiserver-kubelet-client", List.of(UserInfo.SYSTEM_MASTERS), List.of(), false);
            for (Identity id : identities(nodes)) {
                pki.ensureCertificate(id.file(), id.user(), id.groups(), List.of(), false);
                pki.writeKubeconfig(id, server);
            }
            return pki;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot set up the PKI in " + dir, e);
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot set up the PKI in " + dir, e);
        }
    }

    /** The client identities kube4j issues certificates and kubeconfigs for, admin first. */
    public static List<Identity> identities(List<String> nodes) {
        List<Identity> out = new ArrayList<>();
        out.add(new Identity("admin", "kubernetes-admin", List.of(UserInfo.SYSTEM_MASTERS)));
        out.add(new Identity("kube-scheduler", "system:kube-scheduler", List.of()));
        out.add(new Identity("kube-controller-manager", "system:kube-controller-manager", List.of()));
        // as "Kubernetes the hard way"; kubeadm gives kube-proxy a ServiceAccount token instead
        out.add(new Identity("kube-proxy", "system:kube-proxy", List.of("system:node-proxier")));
        for (String node : nodes) {
            out.add(new Identity("kubelet-" + node, "system:node:" + node, List.of("system:nodes")));
        }
        return out;
    }

    public Path dir() {
        return dir;
    }

    /** The cluster CA certificate ({@code ca.crt}), the root every client certificate must chain to. */
    public X509Certificate ca() {
        return ca;
    }

    /** The ServiceAccount token signing key pair ({@code sa.key}, {@code sa.pub}). */
    public KeyPair serviceAccountKeys() {
        return serviceAccountKeys;
    }

    /**
     * Issues a client certificate (client auth usage) for {@code user} in {@code groups}, signed by the
     * CA and valid from {@code notBefore} to {@code notAfter}; for tests and for adding users by hand.
     */
    public X509Certificate issueClientCertificate(PublicKey key, String user, List<String> groups, Instant notBefore, Instant notAfter) {
        try {
            return sign(ca, caKey, key, subject(user, groups), notBefore, notAfter, false, List.of());
        } catch (GeneralSecurityException | IOException e) {
            throw new IllegalStateException(e);
        }
    }

    private void ensureCertificate(String name, String cn, List<String> groups, List<String> sans, boolean server) throws IOException, GeneralSecurityException {
        Path crt = dir.resolve(name + ".crt");
        Path key = dir.resolve(name + ".key");
        if (Files.exists(crt) && Files.exists(key)) {
            return;
        }
        KeyPair kp = rsa();
        Instant now = Instant.now();
        X509Certificate cert = sign(ca, caKey, kp.getPublic(), subject(cn, groups), now.minus(BACKDATE), now.plus(CERT_VALIDITY), server, sans);
        write(key, pem(kp.getPrivate()), true);
        write(crt, pem(cert), false);
    }

    /** Writes {@code <file>.kubeconfig} for the identity, with the CA and the client key pair embedded (as kubeadm). */
    private void writeKubeconfig(Identity id, String server) throws IOException {
        String caData = b64(Files.readString(dir.resolve("ca.crt")));
        String certData = b64(Files.readString(dir.resolve(id.file() + ".crt")));
        String keyData = b64(Files.readString(dir.resolve(id.file() + ".key")));
        String user = id.user();
        String context = user + "@kubernetes";
        String yaml = """
                apiVersion: v1
                kind: Config
                clusters:
                - name: kubernetes
                  cluster:
                    certificate-authority-data: %s
                    server: %s
                contexts:
                - name: "%s"
                  context:
                    cluster: kubernetes
                    user: "%s"
                current-context: "%s"
                preferences: {}
                users:
                - name: "%s"
                  user:
                    client-certificate-data: %s
                    client-key-data: %s
                """.formatted(caData, server, context, user, context, user, certData, keyData);
        Path file = dir.resolve(id.file() + ".kubeconfig");
        if (!Files.exists(file) || !Files.readString(file).equals(yaml)) {
            write(file, yaml, true);
        }
    }

    private static String b64(String s) {
        return Base64.getEncoder().encodeToString(s.getBytes(StandardCharsets.UTF_8));
    }

    /** A new RSA 2048 key pair, kubeadm's default key type. */
    public static KeyPair rsa() throws GeneralSecurityException {
        KeyPairGenerator g = KeyPairGenerator.getInstance("RSA");
        g.initialize(2048, RANDOM);
        return g.generateKeyPair();
    }

    /** {@code CN=user, O=group...}, as Kubernetes' x509 authenticator reads it back (CommonNameUserConversion). */
    static X500Name subject(String cn, List<String> groups) {
        X500NameBuilder b = new X500NameBuilder(BCStyle.INSTANCE);
        for (String g : groups) {
            b.addRDN(BCStyle.O, g);
        }
        b.addRDN(BCStyle.CN, cn);
        return b.build();
    }

    static X509Certificate selfSignedCa(KeyPair kp) throws GeneralSecurityException, IOException {
        Instant now = Instant.now();
        X500Name name = subject("kubernetes", List.of());
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(name, serial(), Date.from(now.minus(BACKDATE)), Date.from(now.plus(CA_VALIDITY)), name, kp.getPublic());
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(true));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment | KeyUsage.keyCertSign));
        b.addExtension(Extension.subjectKeyIdentifier, false, ext.createSubjectKeyIdentifier(kp.getPublic()));
        return convert(b, kp.getPrivate());
    }

    /** A certificate for {@code key} signed by {@code issuer}: server auth with SANs, or client auth. */
    static X509Certificate sign(X509Certificate issuer, PrivateKey issuerKey, PublicKey key, X500Name subject, Instant notBefore, Instant notAfter,
                                boolean server, List<String> sans) throws GeneralSecurityException, IOException {
        X509v3CertificateBuilder b = new JcaX509v3CertificateBuilder(issuer, serial(), Date.from(notBefore), Date.from(notAfter), subject, key);
        JcaX509ExtensionUtils ext = new JcaX509ExtensionUtils();
        b.addExtension(Extension.basicConstraints, true, new BasicConstraints(false));
        b.addExtension(Extension.keyUsage, true, new KeyUsage(KeyUsage.digitalSignature | KeyUsage.keyEncipherment));
        b.addExtension(Extension.extendedKeyUsage, false, new ExtendedKeyUsage(server ? KeyPurposeId.id_kp_serverAuth : KeyPurposeId.id_kp_clientAuth));
        b.addExtension(Extension.authorityKeyIdentifier, false, ext.createAuthorityKeyIdentifier(issuer));
        if (!sans.isEmpty()) {
            List<GeneralName> names = new ArrayList<>();
            for (String san : sans) {
                if (IP.matcher(san).matches()) {
                    names.add(new GeneralName(GeneralName.iPAddress, new org.bouncycastle.asn1.DEROctetString(InetAddress.getByName(san).getAddress())));
                } else {
                    names.add(new GeneralName(GeneralName.dNSName, san));
                }
            }
            b.addExtension(Extension.subjectAlternativeName, false, new GeneralNames(names.toArray(GeneralName[]::new)));
        }
        return convert(b, issuerKey);
    }

    private static X509Certificate convert(X509v3CertificateBuilder b, PrivateKey signer) throws GeneralSecurityException {
        try {
            return new JcaX509CertificateConverter().getCertificate(b.build(new JcaContentSignerBuilder("SHA256withRSA").build(signer)));
        } catch (org.bouncycastle.operator.OperatorCreationException e) {
            throw new GeneralSecurityException(e);
        }
    }

    private static BigInteger serial() {
        // a random positive 63-bit serial, as Go's crypto/x509 users (kubeadm) draw one
        return new BigInteger(63, RANDOM).add(BigInteger.ONE);
    }

    /** PEM of a certificate, a private key (PKCS#1 for RSA, as kubeadm) or a public key. */
    public static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }

    /** The first certificate in a PEM file. */
    public static X509Certificate readCertificate(Path file) throws IOException {
        return parseCertificates(Files.readString(file)).getFirst();
    }

    /** Every certificate in a PEM text. */
    public static List<X509Certificate> parseCertificates(String pem) {
        try {
            CertificateFactory cf = CertificateFactory.getInstance("X.509");
            List<X509Certificate> out = new ArrayList<>();
            for (var c : cf.generateCertificates(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))) {
                out.add((X509Certificate) c);
            }
            return out;
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("not a PEM certificate: " + e.getMessage(), e);
        }
    }

    /** A private key from PEM (PKCS#1 or PKCS#8). */
    public static PrivateKey readPrivateKey(Path file) throws IOException {
        return parsePrivateKey(Files.readString(file));
    }

    /** A private key from PEM text (PKCS#1 or PKCS#8). */
    public static PrivateKey parsePrivateKey(String pem) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(pem))) {
            Object o = p.readObject();
            JcaPEMKeyConverter conv = new JcaPEMKeyConverter();
            if (o instanceof PEMKeyPair kp) {
                return conv.getKeyPair(kp).getPrivate();
            }
            if (o instanceof PrivateKeyInfo info) {
                return conv.getPrivateKey(info);
            }
            throw new IOException("no private key in the PEM text");
        }
    }

    /** A public key from PEM ({@code PUBLIC KEY}). */
    public static PublicKey readPublicKey(Path file) throws IOException {
        try (PEMParser p = new PEMParser(new StringReader(Files.readString(file)))) {
            Object o = p.readObject();
            if (o instanceof SubjectPublicKeyInfo info) {
                return new JcaPEMKeyConverter().getPublicKey(info);
            }
            throw new IOException("no public key in " + file);
        }
    }

    private static void write(Path file, String content, boolean secret) throws IOException {
        Path tmp = file.resolveSibling(file.getFileName() + ".tmp");
        Files.writeString(tmp, content);
        if (secret) {
            try {
                Files.setPosixFilePermissions(tmp, PosixFilePermissions.fromString("rw-------"));
            } catch (UnsupportedOperationException e) {
                // not a POSIX file system: the directory's permissions have to do
            }
        }
        Files.move(tmp, file, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
    }
}
