package io.kube4j.kubelet.server;

import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The kubelet's {@code Webhook} authorization mode (Kubernetes' {@code k8s.io/apiserver/plugin/pkg/authorizer/webhook}
 * as the kubelet configures it): each request's attributes are asked of the apiserver as an
 * {@code authorization.k8s.io/v1} SubjectAccessReview ({@code spec.resourceAttributes} verb, version v1, resource
 * nodes, subresource, name; {@code spec.user} and {@code spec.groups}), and {@code status.allowed} decides. Answers
 * are reused for {@code allowedTtl} when allowed and {@code deniedTtl} when denied (the kubelet's
 * {@code cacheAuthorizedTTL} 5 min and {@code cacheUnauthorizedTTL} 30 s), keyed by the review's spec as Kubernetes
 * keys its cache; at most {@value #MAX_ENTRIES} answers are kept.
 */
public final class WebhookAuthorizer implements KubeletAuthorizer {
    static final int MAX_ENTRIES = 1024;
    private static final String PATH = "/apis/authorization.k8s.io/v1/subjectaccessreviews";

    private final ApiClient client;
    private final Duration allowedTtl;
    private final Duration deniedTtl;
    private final Clock clock;
    private final Map<String, Entry> cache = new ConcurrentHashMap<>();

    private record Entry(boolean allowed, Instant expires) {
    }

    public WebhookAuthorizer(ApiClient client, Duration allowedTtl, Duration deniedTtl, Clock clock) {
        this.client = client;
        this.allowedTtl = allowedTtl;
        this.deniedTtl = deniedTtl;
        this.clock = clock;
    }

    @Override
    public boolean authorize(RequestAttributes a) {
        ObjectNode review = review(a);
        String key = review.path("spec").toString();
        Instant now = clock.instant();
        Entry cached = cache.get(key);
        if (cached != null && cached.expires().isAfter(now)) {
            return cached.allowed();
        }
        // an ApiException (apiserver down, 403 for the kubelet itself) propagates: "Authorization error", 500
        JsonNode answer = Json.tree(client.sendJson("POST", PATH, null, review.toString()));
        boolean allowed = answer.path("status").path("allowed").asBoolean(false);
        if (cache.size() >= MAX_ENTRIES) {
            evictExpired(now);
            if (cache.size() >= MAX_ENTRIES) {
                cache.clear();
            }
        }
        cache.put(key, new Entry(allowed, now.plus(allowed ? allowedTtl : deniedTtl)));
        return allowed;
    }

    /** The SubjectAccessReview sent for {@code a}. */
    static ObjectNode review(RequestAttributes a) {
        ObjectNode review = Json.mapper().createObjectNode();
        review.put("apiVersion", "authorization.k8s.io/v1");
        review.put("kind", "SubjectAccessReview");
        ObjectNode spec = review.putObject("spec");
        ObjectNode ra = spec.putObject("resourceAttributes");
        ra.put("verb", a.verb());
        ra.put("version", "v1");
        ra.put("resource", a.resource());
        ra.put("subresource", a.subresource());
        ra.put("name", a.name());
        spec.put("user", a.user().name());
        ArrayNode groups = spec.putArray("groups");
        a.user().groups().forEach(groups::add);
        return review;
    }

    private void evictExpired(Instant now) {
        for (Iterator<Entry> it = cache.values().iterator(); it.hasNext(); ) {
            if (!it.next().expires().isAfter(now)) {
                it.remove();
            }
        }
    }
}
