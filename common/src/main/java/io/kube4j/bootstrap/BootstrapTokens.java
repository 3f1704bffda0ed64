package io.kube4j.bootstrap;

import io.kube4j.api.Secret;

import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;

/**
 * Bootstrap token helpers shared by the controller-manager (bootstrap signer, token cleaner) and the kubelet (discovery):
 * the names of k8s.io/cluster-bootstrap's {@code token/api}, its {@code util/secrets} readers and its {@code token/jws}
 * detached signatures of {@code kube-public/cluster-info}.
 *
 * <p>The signature is a JWS (RFC 7515) with the protected header {@code {"alg":"HS256","kid":"<token-id>"}} (go-jose writes
 * the header's keys sorted), HMAC-SHA256 keyed with the token secret's bytes, serialized compactly with the payload left
 * out: {@code <header>..<signature>} (RFC 7515 appendix F). It is computed with the JDK's HmacSHA256 rather than
 * nimbus-jose-jwt: nimbus' MACSigner refuses keys shorter than 256 bits (RFC 7518 section 3.2) and a token secret has 16
 * characters (128 bits), which go-jose accepts.
 */
public final class BootstrapTokens {
    /** bootstrapapi.SecretTypeBootstrapToken. */
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    /** bootstrapapi.BootstrapTokenSecretPrefix. */
    public static final String SECRET_PREFIX = "bootstrap-token-";
    /** The namespace of the token Secrets (metav1.NamespaceSystem). */
    public static final String NAMESPACE = "kube-system";
    /** bootstrapapi.ConfigMapClusterInfo, in kube-public. */
    public static final String CLUSTER_INFO = "cluster-info";
    public static final String CLUSTER_INFO_NAMESPACE = "kube-public";
    /** bootstrapapi.KubeConfigKey. */
    public static final String KUBECONFIG_KEY = "kubeconfig";
    /** bootstrapapi.JWSSignatureKeyPrefix. */
    public static final String JWS_SIGNATURE_KEY_PREFIX = "jws-kubeconfig-";
    public static final String TOKEN_ID_KEY = "token-id";
    public static final String TOKEN_SECRET_KEY = "token-secret";
    public static final String EXPIRATION_KEY = "expiration";
    public static final String USAGE_SIGNING_KEY = "usage-bootstrap-signing";

    private BootstrapTokens() {
    }

    /**
     * jws.ComputeDetachedSignature: the detached JWS of {@code content} for the token.
     *
     * @return {@code base64url(header) + ".." + base64url(HMAC-SHA256(secret, base64url(header) + "." + base64url(content)))}
     */
    public static String computeDetachedSignature(String content, String tokenId, String tokenSecret) {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        // go-jose marshals its header map with sorted keys; the tokenId is [a-z0-9]{6} for real tokens, escaped anyway
        String header = b64.encodeToString(("{\"alg\":\"HS256\",\"kid\":\"" + jsonEscape(tokenId) + "\"}").getBytes(StandardCharsets.UTF_8));
        String signingInput = header + "." + b64.encodeToString(content.getBytes(StandardCharsets.UTF_8));
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            // an empty secret is allowed by go-jose; SecretKeySpec is not, so key an empty HMAC through a one-byte spec's init
            mac.init(tokenSecret.isEmpty() ? new EmptyKey() : new SecretKeySpec(tokenSecret.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
            return header + ".." + b64.encodeToString(mac.doFinal(signingInput.getBytes(StandardCharsets.US_ASCII)));
        } catch (GeneralSecurityException e) {
            throw new IllegalStateException("can't HS256-sign the given token: " + e, e);
        }
    }

    /** jws.DetachedTokenIsValid: the detached signature is the one the token computes for the content (compared in constant time). */
    public static boolean detachedTokenIsValid(String detachedToken, String content, String tokenId, String tokenSecret) {
        String expected = computeDetachedSignature(content, tokenId, tokenSecret);
        return detachedToken != null && MessageDigest.isEqual(expected.getBytes(StandardCharsets.US_ASCII), detachedToken.getBytes(StandardCharsets.US_ASCII));
    }

    /** bootstrapsecretutil.GetData: the decoded value of a data key, "" when absent or not base64. */
    public static String data(Secret secret, String key) {
        String v = secret.data == null ? null : secret.data.get(key);
        if (v == null) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(v), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    /** bootstrapsecretutil.ParseName: the token id of {@code bootstrap-token-<id>} with a valid id, else null. */
    public static String parseName(String name) {
        if (name == null || !name.startsWith(SECRET_PREFIX)) {
            return null;
        }
        String id = name.substring(SECRET_PREFIX.length());
        return id.matches("[a-z0-9]{6}") ? id : null;
    }

    /**
     * The {@code expiration} of a token Secret: null when absent; {@link Instant#MIN} when it does not parse as RFC 3339
     * (cluster-bootstrap then treats the token as expired).
     */
    public static Instant expiration(Secret secret) {
        String expiration = data(secret, EXPIRATION_KEY);
        if (expiration.isEmpty()) {
            return null;
        }
        try {
            return OffsetDateTime.parse(expiration).toInstant();
        } catch (DateTimeParseException e) {
            return Instant.MIN;
        }
    }

    /** bootstrapsecretutil.HasExpired: expired when an {@code expiration} is set and {@code now} is not before it. */
    public static boolean hasExpired(Secret secret, Instant now) {
        Instant at = expiration(secret);
        return at != null && !now.isBefore(at);
    }

    private static String jsonEscape(String s) {
        return s.replace("\\", "\\\\").replace("\"", "\\\"");
    }

    /** The empty HMAC key go-jose accepts and SecretKeySpec refuses to be built with. */
    private static final class EmptyKey implements javax.crypto.SecretKey {
        @Override
        public String getAlgorithm() {
            return "HmacSHA256";
        }

        @Override
        public String getFormat() {
            return "RAW";
        }

        @Override
        public byte[] getEncoded() {
            return new byte[0];
        }
    }
}
