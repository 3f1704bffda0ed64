package io.kube4j.apiserver.auth;

import com.nimbusds.jwt.JWTClaimsSet;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.Base64;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Legacy Secret-based ServiceAccount tokens (legacy.go legacyValidator with lookup, LegacyServiceAccountTokenTracking). */
class LegacyServiceAccountTokenTest {
    static final String ISSUER = "https://kubernetes.default.svc.cluster.local";
    static KeyPair keys;
    static ServiceAccountTokens signer;

    final Map<String, JsonNode> objects = new HashMap<>();
    final List<String> labelled = new ArrayList<>();
    final Instant now = Instant.parse("2026-03-04T23:30:00Z");
    RuntimeException writerFailure;

    @BeforeAll
    static void keys() throws Exception {
        keys = Pki.rsa();
        signer = new ServiceAccountTokens(ISSUER, keys);
    }

    ServiceAccountTokenAuthenticator authenticator() {
        return new ServiceAccountTokenAuthenticator(List.of(ISSUER), List.of(ISSUER), List.of(keys.getPublic()),
                (ResourceType rt, String ns, String name) -> objects.get(rt.resource() + "/" + ns + "/" + name),
                (ns, name, uid, date) -> {
                    if (writerFailure != null) {
                        throw writerFailure;
                    }
                    labelled.add(ns + "/" + name + " " + uid + " " + date);
                },
                Clock.fixed(now, ZoneOffset.UTC));
    }

    /** LegacyClaims(sa, secret) with the legacy issuer, as the tokens controller signs them. */
    static JWTClaimsSet.Builder legacyClaims(String ns, String sa, String saUid, String secret) {
        return new JWTClaimsSet.Builder()
                .issuer("kubernetes/serviceaccount")
                .subject("system:serviceaccount:" + ns + ":" + sa)
                .claim("kubernetes.io/serviceaccount/namespace", ns)
                .claim("kubernetes.io/serviceaccount/secret.name", secret)
                .claim("kubernetes.io/serviceaccount/service-account.name", sa)
                .claim("kubernetes.io/serviceaccount/service-account.uid", saUid);
    }

    ObjectNode put(ResourceType rt, String ns, String name, String uid) {
        ObjectNode o = Json.mapper().createObjectNode();
        ObjectNode m = o.putObject("metadata");
        m.put("namespace", ns);
        m.put("name", name);
        m.put("uid", uid);
        objects.put(rt.resource() + "/" + ns + "/" + name, o);
        return o;
    }

    /** The ServiceAccount and its filled token Secret; returns the token. */
    String issued() {
        put(ResourceTypes.SERVICEACCOUNTS, "default", "sa-name", "sa-uid");
        String token = signer.sign(legacyClaims("default", "sa-name", "sa-uid", "secret-sa-sample").build());
        ObjectNode secret = put(ResourceTypes.SECRETS, "default", "secret-sa-sample", "secret-uid");
        secret.putObject("data").put("token", Base64.getEncoder().encodeToString(token.getBytes(StandardCharsets.UTF_8)));
        return token;
    }

    JsonNode secret() {
        return objects.get("secrets/default/secret-sa-sample");
    }

    void failsWith(String token, String message) {
        assertThatThrownBy(() -> authenticator().authenticateToken(token))
                .isInstanceOfSatisfying(AuthenticationFailure.class, e -> {
                    assertThat(e.reason()).isEqualTo(message);
                    assertThat(e.code()).isEqualTo(401);
                });
    }

    @Test
    void aFilledSecretsTokenIsItsServiceAccountAndTheSecretIsLabelledLastUsedToday() {
        String token = issued();
        UserInfo u = authenticator().authenticateToken(token).orElseThrow();
        assertThat(u.name()).isEqualTo("system:serviceaccount:default:sa-name");
        assertThat(u.uid()).isEqualTo("sa-uid");
        assertThat(u.groups()).containsExactly("system:serviceaccounts", "system:serviceaccounts:default");
        assertThat(u.extra()).isEmpty();
        // UTC date of the clock
        assertThat(labelled).containsExactly("default/secret-sa-sample secret-uid 2026-03-04");
    }

    @Test
    void theLastUsedLabelIsWrittenAtMostOnceADay() {
        String token = issued();
        ObjectNode labels = ((ObjectNode) secret().path("metadata")).putObject("labels");
        labels.put("kubernetes.io/legacy-token-last-used", "2026-03-04");
        authenticator().authenticateToken(token);
        // tomorrow counts as fresh too (a clock skew between apiservers)
        labels.put("kubernetes.io/legacy-token-last-used", "2026-03-05");
        authenticator().authenticateToken(token);
        assertThat(labelled).isEmpty();
        labels.put("kubernetes.io/legacy-token-last-used", "2026-03-03");
        authenticator().authenticateToken(token);
        assertThat(labelled).containsExactly("default/secret-sa-sample secret-uid 2026-03-04");
    }

    @Test
    void aFailedLabelWriteDoesNotFailTheRequest() {
        String token = issued();
        writerFailure = new IllegalStateException("etcd down");
        assertThat(authenticator().authenticateToken(token)).isPresent();
    }

    @Test
    void deletingTheSecretInvalidatesTheToken() {
        String token = issued();
        ((ObjectNode) secret().path("metadata")).put("deletionTimestamp", "2026-03-04T23:00:00Z");
        failsWith(token, "Token has been invalidated");
        objects.remove("secrets/default/secret-sa-sample");
        failsWith(token, "Token has been invalidated");
    }

    @Test
    void aTokenTheSecretNoLongerHoldsIsRefused() {
        String token = issued();
        ((ObjectNode) secret().path("data")).put("token", Base64.getEncoder().encodeToString("other".getBytes(StandardCharsets.UTF_8)));
        failsWith(token, "Token does not match server's copy");
    }

    @Test
    void theServiceAccountMustStillExistWithTheClaimedUid() {
        String token = issued();
        ((ObjectNode) objects.get("serviceaccounts/default/sa-name").path("metadata")).put("deletionTimestamp", "2026-03-04T23:00:00Z");
        failsWith(token, "ServiceAccount default/sa-name has been deleted");
        put(ResourceTypes.SERVICEACCOUNTS, "default", "sa-name", "new-uid");
        failsWith(token, "ServiceAccount UID (new-uid) does not match claim (sa-uid)");
        objects.remove("serviceaccounts/default/sa-name");
        failsWith(token, "serviceaccounts \"sa-name\" not found");
        assertThat(labelled).isEmpty();
    }

    @Test
    void aSecretMarkedInvalidIsRefusedWithKubernetesMessage() {
        String token = issued();
        ((ObjectNode) secret().path("metadata")).putObject("labels").put("kubernetes.io/legacy-token-invalid-since", "2026-01-01");
        failsWith(token, "the token in secret default/secret-sa-sample for service account default/sa-name has been marked invalid. Use tokens from the"
                + " TokenRequest API or manually created secret-based tokens, or remove the 'kubernetes.io/legacy-token-invalid-since' label from the"
                + " secret to temporarily allow use of this token");
        assertThat(labelled).hasSize(1);
    }

    @Test
    void missingOrInconsistentClaimsAreRefusedBeforeAnyLookup() {
        issued();
        failsWith(signer.sign(legacyClaims("default", "sa-name", "sa-uid", "s").subject(null).build()), "sub claim is missing");
        failsWith(signer.sign(legacyClaims("default", "sa-name", "sa-uid", "s").claim("kubernetes.io/serviceaccount/namespace", null).build()),
                "namespace claim is missing");
        failsWith(signer.sign(legacyClaims("default", "sa-name", "sa-uid", "").build()), "secretName claim is missing");
        failsWith(signer.sign(legacyClaims("default", "", "sa-uid", "s").build()), "serviceAccountName claim is missing");
        failsWith(signer.sign(legacyClaims("default", "sa-name", "", "s").build()), "serviceAccountUID claim is missing");
        failsWith(signer.sign(legacyClaims("default", "sa-name", "sa-uid", "s").subject("system:serviceaccount:other:sa-name").build()),
                "sub claim is invalid");
        failsWith(signer.sign(legacyClaims("default", "sa-name", "sa-uid", "s").subject("alice").build()), "sub claim is invalid");
    }

    @Test
    void aLegacyTokenSignedWithAnotherKeyIsRefused() throws Exception {
        issued();
        String forged = new ServiceAccountTokens(ISSUER, Pki.rsa()).sign(legacyClaims("default", "sa-name", "sa-uid", "secret-sa-sample").build());
        ((ObjectNode) secret().path("data")).put("token", Base64.getEncoder().encodeToString(forged.getBytes(StandardCharsets.UTF_8)));
        failsWith(forged, "square/go-jose: error in cryptographic primitive");
    }

    @Test
    void aTokenOfAnotherIssuerIsNotThisSourcesAndBoundTokensStillWork() {
        String other = signer.sign(legacyClaims("default", "sa-name", "sa-uid", "s").issuer("https://elsewhere").build());
        assertThat(authenticator().authenticateToken(other)).isEmpty();
        ObjectNode sa = put(ResourceTypes.SERVICEACCOUNTS, "team", "builder", "b-uid");
        String bound = signer.sign(signer.claims(sa, null, null, null, 3600, 0, List.of(ISSUER), now));
        assertThat(authenticator().authenticateToken(bound).orElseThrow().name()).isEqualTo("system:serviceaccount:team:builder");
        assertThat(labelled).isEmpty();
    }
}
