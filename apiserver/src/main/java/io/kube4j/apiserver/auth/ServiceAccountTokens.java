package io.kube4j.apiserver.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.JWSAlgorithm;
import com.nimbusds.jose.JWSHeader;
import com.nimbusds.jose.crypto.RSASSASigner;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import tools.jackson.databind.JsonNode;

import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.interfaces.RSAPrivateKey;
import java.time.Instant;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;

/**
 * Issues ServiceAccount tokens: JWTs signed RS256 with the ServiceAccount key ({@code sa.key}), with the
 * key id Kubernetes derives from the public key. The claims are Kubernetes' ({@code pkg/serviceaccount/claims.go}
 * {@code Claims}, 1.32 with ServiceAccountTokenJTI and ServiceAccountTokenPodNodeInfo on):
 * {@code iss}, {@code sub} ({@code system:serviceaccount:<ns>:<name>}), {@code aud}, {@code exp},
 * {@code iat}, {@code nbf}, {@code jti} (a random UUID), and {@code kubernetes.io} with
 * {@code namespace}, {@code serviceaccount {name, uid}}, the bound {@code pod} or {@code secret}
 * {@code {name, uid}}, the pod's {@code node {name, uid}} and {@code warnafter} when the expiry was extended.
 */
public final class ServiceAccountTokens {
    /** Kubernetes' WarnOnlyBoundTokenExpirationSeconds: what the kubelet asks for; extended to a year. */
    public static final long WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS = 60 * 60 + 7;
    /** Kubernetes' ExpirationExtensionSeconds: one year. */
    public static final long EXPIRATION_EXTENSION_SECONDS = 24L * 365 * 60 * 60;
    /** The private claim holding the Kubernetes facts. */
    public static final String KUBERNETES_CLAIM = "kubernetes.io";

    private final String issuer;
    private final RSASSASigner signer;
    private final String keyId;
    private final PublicKey publicKey;

    /** Signs with {@code keys.getPrivate()} (RSA) as {@code issuer}. */
    public ServiceAccountTokens(String issuer, KeyPair keys) {
        this.issuer = issuer;
        this.publicKey = keys.getPublic();
        this.signer = new RSASSASigner((RSAPrivateKey) keys.getPrivate());
        this.keyId = keyId(keys.getPublic());
    }

    public String issuer() {
        return issuer;
    }

    /** The key that verifies the tokens signed here. */
    public PublicKey publicKey() {
        return publicKey;
    }

    /**
     * The claims of a token for ServiceAccount {@code sa}, bound to {@code pod} (with its {@code node}),
     * {@code secret} or, with neither, {@code node} (each may be null), valid {@code expirationSeconds} from {@code now}; a non-zero
     * {@code warnAfterSeconds} adds {@code kubernetes.io.warnafter}.
     */
    public JWTClaimsSet claims(JsonNode sa, JsonNode pod, JsonNode node, JsonNode secret, long expirationSeconds, long warnAfterSeconds,
                               List<String> audiences, Instant now) {
        String ns = sa.path("metadata").path("namespace").asString("");
        String name = sa.path("metadata").path("name").asString("");
        Map<String, Object> k8s = new LinkedHashMap<>();
        k8s.put("namespace", ns);
        k8s.put("serviceaccount", ref(sa));
        if (pod != null) {
            k8s.put("pod", ref(pod));
            if (node != null) {
                k8s.put("node", ref(node));
            }
        } else if (secret != null) {
            k8s.put("secret", ref(secret));
        } else if (node != null) {
            // a Node-bound token (ServiceAccountTokenNodeBinding): the node claim alone
            k8s.put("node", ref(node));
        }
        if (warnAfterSeconds != 0) {
            k8s.put("warnafter", now.plusSeconds(warnAfterSeconds).getEpochSecond());
        }
        Instant seconds = Instant.ofEpochSecond(now.getEpochSecond());
        return new JWTClaimsSet.Builder()
                .issuer(issuer)
                .subject(ServiceAccountTokenAuthenticator.username(ns, name))
                .audience(audiences)
                .expirationTime(Date.from(seconds.plusSeconds(expirationSeconds)))
                .issueTime(Date.from(seconds))
                .notBeforeTime(Date.from(seconds))
                .jwtID(UUID.randomUUID().toString())
                .claim(KUBERNETES_CLAIM, k8s)
                .build();
    }

    private static Map<String, Object> ref(JsonNode obj) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("name", obj.path("metadata").path("name").asString(""));
        r.put("uid", obj.path("metadata").path("uid").asString(""));
        return r;
    }

    /** The compact JWS of {@code claims}, header {@code {"alg":"RS256","kid":...}} as Kubernetes' signer writes it. */
    public String sign(JWTClaimsSet claims) {
        SignedJWT jwt = new SignedJWT(new JWSHeader.Builder(JWSAlgorithm.RS256).keyID(keyId).build(), claims);
        try {
            jwt.sign(signer);
        } catch (JOSEException e) {
            throw new IllegalStateException("cannot sign a ServiceAccount token", e);
        }
        return jwt.serialize();
    }

    /**
     * Kubernetes' {@code keyIDFromPublicKey} (pkg/serviceaccount/jwt.go): the unpadded base64url SHA-256
     * of the PKIX (DER) encoding of the public key.
     */
    public static String keyId(PublicKey key) {
        try {
            byte[] digest = MessageDigest.getInstance("SHA-256").digest(key.getEncoded());
            return Base64.getUrlEncoder().withoutPadding().encodeToString(digest);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
