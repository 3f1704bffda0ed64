package io.kube4j.apiserver.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import com.nimbusds.jwt.SignedJWT;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ServiceAccountTokenAuthenticatorTest {
    static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    static KeyPair keys;
    static ServiceAccountTokens tokens;

    final Map<String, JsonNode> objects = new HashMap<>();
    final Instant now = Instant.parse("2026-01-01T00:00:00Z");

    @BeforeAll
    static void keys() throws Exception {
        keys = Pki.rsa();
        tokens = new ServiceAccountTokens(ISSUER, keys);
    }

    static ObjectNode obj(String kind, String ns, String name, String uid) {
        ObjectNode o = Json.mapper().createObjectNode();
        o.put("kind", kind);
        ObjectNode m = o.putObject("metadata");
        m.put("name", name);
        if (ns != null) {
            m.put("namespace", ns);
        }
        m.put("uid", uid);
        return o;
    }

    ObjectNode put(ResourceType rt, ObjectNode o) {
        objects.put(rt.resource() + "/" + o.path("metadata").path("namespace").asString("") + "/" + o.path("metadata").path("name").asString(), o);
        return o;
    }

    ServiceAccountTokenAuthenticator authenticator(Instant at) {
        return new ServiceAccountTokenAuthenticator(List.of(ISSUER), List.of(ISSUER), List.of(keys.getPublic()),
                (rt, ns, name) -> objects.get(rt.resource() + "/" + (ns == null ? "" : ns) + "/" + name), Clock.fixed(at, ZoneOffset.UTC));
    }

    @Test
    void claimsAreKubernetesOnes() throws Exception {
        ObjectNode sa = obj("ServiceAccount", "team", "builder", "sa-uid");
        ObjectNode pod = obj("Pod", "team", "web-0", "pod-uid");
        ObjectNode node = obj("Node", null, "node-1", "node-uid");
        JWTClaimsSet c = tokens.claims(sa, pod, node, null, 31536000, 3607, List.of(ISSUER), now);
        SignedJWT jwt = SignedJWT.parse(tokens.sign(c));
        assertThat(jwt.getHeader().getAlgorithm().getName()).isEqualTo("RS256");
        assertThat(jwt.getHeader().getKeyID()).isEqualTo(ServiceAccountTokens.keyId(keys.getPublic()));
        JsonNode payload = Json.mapper().readTree(Base64.getUrlDecoder().decode(jwt.serialize().split("\\.")[1]));
        assertThat(payload.path("iss").asString()).isEqualTo(ISSUER);
        assertThat(payload.path("sub").asString()).isEqualTo("system:serviceaccount:team:builder");
        // one audience is a string, as go-jose writes it
        assertThat(payload.path("aud").isString()).isTrue();
        assertThat(payload.path("iat").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(payload.path("nbf").asLong()).isEqualTo(now.getEpochSecond());
        assertThat(payload.path("exp").asLong()).isEqualTo(now.getEpochSecond() + 31536000);
        assertThat(payload.path("jti").asString()).matches("[0-9a-f-]{36}");
        JsonNode k = payload.path("kubernetes.io");
        assertThat(k.path("namespace").asString()).isEqualTo("team");
        assertThat(k.path("serviceaccount")).isEqualTo(Json.mapper().readTree("{\"name\":\"builder\",\"uid\":\"sa-uid\"}"));
        assertThat(k.path("pod")).isEqualTo(Json.mapper().readTree("{\"name\":\"web-0\",\"uid\":\"pod-uid\"}"));
        assertThat(k.path("node")).isEqualTo(Json.mapper().readTree("{\"name\":\"node-1\",\"uid\":\"node-uid\"}"));
        assertThat(k.path("warnafter").asLong()).isEqualTo(now.getEpochSecond() + 3607);
        assertThat(k.has("secret")).isFalse();
    }

    @Test
    void aValidPodBoundTokenIsTheServiceAccountWithPodAndCredentialExtras() throws Exception {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        ObjectNode pod = put(ResourceTypes.PODS, obj("Pod", "team", "web-0", "pod-uid"));
        ObjectNode node = obj("Node", null, "node-1", "node-uid");
        JWTClaimsSet c = tokens.claims(sa, pod, node, null, 3600, 0, List.of(ISSUER), now);
        UserInfo u = authenticator(now.plusSeconds(10)).authenticateToken(tokens.sign(c)).orElseThrow();
        assertThat(u.name()).isEqualTo("system:serviceaccount:team:builder");
        assertThat(u.uid()).isEqualTo("sa-uid");
        assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:team");
        assertThat(u.extra()).containsEntry("authentication.kubernetes.io/pod-name", List.of("web-0"))
                .containsEntry("authentication.kubernetes.io/pod-uid", List.of("pod-uid"))
                .containsEntry("authentication.kubernetes.io/node-name", List.of("node-1"))
                .containsEntry("authentication.kubernetes.io/node-uid", List.of("node-uid"))
                .containsEntry("authentication.kubernetes.io/credential-id", List.of("JTI=" + c.getJWTID()));
    }

    @Test
    void expiryHasOneMinuteOfLeeway() {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        String token = tokens.sign(tokens.claims(sa, null, null, null, 600, 0, List.of(ISSUER), now));
        assertThat(authenticator(now.plusSeconds(630)).authenticateToken(token)).isPresent();
        assertThatThrownBy(() -> authenticator(now.plusSeconds(661)).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> {
                    assertThat(e.reason()).isEqualTo("service account token has expired");
                    assertThat(e.code()).isEqualTo(401);
                });
        assertThatThrownBy(() -> authenticator(now.minusSeconds(120)).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("service account token is not valid yet"));
    }

    @Test
    void aDeletedOrRecreatedServiceAccountInvalidatesItsTokens() {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        String token = tokens.sign(tokens.claims(sa, null, null, null, 3600, 0, List.of(ISSUER), now));
        put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "other-uid"));
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("service account UID (other-uid) does not match claim (sa-uid)"));
        objects.clear();
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("serviceaccounts \"builder\" not found"));
    }

    @Test
    void aTokenBoundToADeletedOrReplacedPodIsInvalid() {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        ObjectNode pod = obj("Pod", "team", "web-0", "pod-uid");
        String token = tokens.sign(tokens.claims(sa, pod, null, null, 3600, 0, List.of(ISSUER), now));
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("service account token has been invalidated"));
        put(ResourceTypes.PODS, obj("Pod", "team", "web-0", "new-uid"));
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("pod UID (new-uid) does not match service account pod ref claim (pod-uid)"));
        ObjectNode deleting = obj("Pod", "team", "web-0", "pod-uid");
        ((ObjectNode) deleting.get("metadata")).put("deletionTimestamp", now.minusSeconds(120).toString());
        put(ResourceTypes.PODS, deleting);
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("service account token has been invalidated"));
    }

    @Test
    void aTokenForAnotherAudienceIsRefusedWithKubernetesMessage() {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        String token = tokens.sign(tokens.claims(sa, null, null, null, 3600, 0, List.of("vault"), now));
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason())
                        .isEqualTo("token audiences [\"vault\"] is invalid for the target audiences [\"" + ISSUER + "\"]"));
        assertThat(authenticator(now).authenticate(token, List.of("vault")).orElseThrow().audiences()).containsExactly("vault");
    }

    @Test
    void tokensOfOtherIssuersOrNotJwtsAreNotThisSources() throws Exception {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        String foreign = new ServiceAccountTokens("https://elsewhere", keys).sign(new ServiceAccountTokens("https://elsewhere", keys).claims(sa, null, null, null, 3600, 0, List.of(ISSUER), now));
        assertThat(authenticator(now).authenticateToken(foreign)).isEmpty();
        assertThat(authenticator(now).authenticateToken("s3cret")).isEmpty();
    }

    @Test
    void aTokenSignedWithAnotherKeyIsRefused() throws Exception {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        ServiceAccountTokens forger = new ServiceAccountTokens(ISSUER, Pki.rsa());
        String token = forger.sign(forger.claims(sa, null, null, null, 3600, 0, List.of(ISSUER), now));
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).contains("error in cryptographic primitive"));
    }

    /** claims.go Validate with ServiceAccountTokenNodeBindingValidation (beta, on): a Node-bound token lives as long as its Node. */
    @Test
    void aNodeBoundTokenIsValidOnlyWhileItsNodeExists() {
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, obj("ServiceAccount", "team", "builder", "sa-uid"));
        ObjectNode node = put(ResourceTypes.NODES, obj("Node", null, "node-1", "node-uid"));
        String token = tokens.sign(tokens.claims(sa, null, node, null, 3600, 0, List.of(ISSUER), now));
        UserInfo u = authenticator(now).authenticateToken(token).orElseThrow();
        assertThat(u.extra()).containsEntry("authentication.kubernetes.io/node-name", List.of("node-1"))
                .containsEntry("authentication.kubernetes.io/node-uid", List.of("node-uid"))
                .doesNotContainKey("authentication.kubernetes.io/pod-name");
        put(ResourceTypes.NODES, obj("Node", null, "node-1", "other-uid"));
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("node UID (other-uid) does not match service account node ref claim (node-uid)"));
        objects.clear();
        put(ResourceTypes.SERVICEACCOUNTS, sa);
        assertThatThrownBy(() -> authenticator(now).authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> assertThat(e.reason()).isEqualTo("service account token has been invalidated"));
    }
}
