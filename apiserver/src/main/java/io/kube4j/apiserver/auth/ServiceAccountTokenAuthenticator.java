package io.kube4j.apiserver.auth;

import com.nimbusds.jose.JOSEException;
import com.nimbusds.jose.crypto.RSASSAVerifier;
import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;

import java.security.PublicKey;
import java.security.interfaces.RSAPublicKey;
import java.text.ParseException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Date;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.stream.Collectors;

/**
 * ServiceAccount JWTs (Kubernetes' {@code JWTTokenAuthenticator} with the bound-token validator,
 * pkg/serviceaccount/jwt.go and claims.go), checked in Kubernetes' order:
 * <ol>
 *   <li>a token that is not a JWT, or whose (unverified) {@code iss} is not this issuer, is not this
 *       source's (the next source is tried);</li>
 *   <li>the signature must verify with one of the public keys ({@code sa.pub});</li>
 *   <li>the token's audiences must intersect the target audiences (the API audiences, or a TokenReview's);
 *       a token without audiences is taken as for the API audiences ("legacy");</li>
 *   <li>{@code exp}/{@code nbf} with go-jose's one-minute leeway;</li>
 *   <li>the ServiceAccount must exist, not be deleted for over a minute, and have the claimed uid; a
 *       bound Secret or Pod likewise (a missing one: "service account token has been invalidated").</li>
 * </ol>
 * Any failure after step 1 is an {@link AuthenticationFailure} carrying Kubernetes' message. The user is
 * {@code system:serviceaccount:<ns>:<name>} with the ServiceAccount's uid, groups
 * {@code system:serviceaccounts} and {@code system:serviceaccounts:<ns>}, and extras
 * {@code authentication.kubernetes.io/pod-name}, {@code pod-uid}, {@code node-name}, {@code node-uid}
 * and {@code credential-id} ({@code JTI=<jti>}) as 1.32's {@code ServiceAccountInfo.UserInfo}.
 */
public final class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
    public static final String POD_NAME_KEY = "authentication.kubernetes.io/pod-name";
    public static final String POD_UID_KEY = "authentication.kubernetes.io/pod-uid";
    public static final String NODE_NAME_KEY = "authentication.kubernetes.io/node-name";
    public static final String NODE_UID_KEY = "authentication.kubernetes.io/node-uid";
    public static final String CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id";
    /** go-jose's {@code jwt.DefaultLeeway}. */
    static final Duration LEEWAY = Duration.ofMinutes(1);

    /** Reads the objects a token is bound to; null when absent. Must not be modified by the caller. */
    @FunctionalInterface
    public interface ObjectGetter {
        JsonNode get(ResourceType type, String namespace, String name);
    }

    /** A user and the audiences the token was accepted for (the intersection, as TokenReview reports it). */
    public record Result(UserInfo user, List<String> audiences) {
    }

    private final List<String> issuers;
    private final List<String> apiAudiences;
    private final List<RSASSAVerifier> verifiers;
    private final ObjectGetter getter;
    private final Clock clock;

    /**
     * @param issuers      the accepted {@code iss} values
     * @param apiAudiences this apiserver's audiences (Kubernetes' implicit audiences)
     * @param keys         the verifying keys (RSA)
     */
    public ServiceAccountTokenAuthenticator(List<String> issuers, List<String> apiAudiences, List<PublicKey> keys, ObjectGetter getter, Clock clock) {
        this.issuers = List.copyOf(issuers);
        this.apiAudiences = List.copyOf(apiAudiences);
        this.verifiers = keys.stream().map(k -> new RSASSAVerifier((RSAPublicKey) k)).toList();
        this.getter = getter;
        this.clock = clock;
    }

    /** Kubernetes' {@code serviceaccount.MakeUsername}. */
    public static String username(String namespace, String name) {
        return "system:serviceaccount:" + namespace + ":" + name;
    }

    /** Kubernetes' {@code serviceaccount.MakeGroupNames}. */
    public static List<String> groups(String namespace) {
        return List.of("system:serviceaccounts", "system:serviceaccounts:" + namespace);
    }

    @Override
    public Optional<UserInfo> authenticateToken(String token) {
        return authenticate(token, apiAudiences).map(Result::user);
    }

    /**
     * As {@link #authenticateToken}, for {@code targetAudiences} (a TokenReview's {@code spec.audiences});
     * empty when the token is not a ServiceAccount token of this issuer.
     *
     * @throws AuthenticationFailure when it is one but invalid
     */
    public Optional<Result> authenticate(String token, List<String> targetAudiences) {
        if (!hasCorrectIssuer(token)) {
            return Optional.empty();
        }
        SignedJWT jwt;
        JWTClaimsSet claims;
        try {
            jwt = SignedJWT.parse(token);
            claims = jwt.getJWTClaimsSet();
        } catch (ParseException e) {
            return Optional.empty();
        }
        boolean verified = false;
        for (RSASSAVerifier v : verifiers) {
            try {
                if (jwt.verify(v)) {
                    verified = true;
                    break;
                }
            } catch (JOSEException | IllegalStateException e) {
                // an unsupported algorithm: go-jose's error below
            }
        }
        if (!verified) {
            throw new AuthenticationFailure("square/go-jose: error in cryptographic primitive");
        }
        List<String> tokenAudiences = claims.getAudience() == null || claims.getAudience().isEmpty() ? apiAudiences : claims.getAudience();
        List<String> auds = tokenAudiences.stream().filter(targetAudiences::contains).toList();
        if (auds.isEmpty() && !apiAudiences.isEmpty()) {
            throw new AuthenticationFailure("token audiences " + goQuote(tokenAudiences) + " is invalid for the target audiences " + goQuote(targetAudiences));
        }
        return Optional.of(new Result(validate(claims), auds));
    }

    /** The bound-token validator (claims.go validator.Validate). */
    private UserInfo validate(JWTClaimsSet claims) {
        Instant now = clock.instant();
        // go-jose's Claims.ValidateWithLeeway order: nbf, exp, iat
        Date nbf = claims.getNotBeforeTime();
        if (nbf != null && now.plus(LEEWAY).isBefore(nbf.toInstant())) {
            throw new AuthenticationFailure("service account token is not valid yet");
        }
        Date exp = claims.getExpirationTime();
        if (exp != null && now.isAfter(exp.toInstant().plus(LEEWAY))) {
            throw new AuthenticationFailure("service account token has expired");
        }
        Date iat = claims.getIssueTime();
        if (iat != null && now.plus(LEEWAY).isBefore(iat.toInstant())) {
            throw new AuthenticationFailure("service account token is issued in the future");
        }
        JsonNode k8s = Json.mapper().valueToTree(claims.getClaim(ServiceAccountTokens.KUBERNETES_CLAIM) == null ? Map.of() : claims.getClaim(ServiceAccountTokens.KUBERNETES_CLAIM));
        String ns = k8s.path("namespace").asString("");
        String saName = k8s.path("serviceaccount").path("name").asString("");
        String saUid = k8s.path("serviceaccount").path("uid").asString("");
        Instant deletedBefore = now.minus(LEEWAY);
        JsonNode sa = getter.get(ResourceTypes.SERVICEACCOUNTS, ns, saName);
        if (sa == null) {
            throw new AuthenticationFailure("serviceaccounts \"" + saName + "\" not found");
        }
        if (deletedBefore(sa, deletedBefore)) {
            throw new AuthenticationFailure("service account " + ns + "/" + saName + " has been deleted");
        }
        String uid = sa.path("metadata").path("uid").asString("");
        if (!uid.equals(saUid)) {
            throw new AuthenticationFailure("service account UID (" + uid + ") does not match claim (" + saUid + ")");
        }
        JsonNode secretRef = k8s.get("secret");
        if (secretRef != null && secretRef.isObject()) {
            JsonNode secret = getter.get(ResourceTypes.SECRETS, ns, secretRef.path("name").asString(""));
            if (secret == null || deletedBefore(secret, deletedBefore)) {
                throw new AuthenticationFailure("service account token has been invalidated");
            }
            String sUid = secret.path("metadata").path("uid").asString("");
            if (!sUid.equals(secretRef.path("uid").asString(""))) {
                throw new AuthenticationFailure("secret UID (" + sUid + ") does not match service account secret ref claim (" + secretRef.path("uid").asString("") + ")");
            }
        }
        Map<String, List<String>> extra = new LinkedHashMap<>();
        JsonNode podRef = k8s.get("pod");
        if (podRef != null && podRef.isObject()) {
            JsonNode pod = getter.get(ResourceTypes.PODS, ns, podRef.path("name").asString(""));
            if (pod == null || deletedBefore(pod, deletedBefore)) {
                throw new AuthenticationFailure("service account token has been invalidated");
            }
            String pUid = pod.path("metadata").path("uid").asString("");
            if (!pUid.equals(podRef.path("uid").asString(""))) {
                throw new AuthenticationFailure("pod UID (" + pUid + ") does not match service account pod ref claim (" + podRef.path("uid").asString("") + ")");
            }
            extra.put(POD_NAME_KEY, List.of(podRef.path("name").asString("")));
            extra.put(POD_UID_KEY, List.of(pUid));
            JsonNode nodeRef = k8s.get("node");
            if (nodeRef != null && nodeRef.isObject()) {
                // for pod-bound tokens the node claims are only reported, not checked (ServiceAccountTokenPodNodeInfo)
                extra.put(NODE_NAME_KEY, List.of(nodeRef.path("name").asString("")));
                if (!nodeRef.path("uid").asString("").isEmpty()) {
                    extra.put(NODE_UID_KEY, List.of(nodeRef.path("uid").asString("")));
                }
            }
        }
        if (claims.getJWTID() != null && !claims.getJWTID().isEmpty()) {
            extra.put(CREDENTIAL_ID_KEY, List.of("JTI=" + claims.getJWTID()));
        }
        return new UserInfo(username(ns, saName), saUid, groups(ns), extra);
    }

    private static boolean deletedBefore(JsonNode obj, Instant limit) {
        String ts = obj.path("metadata").path("deletionTimestamp").asString("");
        return !ts.isEmpty() && Instant.parse(ts).isBefore(limit);
    }

    /**
     * jwt.go {@code hasCorrectIssuer}: whether the token looks like a JWT whose unverified payload names
     * one of our issuers, so other token sources keep tokens that are not ours.
     */
    private boolean hasCorrectIssuer(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return false;
        }
        try {
            JsonNode payload = Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
            return issuers.contains(payload.path("iss").asString(""));
        } catch (RuntimeException e) {
            return false;
        }
    }

    /** Go's {@code %q} of a string slice: {@code ["a" "b"]}. */
    static String goQuote(List<String> values) {
        List<String> q = new ArrayList<>();
        for (String v : values) {
            q.add("\"" + v.replace("\\", "\\\\").replace("\"", "\\\"") + "\"");
        }
        return q.stream().collect(Collectors.joining(" ", "[", "]"));
    }
}
