package io.kube4j.kubelet.server;

import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.security.GeneralSecurityException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Bearer tokens checked by the apiserver (Kubernetes' {@code k8s.io/apiserver/plugin/pkg/authenticator/token/webhook}
 * behind {@code bearertoken.Authenticator}, as the kubelet builds them with {@code --authentication-token-webhook}):
 * an {@code authentication.k8s.io/v1} TokenReview per token; {@code status.authenticated} gives the user
 * ({@code status.user.username} and {@code groups}), anything else is an invalid token (401). Both answers are
 * reused for {@code cacheTtl} (the kubelet's {@code --authentication-token-webhook-cache-ttl}, 2 min, for both),
 * keyed by the token; at most {@value #MAX_ENTRIES} answers are kept.
 */
public final class TokenReviewAuthenticator {
    static final int MAX_ENTRIES = 1024;
    private static final String PATH = "/apis/authentication.k8s.io/v1/tokenreviews";

    private final ApiClient client;
    private final Duration cacheTtl;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    // user null: the token was refused, with error
    private record Entry(User user, String error, Instant expires) {
    }

    public TokenReviewAuthenticator(ApiClient client, Duration cacheTtl, Clock clock) {
        this.client = client;
        this.cacheTtl = cacheTtl;
        this.clock = clock;
    }

    /**
     * The user of {@code Authorization: Bearer <token>}; empty without such a header (not this authenticator's).
     *
     * @throws GeneralSecurityException when the apiserver does not authenticate the token
     */
    public Optional<User> authenticate(String authorizationHeader) throws GeneralSecurityException {
        String token = token(authorizationHeader);
        if (token == null) {
            return Optional.empty();
        }
        Instant now = clock.instant();
        Entry e = cache.get(token);
        if (e == null || !e.expires().isAfter(now)) {
            e = review(token, now);
            if (cache.size() >= MAX_ENTRIES) {
                evictExpired(now);
                if (cache.size() >= MAX_ENTRIES) {
                    cache.clear();
                }
            }
            cache.put(token, e);
        }
        if (e.user() == null) {
            throw new GeneralSecurityException(e.error());
        }
        return Optional.of(e.user());
    }

    // bearertoken.go: "Bearer <token>", the scheme case-insensitive; anything else is not handled
    static String token(String header) {
        if (header == null) {
            return null;
        }
        String[] parts = header.strip().split(" ", 3);
        if (parts.length < 2 || !parts[0].equalsIgnoreCase("bearer") || parts[1].isEmpty()) {
            return null;
        }
        return parts[1];
    }

    private Entry review(String token, Instant now) {
        ObjectNode review = Json.mapper().createObjectNode();
        review.put("apiVersion", "authentication.k8s.io/v1");
        review.put("kind", "TokenReview");
        review.putObject("spec").put("token", token);
        // an ApiException (apiserver unreachable) propagates: the request fails, nothing is cached
        JsonNode status = Json.tree(client.sendJson("POST", PATH, null, review.toString())).path("status");
        Instant expires = now.plus(cacheTtl);
        if (!status.path("authenticated").asBoolean(false)) {
            // bearertoken.go's default error when the authenticator gives none
            String error = status.path("error").asString("");
            return new Entry(null, error.isEmpty() ? "invalid bearer token" : error, expires);
        }
        List<String> groups = new ArrayList<>();
        status.path("user").path("groups").forEach(g -> groups.add(g.asString()));
        return new Entry(new User(status.path("user").path("username").asString(), groups), null, expires);
    }

    private void evictExpired(Instant now) {
        for (Iterator<Entry> it = cache.values().iterator(); it.hasNext(); ) {
            if (!it.next().expires().isAfter(now)) {
                it.remove();
            }
        }
    }
}
