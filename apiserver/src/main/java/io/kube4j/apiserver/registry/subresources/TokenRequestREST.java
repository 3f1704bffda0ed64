package io.kube4j.apiserver.registry.subresources;

import com.nimbusds.jwt.JWTClaimsSet;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Status;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.auth.ServiceAccountTokens;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * {@code POST serviceaccounts/{name}/token}: the TokenRequest API (authentication.k8s.io/v1), as
 * Kubernetes' {@code pkg/registry/core/serviceaccount/storage/token.go} TokenREST.Create:
 * <ul>
 *   <li>{@code metadata.name}/{@code namespace} in the body must match the URL when set (422);</li>
 *   <li>the ServiceAccount must exist (404);</li>
 *   <li>{@code spec.audiences} defaults to the API audiences, {@code spec.expirationSeconds} to 3600, and
 *       must be at least 600 and at most 2^32 (422, ValidateTokenRequest);</li>
 *   <li>{@code spec.boundObjectRef} may name a Pod (which must run as this ServiceAccount, 400 otherwise),
 *       a Node (ServiceAccountTokenNodeBinding, beta and on in 1.32) or a Secret in the namespace (404 when
 *       absent); another kind is 400; a uid that differs from the object's is 409;</li>
 *   <li>a requested expiry above {@code --service-account-max-token-expiration} is shortened with a
 *       warning; a pod-bound request for exactly 3607 s (the kubelet's) is issued for a year with
 *       {@code warnafter} at 3607 s (extend-token-expiration);</li>
 *   <li>the answer is the TokenRequest with {@code status.token} and {@code status.expirationTimestamp}
 *       (now plus the expiry the client asked for).</li>
 * </ul>
 */
@Component
public class TokenRequestREST {
    static final long MIN_EXPIRATION_SECONDS = 10 * 60;
    static final long MAX_EXPIRATION_SECONDS = 1L << 32;
    private static final String GROUP = "authentication.k8s.io";

    private final Registry registry;
    private final ServiceAccountTokens tokens;
    private final ApiServerProperties.Security security;
    private final Clock clock;

    @org.springframework.beans.factory.annotation.Autowired
    public TokenRequestREST(Registry registry, ServiceAccountTokens tokens, ApiServerProperties props) {
        this(registry, tokens, props.security(), Clock.systemUTC());
    }

    TokenRequestREST(Registry registry, ServiceAccountTokens tokens, ApiServerProperties.Security security, Clock clock) {
        this.registry = registry;
        this.tokens = tokens;
        this.security = security;
        this.clock = clock;
    }

    /**
     * Issues a token for ServiceAccount {@code namespace/name}.
     *
     * @param request the TokenRequest body
     * @param warn    receives warnings (the shortened expiry) for the response's Warning header
     * @return the TokenRequest with its status filled in
     */
    public ObjectNode create(String namespace, String name, ObjectNode request, Consumer<String> warn) {
        // admission first (NodeRestriction: a node asks only for tokens bound to its own pods), as Kubernetes'
        // handler admits the TokenRequest before the token REST runs
        registry.admitSubresourceOrDelete(new io.kube4j.apiserver.registry.Admission.Attributes(io.kube4j.apiserver.registry.Admission.Operation.CREATE,
                ResourceTypes.SERVICEACCOUNTS, namespace, name, request, null, "token"));
        ObjectNode out = request.deepCopy();
        out.put("apiVersion", GROUP + "/v1");
        out.put("kind", "TokenRequest");
        ObjectNode meta = out.has("metadata") && out.get("metadata").isObject() ? (ObjectNode) out.get("metadata") : out.putObject("metadata");
        String bodyName = meta.path("name").asString("");
        if (!bodyName.isEmpty() && !bodyName.equals(name)) {
            throw ApiError.invalid(GROUP, "TokenRequest", name, List.of(new Status.Cause("FieldValueInvalid",
                    "Invalid value: \"" + bodyName + "\": must match the service account name if specified", "metadata.name")));
        }
        String bodyNs = meta.path("namespace").asString("");
        if (!bodyNs.isEmpty() && !bodyNs.equals(namespace)) {
            throw ApiError.invalid(GROUP, "TokenRequest", name, List.of(new Status.Cause("FieldValueInvalid",
                    "Invalid value: \"" + bodyNs + "\": must match the service account namespace if specified", "metadata.namespace")));
        }
        ObjectNode sa = registry.get(ResourceTypes.SERVICEACCOUNTS, namespace, name);
        ObjectNode spec = out.has("spec") && out.get("spec").isObject() ? (ObjectNode) out.get("spec") : out.putObject("spec");
        if (spec.path("audiences").isEmpty()) {
            ArrayNode auds = spec.putArray("audiences");
            security.audiences().forEach(auds::add);
        }
        if (!spec.path("expirationSeconds").isNumber()) {
            // SetDefaults_TokenRequestSpec
            spec.put("expirationSeconds", 3600L);
        }
        meta.put("name", name);
        meta.put("namespace", namespace);
        Instant now = clock.instant();
        meta.put("creationTimestamp", Times.format(now));
        out.remove("status");
        long expirationSeconds = spec.path("expirationSeconds").asLong();
        if (expirationSeconds < MIN_EXPIRATION_SECONDS) {
            throw invalidExpiration(expirationSeconds, "may not specify a duration less than 10 minutes");
        }
        if (expirationSeconds > MAX_EXPIRATION_SECONDS) {
            throw invalidExpiration(expirationSeconds, "may not specify a duration larger than 2^32 seconds");
        }
        ObjectNode pod = null;
        ObjectNode node = null;
        ObjectNode secret = null;
        JsonNode ref = spec.path("boundObjectRef");
        if (ref.isObject()) {
            String apiVersion = ref.path("apiVersion").asString("");
            String kind = ref.path("kind").asString("");
            String refName = ref.path("name").asString("");
            String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
            String uid;
            if (group.isEmpty() && kind.equals("Pod")) {
                pod = registry.get(ResourceTypes.PODS, namespace, refName);
                String podSa = pod.path("spec").path("serviceAccountName").asString("");
                if (podSa.isEmpty()) {
                    // with security off, ServiceAccount admission (which sets it in Kubernetes) does not run: a
                    // pod without a name runs as "default", as the kubelet's TokenManager treats it
                    podSa = "default";
                }
                if (!name.equals(podSa)) {
                    throw ApiError.badRequest("cannot bind token for serviceaccount \"" + name + "\" to pod running with different serviceaccount name.");
                }
                uid = pod.path("metadata").path("uid").asString("");
                String nodeName = pod.path("spec").path("nodeName").asString("");
                if (!nodeName.isEmpty()) {
                    try {
                        node = registry.get(ResourceTypes.NODES, null, nodeName);
                    } catch (ApiError e) {
                        if (e.code() != 404) {
                            throw e;
                        }
                    }
                }
            } else if (group.isEmpty() && kind.equals("Node")) {
                // ServiceAccountTokenNodeBinding (beta, on by default in 1.31+): the token names the Node, and
                // the authenticator invalidates it once the Node is gone (ServiceAccountTokenNodeBindingValidation)
                node = registry.get(ResourceTypes.NODES, null, refName);
                uid = node.path("metadata").path("uid").asString("");
            } else if (group.isEmpty() && kind.equals("Secret")) {
                secret = registry.get(ResourceTypes.SECRETS, namespace, refName);
                uid = secret.path("metadata").path("uid").asString("");
            } else {
                throw ApiError.badRequest("cannot bind token to object of type " + gvkString(apiVersion, kind));
            }
            String refUid = ref.path("uid").asString("");
            if (!refUid.isEmpty() && !refUid.equals(uid)) {
                throw ApiError.conflict("", kind, refName, "the UID in the bound object reference (" + refUid
                        + ") does not match the UID in record. The object might have been deleted and then recreated");
            }
        }
        long max = security.serviceAccountMaxTokenExpiration().toSeconds();
        if (max > 0 && expirationSeconds > max) {
            warn.accept("requested expiration of " + expirationSeconds + " seconds shortened to " + max + " seconds");
            expirationSeconds = max;
            spec.put("expirationSeconds", max);
        }
        long warnAfter = 0;
        long exp = expirationSeconds;
        List<String> audiences = new ArrayList<>();
        spec.path("audiences").forEach(a -> audiences.add(a.asString("")));
        if (security.serviceAccountExtendTokenExpiration() && pod != null && expirationSeconds == ServiceAccountTokens.WARN_ONLY_BOUND_TOKEN_EXPIRATION_SECONDS
                && security.audiences().containsAll(audiences)) {
            // isKubeAudiences: every requested audience is one of the API server's (audsSet.HasAll)
            warnAfter = exp;
            exp = ServiceAccountTokens.EXPIRATION_EXTENSION_SECONDS;
        }
        JWTClaimsSet claims = tokens.claims(sa, pod, node, secret, exp, warnAfter, audiences, now);
        ObjectNode status = out.putObject("status");
        status.put("token", tokens.sign(claims));
        status.put("expirationTimestamp", Times.format(Instant.ofEpochSecond(now.getEpochSecond()).plusSeconds(expirationSeconds)));
        return out;
    }

    private static ApiError invalidExpiration(long value, String why) {
        return ApiError.invalid(GROUP, "TokenRequest", "", List.of(new Status.Cause("FieldValueInvalid", "Invalid value: " + value + ": " + why, "spec.expirationSeconds")));
    }

    /** Go's {@code schema.GroupVersionKind.String()}: {@code group/version, Kind=kind}. */
    private static String gvkString(String apiVersion, String kind) {
        String group = apiVersion.contains("/") ? apiVersion.substring(0, apiVersion.indexOf('/')) : "";
        String version = apiVersion.contains("/") ? apiVersion.substring(apiVersion.indexOf('/') + 1) : apiVersion;
        return group + "/" + version + ", Kind=" + kind;
    }

}
