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
 *
 * <p>Legacy Secret-based tokens (issuer {@value #LEGACY_ISSUER}, made by the controller-manager's tokens
 * controller) are checked here too, with the same keys, as the legacy authenticator Kubernetes adds next to the
 * bound one ({@code pkg/kubeapiserver/authenticator/config.go} {@code newLegacyServiceAccountAuthenticator})
 * and its {@code legacyValidator} ({@code pkg/serviceaccount/legacy.go}, lookup on): the four claims must be
 * there and agree with {@code sub}; the Secret must exist, not be being deleted, and hold this very token; the
 * ServiceAccount must exist, not be being deleted, and have the claimed uid; a Secret labelled
 * {@value #INVALID_SINCE_LABEL_KEY} is refused. On success the Secret gets the label
 * {@value #LAST_USED_LABEL_KEY}{@code : <YYYY-MM-DD>} (UTC) unless it already says today or tomorrow
 * (LegacyServiceAccountTokenTracking, GA since 1.28 and always on in 1.32). Legacy tokens have no expiry.
 */
public final class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
    public static final String POD_NAME_KEY = "authentication.kubernetes.io/pod-name";
    public static final String POD_UID_KEY = "authentication.kubernetes.io/pod-uid";
    public static final String NODE_NAME_KEY = "authentication.kubernetes.io/node-name";
    public static final String NODE_UID_KEY = "authentication.kubernetes.io/node-uid";
    public static final String CREDENTIAL_ID_KEY = "authentication.kubernetes.io/credential-id";
    /** {@code serviceaccount.LegacyIssuer}: the issuer of Secret-based tokens. */
    public static final String LEGACY_ISSUER = "kubernetes/serviceaccount";
    /** {@code serviceaccount.LastUsedLabelKey}. */
    public static final String LAST_USED_LABEL_KEY = "kubernetes.io/legacy-token-last-used";
    /** {@code serviceaccount.InvalidSinceLabelKey}. */
    public static final String INVALID_SINCE_LABEL_KEY = "kubernetes.io/legacy-token-invalid-since";
    static final String LEGACY_NAMESPACE_CLAIM = "kubernetes.io/serviceaccount/namespace";
    static final String LEGACY_SECRET_NAME_CLAIM = "kubernetes.io/serviceaccount/secret.name";
    static final String LEGACY_SA_NAME_CLAIM = "kubernetes.io/serviceaccount/service-account.name";
    static final String LEGACY_SA_UID_CLAIM = "kubernetes.io/serviceaccount/service-account.uid";
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(ServiceAccountTokenAuthenticator.class);
    /** go-jose's {@code jwt.DefaultLeeway}. */
    static final Duration LEEWAY = Duration.ofMinutes(1);

    /** Reads the objects a token is bound to; null when absent. Must not be modified by the caller. */
    @FunctionalInterface
    public interface ObjectGetter {
        JsonNode get(ResourceType type, String namespace, String name);
    }

    /**
     * Writes the legacy-token-last-used label (the legacy validator's {@code secretsWriter} merge patch
     * {@code {"metadata":{"uid":<uid>,"labels":{LAST_USED_LABEL_KEY:<date>}}}}); failures are only logged.
     */
    @FunctionalInterface
    public interface SecretsWriter {
        void labelLastUsed(String namespace, String name, String uid, String date);
    }

    /** A user and the audiences the token was accepted for (the intersection, as TokenReview reports it). */
    public record Result(UserInfo user, List<String> audiences) {
    }

    private final List<String> issuers;
    private final List<String> apiAudiences;
    private final List<RSASSAVerifier> verifiers;
    private final ObjectGetter getter;
    private final SecretsWriter secretsWriter;
    private final Clock clock;

    /**
     * @param issuers      the accepted {@code iss} values
     * @param apiAudiences this apiserver's audiences (Kubernetes' implicit audiences)
     * @param keys         the verifying keys (RSA)
     */
    public ServiceAccountTokenAuthenticator(List<String> issuers, List<String> apiAudiences, List<PublicKey> keys, ObjectGetter getter, Clock clock) {
        this(issuers, apiAudiences, keys, getter, (ns, name, uid, date) -> { }, clock);
    }

    /**
     * @param secretsWriter labels a legacy token's Secret with its last-used date
     */
    public ServiceAccountTokenAuthenticator(List<String> issuers, List<String> apiAudiences, List<PublicKey> keys, ObjectGetter getter,
                                            SecretsWriter secretsWriter, Clock clock) {
        this.issuers = List.copyOf(issuers);
        this.apiAudiences = List.copyOf(apiAudiences);
        this.verifiers = keys.stream().map(k -> new RSASSAVerifier((RSAPublicKey) k)).toList();
        this.getter = getter;
        this.secretsWriter = secretsWriter;
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
        String issuer = unverifiedIssuer(token);
        boolean legacy = LEGACY_ISSUER.equals(issuer);
        if (!legacy && !issuers.contains(issuer)) {
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
        return Optional.of(new Result(legacy ? validateLegacy(token, claims) : validate(claims), auds));
    }

    /** legacy.go {@code legacyValidator.Validate} with lookup, and the last-used tracking. */
    private UserInfo validateLegacy(String token, JWTClaimsSet claims) {
        String sub = claims.getSubject() == null ? "" : claims.getSubject();
        if (sub.isEmpty()) {
            throw new AuthenticationFailure("sub claim is missing");
        }
        String namespace = stringClaim(claims, LEGACY_NAMESPACE_CLAIM);
        if (namespace.isEmpty()) {
            throw new AuthenticationFailure("namespace claim is missing");
        }
        String secretName = stringClaim(claims, LEGACY_SECRET_NAME_CLAIM);
        if (secretName.isEmpty()) {
            throw new AuthenticationFailure("secretName claim is missing");
        }
        String saName = stringClaim(claims, LEGACY_SA_NAME_CLAIM);
        if (saName.isEmpty()) {
            throw new AuthenticationFailure("serviceAccountName claim is missing");
        }
        String saUid = stringClaim(claims, LEGACY_SA_UID_CLAIM);
        if (saUid.isEmpty()) {
            throw new AuthenticationFailure("serviceAccountUID claim is missing");
        }
        // apiserverserviceaccount.SplitUsername: system:serviceaccount:<ns>:<name>, both non-empty
        String prefix = "system:serviceaccount:";
        String[] parts = sub.startsWith(prefix) ? sub.substring(prefix.length()).split(":", -1) : new String[0];
        if (parts.length != 2 || parts[0].isEmpty() || parts[1].isEmpty() || !parts[0].equals(namespace) || !parts[1].equals(saName)) {
            throw new AuthenticationFailure("sub claim is invalid");
        }
        // the token is invalidated by deleting its Secret
        JsonNode secret = getter.get(ResourceTypes.SECRETS, namespace, secretName);
        if (secret == null || !secret.path("metadata").path("deletionTimestamp").asString("").isEmpty()) {
            throw new AuthenticationFailure("Token has been invalidated");
        }
        byte[] stored;
        try {
            stored = Base64.getDecoder().decode(secret.path("data").path("token").asString(""));
        } catch (IllegalArgumentException e) {
            stored = new byte[0];
        }
        if (!java.security.MessageDigest.isEqual(stored, token.getBytes(java.nio.charset.StandardCharsets.UTF_8))) {
            throw new AuthenticationFailure("Token does not match server's copy");
        }
        JsonNode sa = getter.get(ResourceTypes.SERVICEACCOUNTS, namespace, saName);
        if (sa == null) {
            throw new AuthenticationFailure("serviceaccounts \"" + saName + "\" not found");
        }
        if (!sa.path("metadata").path("deletionTimestamp").asString("").isEmpty()) {
            throw new AuthenticationFailure("ServiceAccount " + namespace + "/" + saName + " has been deleted");
        }
        String uid = sa.path("metadata").path("uid").asString("");
        if (!uid.equals(saUid)) {
            throw new AuthenticationFailure("ServiceAccount UID (" + uid + ") does not match claim (" + saUid + ")");
        }
        if (!secret.path("metadata").path("labels").path(INVALID_SINCE_LABEL_KEY).asString("").isEmpty()) {
            patchSecretWithLastUsedDate(secret);
            throw new AuthenticationFailure("the token in secret " + namespace + "/" + secretName + " for service account " + namespace + "/" + saName
                    + " has been marked invalid. Use tokens from the TokenRequest API or manually created secret-based tokens, or remove the '"
                    + INVALID_SINCE_LABEL_KEY + "' label from the secret to temporarily allow use of this token");
        }
        patchSecretWithLastUsedDate(secret);
        return new UserInfo(username(namespace, saName), saUid, groups(namespace), Map.of());
    }

    /** legacy.go {@code patchSecretWithLastUsedDate}: at most once a day (UTC), today or tomorrow both count. */
    private void patchSecretWithLastUsedDate(JsonNode secret) {
        java.time.LocalDate today = java.time.LocalDate.ofInstant(clock.instant(), java.time.ZoneOffset.UTC);
        String lastUsed = secret.path("metadata").path("labels").path(LAST_USED_LABEL_KEY).asString("");
        if (lastUsed.equals(today.toString()) || lastUsed.equals(today.plusDays(1).toString())) {
            return;
        }
        JsonNode meta = secret.path("metadata");
        try {
            secretsWriter.labelLastUsed(meta.path("namespace").asString(""), meta.path("name").asString(""), meta.path("uid").asString(""), today.toString());
        } catch (RuntimeException e) {
            log.error("Failed to label legacy service account token {}/{} with last-used date, err: {}", meta.path("name").asString(""),
                    meta.path("namespace").asString(""), e.toString());
        }
    }

    private static String stringClaim(JWTClaimsSet claims, String name) {
        Object v = claims.getClaim(name);
        return v instanceof String str ? str : "";
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
        JsonNode boundNode = k8s.get("node");
        if ((podRef == null || !podRef.isObject()) && boundNode != null && boundNode.isObject()) {
            // a Node-bound token (ServiceAccountTokenNodeBindingValidation, beta and on since 1.30): valid only
            // while that Node exists with the same uid (claims.go Validate)
            String nodeName = boundNode.path("name").asString("");
            String claimUid = boundNode.path("uid").asString("");
            JsonNode node = getter.get(ResourceTypes.NODES, null, nodeName);
            if (node == null) {
                throw new AuthenticationFailure("service account token has been invalidated");
            }
            String nUid = node.path("metadata").path("uid").asString("");
            if (!nUid.equals(claimUid)) {
                throw new AuthenticationFailure("node UID (" + nUid + ") does not match service account node ref claim (" + claimUid + ")");
            }
            if (deletedBefore(node, deletedBefore)) {
                throw new AuthenticationFailure("service account token has been invalidated");
            }
            extra.put(NODE_NAME_KEY, List.of(nodeName));
            extra.put(NODE_UID_KEY, List.of(claimUid));
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
     * For jwt.go {@code hasCorrectIssuer}: the unverified {@code iss} of a token that looks like a JWT ("" when it
     * does not), so other token sources keep tokens that are not ours.
     */
    private static String unverifiedIssuer(String token) {
        String[] parts = token.split("\\.", -1);
        if (parts.length != 3) {
            return "";
        }
        try {
            JsonNode payload = Json.mapper().readTree(Base64.getUrlDecoder().decode(parts[1]));
            return payload.path("iss").asString("");
        } catch (RuntimeException e) {
            return "";
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
