package io.kube4j.kubelet.certificate;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.cert.X509Certificate;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * A set of pinned public keys in kubeadm's {@code --discovery-token-ca-cert-hash} format: {@code sha256:<hex>}, the
 * SHA-256 of the certificate's DER {@code SubjectPublicKeyInfo} (RFC 7469 style). The hash of a cluster CA is what
 * {@code openssl x509 -pubkey -in ca.crt | openssl rsa -pubin -outform der | openssl dgst -sha256 -hex} prints.
 * Kubernetes: {@code cmd/kubeadm/app/util/pubkeypin/pubkeypin.go} (same messages).
 */
public final class PublicKeyPins {
    private static final String FORMAT_SHA256 = "sha256";
    private static final String SUPPORTED_FORMATS = FORMAT_SHA256;

    // lower-case hex of the pinned SHA-256 hashes
    private final Set<String> sha256Hashes = new LinkedHashSet<>();

    /**
     * Adds pins.
     *
     * @throws IllegalArgumentException with kubeadm's message for a hash not of the form {@code sha256:<64 hex digits>}
     */
    public PublicKeyPins allow(String... pubKeyHashes) {
        for (String pubKeyHash : pubKeyHashes) {
            String[] parts = pubKeyHash.split(":", -1);
            if (parts.length != 2) {
                throw new IllegalArgumentException("invalid hash, expected \"format:hex-value\". Known format(s) are: " + SUPPORTED_FORMATS);
            }
            String format = parts[0];
            String value = parts[1];
            if (!format.toLowerCase(Locale.ROOT).equals(FORMAT_SHA256)) {
                throw new IllegalArgumentException("unknown hash format \"" + format + "\". Known format(s) are: " + SUPPORTED_FORMATS);
            }
            // hex.DecodedLen: half the characters, rounded down
            int length = value.length() / 2;
            if (length != 32) {
                throw new IllegalArgumentException("invalid hash \"" + pubKeyHash + "\", expected a 32 byte SHA-256 hash, found " + length + " bytes");
            }
            try {
                HexFormat.of().parseHex(value);
            } catch (IllegalArgumentException e) {
                throw new IllegalArgumentException("invalid hash \"" + pubKeyHash + "\", could not decode SHA-256 from hex: " + e.getMessage(), e);
            }
            sha256Hashes.add(value.toLowerCase(Locale.ROOT));
        }
        return this;
    }

    /** Whether no key is pinned. */
    public boolean isEmpty() {
        return sha256Hashes.isEmpty();
    }

    /**
     * Passes when at least one of {@code certificates} has a pinned public key.
     *
     * @throws IllegalArgumentException {@code none of the public keys "sha256:..." are pinned} (kubeadm's CheckAny), listing
     *                                  the hashes found, joined by ':' as kubeadm does
     */
    public void checkAny(List<X509Certificate> certificates) {
        List<String> hashes = new ArrayList<>();
        for (X509Certificate certificate : certificates) {
            String hash = hash(certificate);
            if (sha256Hashes.contains(hash.substring(FORMAT_SHA256.length() + 1))) {
                return;
            }
            hashes.add(hash);
        }
        throw new IllegalArgumentException("none of the public keys \"" + String.join(":", hashes) + "\" are pinned");
    }

    /** {@code sha256:<lower-case hex>} of the certificate's DER SubjectPublicKeyInfo (kubeadm's {@code pubkeypin.Hash}). */
    public static String hash(X509Certificate certificate) {
        try {
            // the SubjectPublicKeyInfo exactly as in the certificate's DER (Go's RawSubjectPublicKeyInfo), not as the JDK
            // would re-encode the key
            byte[] spki = org.bouncycastle.asn1.x509.Certificate.getInstance(certificate.getEncoded()).getSubjectPublicKeyInfo().getEncoded("DER");
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(spki);
            return FORMAT_SHA256 + ":" + HexFormat.of().formatHex(digest);
        } catch (NoSuchAlgorithmException | java.security.cert.CertificateEncodingException | java.io.IOException e) {
            throw new IllegalStateException("cannot hash the public key of " + certificate.getSubjectX500Principal() + ": " + e, e);
        }
    }
}
