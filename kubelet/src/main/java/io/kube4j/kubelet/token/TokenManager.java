package io.kube4j.kubelet.token;

import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.DoubleSupplier;

/**
 * The kubelet's cache of bound ServiceAccount tokens for projected {@code serviceAccountToken} volume sources,
 * as Kubernetes' {@code pkg/kubelet/token/token_manager.go}: a token is requested with the TokenRequest API
 * ({@code POST /api/v1/namespaces/<ns>/serviceaccounts/<name>/token}, {@code boundObjectRef} = the pod), kept,
 * and requested again once within 20% of its lifetime of expiring (or 24 h after issue), minus a random jitter
 * of up to 10 s. When a refresh fails the cached token is served until it expires; with no usable token the
 * error is {@code failed to fetch token: <apiserver message>} (the caller turns it into a FailedMount event and
 * retries at its next sync; the apiserver is asked again only after a back-off of 500 ms doubling to 2 min 2 s,
 * Kubernetes' volume operation back-off, as the pod worker syncs every second). Tokens of deleted pods are dropped ({@link #deletePod}); expired ones are dropped
 * at every call (Kubernetes sweeps them every minute).
 */
public final class TokenManager {
    /** maxTTL: a token is refreshed at the latest this long after it was issued. */
    static final Duration MAX_TTL = Duration.ofHours(24);
    /** maxJitter. */
    static final Duration MAX_JITTER = Duration.ofSeconds(10);

    /** Sends one TokenRequest; answers the TokenRequest the apiserver returns. Throws ApiException on errors. */
    @FunctionalInterface
    public interface TokenRequester {
        /** POSTs {@code request} (a TokenRequest) for ServiceAccount {@code namespace/name}. */
        JsonNode request(String namespace, String name, ObjectNode request);
    }

    /** What a token is requested for: the cache key (Kubernetes' keyFunc). */
    public record TokenKey(String namespace, String serviceAccount, List<String> audiences, Long expirationSeconds,
                           String podName, String podUid) {
    }

    /** A token the apiserver issued, with its expiry. */
    public record Token(String token, Instant expirationTimestamp, long expirationSeconds) {
    }

    private final TokenRequester requester;
    private final Clock clock;
    private final DoubleSupplier random;
    private final Map<TokenKey, Token> cache = new ConcurrentHashMap<>();
    // keys whose last request failed with no usable token: not asked again before retryAt
    private final Map<TokenKey, Failure> failures = new ConcurrentHashMap<>();

    /** The last failure for a key, Kubernetes' volume operation back-off (500 ms doubling to 2 min 2 s). */
    private record Failure(String message, Instant retryAt, Duration delay) {
    }

    static final Duration INITIAL_RETRY = Duration.ofMillis(500);
    static final Duration MAX_RETRY = Duration.ofMinutes(2).plusSeconds(2);

    /** The manager of a kubelet talking to the apiserver through {@code client}. */
    public TokenManager(ApiClient client, Clock clock) {
        this((ns, name, body) -> Json.tree(client.sendJson("POST", "/api/v1/namespaces/" + enc(ns) + "/serviceaccounts/" + enc(name) + "/token",
                "application/json", Json.write(body))), clock, Math::random);
    }

    /** For tests: the requester, clock and jitter source (0 = no jitter) given. */
    public TokenManager(TokenRequester requester, Clock clock, DoubleSupplier random) {
        this.requester = requester;
        this.clock = clock;
        this.random = random;
    }

    private static String enc(String s) {
        return URLEncoder.encode(s, StandardCharsets.UTF_8);
    }

    /**
     * A token of {@code pod}'s ServiceAccount for {@code audience} (empty: the apiserver's own audiences)
     * and {@code expirationSeconds} (null: the apiserver's default), bound to the pod: Kubernetes' projected
     * volume plugin's TokenRequest plus GetServiceAccountToken.
     *
     * @throws TokenException {@code failed to fetch token: ...}, or {@code token <key> expired and refresh failed: ...}
     */
    public String serviceAccountToken(Pod pod, String audience, Long expirationSeconds) {
        String sa = pod.spec.serviceAccountName == null || pod.spec.serviceAccountName.isEmpty() ? "default" : pod.spec.serviceAccountName;
        List<String> audiences = audience == null || audience.isEmpty() ? List.of() : List.of(audience);
        TokenKey key = new TokenKey(pod.metadata.namespace, sa, audiences, expirationSeconds, pod.metadata.name, pod.metadata.uid);
        Instant now = clock.instant();
        cache.entrySet().removeIf(e -> !now.isBefore(e.getValue().expirationTimestamp()) && !e.getKey().equals(key));
        Token cached = cache.get(key);
        if (cached != null && !requiresRefresh(cached, now)) {
            return cached.token();
        }
        Failure failed = failures.get(key);
        if (cached == null && failed != null && now.isBefore(failed.retryAt())) {
            // the pod worker syncs every second: don't ask the apiserver again before the back-off says so
            throw new TokenException(failed.message());
        }
        try {
            Token fresh = request(key);
            cache.put(key, fresh);
            failures.remove(key);
            return fresh.token();
        } catch (ApiException | IllegalStateException e) {
            String why = e instanceof ApiException api && api.status() != null && api.status().message != null ? api.status().message : e.getMessage();
            if (cached == null) {
                String message = "failed to fetch token: " + why;
                Duration delay = failed == null ? INITIAL_RETRY : failed.delay().multipliedBy(2);
                if (delay.compareTo(MAX_RETRY) > 0) {
                    delay = MAX_RETRY;
                }
                failures.put(key, new Failure(message, now.plus(delay), delay));
                throw new TokenException(message);
            }
            if (!now.isBefore(cached.expirationTimestamp())) {
                cache.remove(key);
                throw new TokenException("token " + key + " expired and refresh failed: " + why);
            }
            // refresh failed but the token is still valid: keep serving it (Kubernetes logs "Couldn't update token")
            return cached.token();
        }
    }

    private Token request(TokenKey key) {
        ObjectNode body = Json.mapper().createObjectNode();
        body.put("apiVersion", "authentication.k8s.io/v1");
        body.put("kind", "TokenRequest");
        ObjectNode spec = body.putObject("spec");
        key.audiences().forEach(spec.putArray("audiences")::add);
        if (key.expirationSeconds() != null) {
            spec.put("expirationSeconds", key.expirationSeconds());
        }
        ObjectNode ref = spec.putObject("boundObjectRef");
        ref.put("apiVersion", "v1");
        ref.put("kind", "Pod");
        ref.put("name", key.podName());
        ref.put("uid", key.podUid());
        JsonNode answer = requester.request(key.namespace(), key.serviceAccount(), body);
        String token = answer.path("status").path("token").asString("");
        String expiration = answer.path("status").path("expirationTimestamp").asString("");
        if (token.isEmpty() || expiration.isEmpty()) {
            throw new IllegalStateException("the TokenRequest answer has no status.token or status.expirationTimestamp");
        }
        Instant exp = Instant.parse(expiration);
        // the lifetime granted (the apiserver may shorten or extend the one asked for)
        long seconds = answer.path("spec").path("expirationSeconds").asLong(Objects.requireNonNullElse(key.expirationSeconds(), 3600L));
        return new Token(token, exp, seconds);
    }

    /** requiresRefresh: 24 h after issue, or within 20% of the lifetime (minus jitter) of the expiry. */
    boolean requiresRefresh(Token t, Instant now) {
        Instant issued = t.expirationTimestamp().minusSeconds(t.expirationSeconds());
        Duration jitter = Duration.ofSeconds((long) (random.getAsDouble() * MAX_JITTER.toSeconds()));
        if (now.isAfter(issued.plus(MAX_TTL).minus(jitter))) {
            return true;
        }
        return now.isAfter(t.expirationTimestamp().minusSeconds(t.expirationSeconds() * 20 / 100).minus(jitter));
    }

    /** DeleteServiceAccountToken: forgets the tokens bound to the pod with this uid. */
    public void deletePod(String podUid) {
        cache.keySet().removeIf(k -> Objects.equals(k.podUid(), podUid));
        failures.keySet().removeIf(k -> Objects.equals(k.podUid(), podUid));
    }

    /** How many tokens are cached (for tests and metrics). */
    public int size() {
        return cache.size();
    }

    /** A token could not be had. */
    public static final class TokenException extends RuntimeException {
        /** A token failure with Kubernetes' message. */
        public TokenException(String message) {
            super(message);
        }
    }
}
