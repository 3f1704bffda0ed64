package io.kube4j.kubelet.certificate;

import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.X500NameBuilder;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.openssl.jcajce.JcaPEMWriter;
import org.bouncycastle.operator.OperatorCreationException;
import org.bouncycastle.operator.jcajce.JcaContentSignerBuilder;
import org.bouncycastle.pkcs.jcajce.JcaPKCS10CertificationRequestBuilder;

import java.io.IOException;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.List;

/**
 * The kubelet's client certificate request (Kubernetes' {@code requestNodeCertificate} and {@code digestedName} in
 * {@code pkg/kubelet/certificate/bootstrap/bootstrap.go}, {@code certutil.MakeCSR}, {@code keyutil.LoadOrGenerateKeyFile}):
 * an ECDSA P-256 key, a PKCS#10 request for {@code CN=system:node:<node>, O=system:nodes} without SANs, for the signer
 * {@code kubernetes.io/kube-apiserver-client-kubelet}, and the CSR object's name {@code node-csr-<digest>}, a digest of the
 * public key, subject and usages, so a restarted kubelet with the same pending key finds its earlier request again.
 *
 * @param node the Node's name
 */
public record NodeCertificateRequest(String node) {
    /** The organization every node client certificate carries (user.NodesGroup). */
    public static final String NODES_GROUP = "system:nodes";
    /** The user name prefix of nodes (Node authorizer's {@code system:node:}). */
    public static final String NODE_USER_PREFIX = "system:node:";
    /** The signer of kubelet client certificates (certificatesv1.KubeAPIServerClientKubeletSignerName). */
    public static final String SIGNER_NAME = "kubernetes.io/kube-apiserver-client-kubelet";
    /**
     * The usages asked for. Kubernetes' kubelet also asks for {@code key encipherment}; an ECDSA key cannot encipher, and
     * the approver and signer accept both sets (helpers.go kubeletClientRequiredUsagesNoRSA); kube4j asks for the ones the
     * key can serve.
     */
    public static final List<String> USAGES = List.of("digital signature", "client auth");

    /** {@code system:node:<node>}. */
    public String commonName() {
        return NODE_USER_PREFIX + node;
    }

    /**
     * BouncyCastle's provider makes the keys: its EC private keys keep the named curve and the public point, so their PEM
     * is the SEC1 {@code ECPrivateKey} with {@code [0] namedCurve} and {@code [1] publicKey} that Go's
     * {@code x509.MarshalECPrivateKey} writes and OpenSSL and Go's {@code tls.X509KeyPair} read. A SunEC key's encoding
     * carries neither, and a PEM of it is rejected ("tls: failed to parse private key").
     */
    public static final java.security.Provider PROVIDER = new org.bouncycastle.jce.provider.BouncyCastleProvider();

    /** A new ECDSA P-256 key pair (keyutil.MakeEllipticPrivateKeyPEM's curve), from {@link #PROVIDER}. */
    public static KeyPair generateKey() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC", PROVIDER);
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("cannot generate an EC P-256 key: " + e, e);
        }
    }

    /** The PKCS#10 request signed with {@code key}, as PEM {@code CERTIFICATE REQUEST}. */
    public String csrPem(KeyPair key) {
        X500Name subject = new X500NameBuilder(BCStyle.INSTANCE)
                .addRDN(BCStyle.O, NODES_GROUP)
                .addRDN(BCStyle.CN, commonName())
                .build();
        try {
            var request = new JcaPKCS10CertificationRequestBuilder(subject, key.getPublic())
                    .build(new JcaContentSignerBuilder("SHA256withECDSA").setProvider(PROVIDER).build(key.getPrivate()));
            return pem(request);
        } catch (OperatorCreationException e) {
            throw new IllegalStateException("unable to generate certificate request: " + e, e);
        }
    }

    /**
     * {@code node-csr-<base64url(SHA-512/256(...))>} over the base64url of the public key's DER, the CN, each O and each
     * usage, each followed by '|' (bootstrap.go {@code digestedName}).
     */
    public String name(PublicKey publicKey) {
        try {
            MessageDigest hash = MessageDigest.getInstance("SHA-512/256");
            Base64.Encoder encode = Base64.getUrlEncoder().withoutPadding();
            java.util.function.Consumer<byte[]> write = data -> {
                hash.update(encode.encode(data));
                hash.update((byte) '|');
            };
            write.accept(publicKey.getEncoded());
            write.accept(commonName().getBytes(StandardCharsets.UTF_8));
            write.accept(NODES_GROUP.getBytes(StandardCharsets.UTF_8));
            for (String usage : USAGES) {
                write.accept(usage.getBytes(StandardCharsets.UTF_8));
            }
            return "node-csr-" + encode.encodeToString(hash.digest());
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * The private key of {@code key} as PEM {@code EC PRIVATE KEY}: SEC1 with the named curve (prime256v1) and the public
     * key, as Go's {@code keyutil.MarshalPrivateKeyToPEM} / {@code x509.MarshalECPrivateKey} write it.
     *
     * @param key a pair from {@link #generateKey()} or read back with {@link #PROVIDER}
     * @throws IllegalArgumentException when the key's encoding lacks the curve or the public key (a key of another provider)
     */
    public static String privateKeyPem(KeyPair key) {
        var info = org.bouncycastle.asn1.pkcs.PrivateKeyInfo.getInstance(key.getPrivate().getEncoded());
        try {
            var sec1 = org.bouncycastle.asn1.sec.ECPrivateKey.getInstance(info.parsePrivateKey());
            if (sec1.getParametersObject() == null || sec1.getPublicKey() == null) {
                throw new IllegalArgumentException("the EC private key of provider " + key.getPrivate().getClass().getName()
                        + " does not encode its curve and public key; make it with NodeCertificateRequest.PROVIDER");
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return pem(key.getPrivate());
    }

    /** PEM of a BouncyCastle or JCA object (a request, a certificate, a private key as {@code EC PRIVATE KEY}). */
    public static String pem(Object o) {
        StringWriter sw = new StringWriter();
        try (JcaPEMWriter w = new JcaPEMWriter(sw)) {
            w.writeObject(o);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return sw.toString();
    }
}
