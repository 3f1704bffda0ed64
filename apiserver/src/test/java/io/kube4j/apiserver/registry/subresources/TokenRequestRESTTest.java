package io.kube4j.apiserver.registry.subresources;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.auth.Pki;
import io.kube4j.apiserver.auth.ServiceAccountTokens;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.TestStrategies;
import io.kube4j.apiserver.registry.kinds.SystemObjects;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** TokenREST.Create's defaults, validation, binding and expiry rules on in-memory storage. */
class TokenRequestRESTTest {
    static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    final Instant now = Instant.parse("2026-03-01T10:00:00Z");
    WatchCache cache;
    Registry registry;
    ServiceAccountTokens tokens;
    final List<String> warnings = new ArrayList<>();

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        MemoryStorage storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        registry = new Registry(storage, cache, props, TestStrategies.builtIn(null), List.of(new NamespaceLifecycle(cache, storage)));
        cache.start();
        for (int i = 0; i < 200 && !cache.isReady(); i++) {
            Thread.sleep(10);
        }
        new SystemObjects(registry).ensure();
        tokens = new ServiceAccountTokens(ISSUER, Pki.rsa());
        registry.create(ResourceTypes.SERVICEACCOUNTS, "default", obj("{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"robot\"}}"), false);
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    static ObjectNode obj(String json) {
        return (ObjectNode) Json.mapper().readTree(json);
    }

    TokenRequestREST rest(Duration max, boolean extend) {
        ApiServerProperties.Security s = new ApiServerProperties.Security(false, "", true, "pki", List.of(), List.of(), "", ISSUER, List.of(), extend, max);
        return new TokenRequestREST(registry, tokens, s, Clock.fixed(now, ZoneOffset.UTC));
    }

    static JsonNode claims(ObjectNode tokenRequest) {
        String token = tokenRequest.path("status").path("token").asString();
        return Json.mapper().readTree(Base64.getUrlDecoder().decode(token.split("\\.")[1]));
    }

    @Test
    void defaultsAudiencesExpiryAndMetadata() {
        ObjectNode out = rest(Duration.ZERO, true).create("default", "robot", obj("{\"spec\":{}}"), warnings::add);
        assertThat(out.path("apiVersion").asString()).isEqualTo("authentication.k8s.io/v1");
        assertThat(out.path("kind").asString()).isEqualTo("TokenRequest");
        assertThat(out.path("metadata").path("name").asString()).isEqualTo("robot");
        assertThat(out.path("metadata").path("namespace").asString()).isEqualTo("default");
        assertThat(out.path("spec").path("audiences").toString()).isEqualTo("[\"" + ISSUER + "\"]");
        assertThat(out.path("spec").path("expirationSeconds").asLong()).isEqualTo(3600);
        assertThat(out.path("status").path("expirationTimestamp").asString()).isEqualTo("2026-03-01T11:00:00Z");
        JsonNode c = claims(out);
        assertThat(c.path("sub").asString()).isEqualTo("system:serviceaccount:default:robot");
        assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(3600);
        assertThat(c.path("kubernetes.io").has("warnafter")).isFalse();
        assertThat(warnings).isEmpty();
    }

    @Test
    void theKubeletsPodBoundRequestIsExtendedToAYearWithWarnAfter() {
        ObjectNode pod = registry.create(ResourceTypes.PODS, "default", obj("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"i"}]}}"""), false);
        String uid = pod.path("metadata").path("uid").asString();
        String body = "{\"spec\":{\"expirationSeconds\":3607,\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"p\",\"uid\":\"" + uid + "\"}}}";
        ObjectNode out = rest(Duration.ZERO, true).create("default", "robot", obj(body), warnings::add);
        JsonNode c = claims(out);
        assertThat(c.path("exp").asLong() - c.path("iat").asLong()).isEqualTo(ServiceAccountTokens.EXPIRATION_EXTENSION_SECONDS);
        assertThat(c.path("kubernetes.io").path("warnafter").asLong()).isEqualTo(now.getEpochSecond() + 3607);
        assertThat(c.path("kubernetes.io").path("pod").path("uid").asString()).isEqualTo(uid);
        // the status reports the expiry asked for, not the extended one
        assertThat(out.path("status").path("expirationTimestamp").asString()).isEqualTo("2026-03-01T11:00:07Z");

        JsonNode unextended = claims(rest(Duration.ZERO, false).create("default", "robot", obj(body), warnings::add));
        assertThat(unextended.path("exp").asLong() - unextended.path("iat").asLong()).isEqualTo(3607);
        JsonNode notBound = claims(rest(Duration.ZERO, true).create("default", "robot", obj("{\"spec\":{\"expirationSeconds\":3607}}"), warnings::add));
        assertThat(notBound.path("exp").asLong() - notBound.path("iat").asLong()).isEqualTo(3607);
    }

    /** With security off no admission names the account: such a pod runs as "default", as the kubelet asks. */
    @Test
    void aPodWithoutAServiceAccountNameRunsAsDefault() {
        registry.create(ResourceTypes.SERVICEACCOUNTS, "default", obj("{\"apiVersion\":\"v1\",\"kind\":\"ServiceAccount\",\"metadata\":{\"name\":\"default\"}}"), false);
        ObjectNode pod = registry.create(ResourceTypes.PODS, "default", obj("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"unnamed"},"spec":{"containers":[{"name":"c","image":"i"}]}}"""), false);
        String ref = "{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"unnamed\"}}}";
        JsonNode c = claims(rest(Duration.ZERO, true).create("default", "default", obj(ref), warnings::add));
        assertThat(c.path("sub").asString()).isEqualTo("system:serviceaccount:default:default");
        assertThat(c.path("kubernetes.io").path("pod").path("uid").asString()).isEqualTo(pod.path("metadata").path("uid").asString());
        assertThatThrownBy(() -> rest(Duration.ZERO, true).create("default", "robot", obj(ref), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message)
                        .isEqualTo("cannot bind token for serviceaccount \"robot\" to pod running with different serviceaccount name."));
    }

    @Test
    void aLongerExpiryThanTheMaximumIsShortenedWithAWarning() {
        ObjectNode out = rest(Duration.ofHours(2), true).create("default", "robot", obj("{\"spec\":{\"expirationSeconds\":86400}}"), warnings::add);
        assertThat(out.path("spec").path("expirationSeconds").asLong()).isEqualTo(7200);
        assertThat(warnings).containsExactly("requested expiration of 86400 seconds shortened to 7200 seconds");
    }

    @Test
    void validationMessagesAsKubernetes() {
        TokenRequestREST rest = rest(Duration.ZERO, true);
        assertThatThrownBy(() -> rest.create("default", "robot", obj("{\"metadata\":{\"name\":\"other\"},\"spec\":{}}"), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().message).isEqualTo("TokenRequest.authentication.k8s.io \"robot\" is invalid: metadata.name: Invalid value: \"other\": must match the service account name if specified");
                });
        assertThatThrownBy(() -> rest.create("default", "robot", obj("{\"spec\":{\"expirationSeconds\":4294967297}}"), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message)
                        .isEqualTo("TokenRequest.authentication.k8s.io \"\" is invalid: spec.expirationSeconds: Invalid value: 4294967297: may not specify a duration larger than 2^32 seconds"));
        registry.create(ResourceTypes.PODS, "default", obj("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"other-sa"},"spec":{"serviceAccountName":"builder","containers":[{"name":"c","image":"i"}]}}"""), false);
        assertThatThrownBy(() -> rest.create("default", "robot", obj("{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"other-sa\"}}}"), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.status().message).isEqualTo("cannot bind token for serviceaccount \"robot\" to pod running with different serviceaccount name.");
                });
    }

    @Test
    void aSecretBoundTokenNamesTheSecret() {
        ObjectNode secret = registry.create(ResourceTypes.SECRETS, "default", obj("{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"metadata\":{\"name\":\"s\"}}"), false);
        JsonNode c = claims(rest(Duration.ZERO, true).create("default", "robot",
                obj("{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Secret\",\"name\":\"s\"}}}"), warnings::add));
        assertThat(c.path("kubernetes.io").path("secret").path("uid").asString()).isEqualTo(secret.path("metadata").path("uid").asString());
        assertThat(c.path("kubernetes.io").has("pod")).isFalse();
    }

    /** token.go: a uid other than the object's is 409 with Kubernetes' text (no record uid in it). */
    @Test
    void aUidThatIsNotTheObjectsIsAConflict() {
        registry.create(ResourceTypes.PODS, "default", obj("""
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"bp"},"spec":{"serviceAccountName":"robot","containers":[{"name":"c","image":"i"}]}}"""), false);
        assertThatThrownBy(() -> rest(Duration.ZERO, true).create("default", "robot",
                obj("{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"name\":\"bp\",\"uid\":\"123\"}}}"), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.status().message).isEqualTo("Operation cannot be fulfilled on Pod \"bp\": the UID in the bound object reference (123)"
                            + " does not match the UID in record. The object might have been deleted and then recreated");
                });
        assertThatThrownBy(() -> rest(Duration.ZERO, true).create("default", "robot",
                obj("{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"name\":\"d\"}}}"), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message)
                        .isEqualTo("cannot bind token to object of type apps/v1, Kind=Deployment"));
    }

    /** ServiceAccountTokenNodeBinding (beta, on in 1.32): a Node-bound token carries the node claim alone. */
    @Test
    void aNodeBoundTokenNamesTheNode() {
        ObjectNode node = registry.create(ResourceTypes.NODES, null, obj("{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"metadata\":{\"name\":\"n1\"}}"), false);
        String uid = node.path("metadata").path("uid").asString();
        JsonNode c = claims(rest(Duration.ZERO, true).create("default", "robot",
                obj("{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"n1\",\"uid\":\"" + uid + "\"}}}"), warnings::add));
        assertThat(c.path("kubernetes.io").path("node").path("name").asString()).isEqualTo("n1");
        assertThat(c.path("kubernetes.io").path("node").path("uid").asString()).isEqualTo(uid);
        assertThat(c.path("kubernetes.io").has("pod")).isFalse();
        assertThatThrownBy(() -> rest(Duration.ZERO, true).create("default", "robot",
                obj("{\"spec\":{\"boundObjectRef\":{\"apiVersion\":\"v1\",\"kind\":\"Node\",\"name\":\"gone\"}}}"), warnings::add))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(404));
    }
}
