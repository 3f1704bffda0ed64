package io.kube4j.apiserver.auth;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.time.Clock;
import java.time.Instant;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeSet;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Bootstrap tokens (Kubernetes' {@code plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go}, kube-apiserver's
 * {@code --enable-bootstrap-token-auth}): a bearer token {@code <id>.<secret>} ({@code [a-z0-9]{6}.[a-z0-9]{16}}) is
 * matched to the Secret {@code kube-system/bootstrap-token-<id>} of type {@code bootstrap.kubernetes.io/token}. The
 * token is accepted only when that Secret is not being deleted, its {@code token-secret} equals the token's secret
 * (compared in constant time), its {@code token-id} equals the id, its optional {@code expiration} (RFC 3339) lies in
 * the future (an unparseable one counts as expired), it has {@code usage-bootstrap-authentication=true}, and every
 * group of its optional {@code auth-extra-groups} (comma-separated) matches
 * {@code system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]}. The user is {@code system:bootstrap:<id>} with the groups
 * {@code system:bootstrappers} and the extra groups, deduplicated and sorted (cluster-bootstrap's GetGroups).
 *
 * <p>A token that fails any check is not this source's (empty), as Kubernetes returns "not authenticated" rather than
 * an error: the bearer-token union then answers 401 when no other source accepts it.
 */
public final class BootstrapTokenAuthenticator implements TokenAuthenticator {
    private static final Logger log = LoggerFactory.getLogger(BootstrapTokenAuthenticator.class);

    /** bootstrapapi.BootstrapTokenPattern. */
    static final Pattern TOKEN = Pattern.compile("^([a-z0-9]{6})\\.([a-z0-9]{16})$");
    /** bootstrapapi.BootstrapGroupPattern. */
    static final Pattern GROUP = Pattern.compile("^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$");
    /** bootstrapapi.BootstrapTokenSecretPrefix. */
    public static final String SECRET_PREFIX = "bootstrap-token-";
    /** bootstrapapi.SecretTypeBootstrapToken. */
    public static final String SECRET_TYPE = "bootstrap.kubernetes.io/token";
    /** bootstrapapi.BootstrapUserPrefix. */
    public static final String USER_PREFIX = "system:bootstrap:";
    /** bootstrapapi.BootstrapDefaultGroup. */
    public static final String DEFAULT_GROUP = "system:bootstrappers";
    /** The namespace the Secrets live in (the lister Kubernetes gives the authenticator). */
    public static final String NAMESPACE = "kube-system";

    /** Reads {@code kube-system/<name>} Secrets (as JSON, null when absent); must not be modified. */
    private final Function<String, JsonNode> secrets;
    private final Clock clock;

    /**
     * @param secrets looks up a Secret of {@value #NAMESPACE} by name, null when absent
     * @param clock   the time expirations are compared with
     */
    public BootstrapTokenAuthenticator(Function<String, JsonNode> secrets, Clock clock) {
        this.secrets = secrets;
        this.clock = clock;
    }

    @Override
    public Optional<UserInfo> authenticateToken(String token) {
        Matcher m = TOKEN.matcher(token);
        if (!m.matches()) {
            // not of the bootstrap token form: not ours
            return Optional.empty();
        }
        String tokenId = m.group(1);
        String tokenSecret = m.group(2);
        String secretName = SECRET_PREFIX + tokenId;
        JsonNode secret = secrets.apply(secretName);
        if (secret == null) {
            log.debug("No secret of name {} to match bootstrap bearer token", secretName);
            return Optional.empty();
        }
        if (!secret.path("metadata").path("deletionTimestamp").isMissingNode() && !secret.path("metadata").path("deletionTimestamp").isNull()) {
            debug(secretName, "is deleted and awaiting removal");
            return Optional.empty();
        }
        if (!SECRET_TYPE.equals(secret.path("type").asString("")) || !secret.path("data").isObject()) {
            debug(secretName, "has invalid type, expected " + SECRET_TYPE + ".");
            return Optional.empty();
        }
        String ts = data(secret, "token-secret");
        if (!MessageDigest.isEqual(ts.getBytes(StandardCharsets.UTF_8), tokenSecret.getBytes(StandardCharsets.UTF_8))) {
            debug(secretName, "has invalid value for key token-secret.");
            return Optional.empty();
        }
        if (!tokenId.equals(data(secret, "token-id"))) {
            debug(secretName, "has invalid value for key token-id, expected " + tokenId + ".");
            return Optional.empty();
        }
        if (hasExpired(secret, clock.instant())) {
            debug(secretName, "has expired.");
            return Optional.empty();
        }
        if (!"true".equals(data(secret, "usage-bootstrap-authentication"))) {
            debug(secretName, "not marked usage-bootstrap-authentication=true.");
            return Optional.empty();
        }
        TreeSet<String> groups = new TreeSet<>();
        groups.add(DEFAULT_GROUP);
        String extra = data(secret, "auth-extra-groups");
        if (!extra.isEmpty()) {
            for (String group : extra.split(",", -1)) {
                if (!GROUP.matcher(group).matches()) {
                    debug(secretName, "has invalid value for key auth-extra-groups: bootstrap group \"" + group
                            + "\" is invalid (must match \\Asystem:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]\\z).");
                    return Optional.empty();
                }
                groups.add(group);
            }
        }
        return Optional.of(new UserInfo(USER_PREFIX + tokenId, "", List.copyOf(groups), Map.of()));
    }

    /**
     * cluster-bootstrap's HasExpired: no {@code expiration} never expires; an unparseable one counts as expired;
     * else expired when it is not after {@code now}.
     */
    static boolean hasExpired(JsonNode secret, Instant now) {
        String expiration = data(secret, "expiration");
        if (expiration.isEmpty()) {
            return false;
        }
        try {
            return !OffsetDateTime.parse(expiration).toInstant().isAfter(now);
        } catch (DateTimeParseException e) {
            return true;
        }
    }

    /** bootstrapsecretutil.GetData: the decoded value of a data key, "" when absent or not base64. */
    static String data(JsonNode secret, String key) {
        JsonNode v = secret.path("data").get(key);
        if (v == null || !v.isString()) {
            return "";
        }
        try {
            return new String(Base64.getDecoder().decode(v.asString()), StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static void debug(String secretName, String what) {
        log.debug("Bootstrap secret {}/{} matching bearer token {}", NAMESPACE, secretName, what);
    }
}
