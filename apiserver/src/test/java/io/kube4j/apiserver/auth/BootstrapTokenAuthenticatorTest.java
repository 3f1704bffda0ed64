package io.kube4j.apiserver.auth;

import io.kube4j.api.Secret;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Consumer;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The bootstrap token authenticator against Kubernetes' {@code plugin/pkg/auth/authenticator/token/bootstrap/bootstrap.go}
 * and its test: every failed check is "not authenticated" (empty), never an error; the user and groups of a good token.
 */
class BootstrapTokenAuthenticatorTest {
    static final Instant NOW = Instant.parse("2026-01-02T03:04:05Z");
    static final String TOKEN = "abcdef.0123456789abcdef";

    final Map<String, JsonNode> secrets = new HashMap<>();
    final BootstrapTokenAuthenticator auth = new BootstrapTokenAuthenticator(secrets::get, Clock.fixed(NOW, ZoneOffset.UTC));

    void secret(Consumer<Secret> change) {
        Secret s = new Secret();
        s.metadata.name = "bootstrap-token-abcdef";
        s.metadata.namespace = "kube-system";
        s.type = "bootstrap.kubernetes.io/token";
        s.put("token-id", "abcdef");
        s.put("token-secret", "0123456789abcdef");
        s.put("usage-bootstrap-authentication", "true");
        change.accept(s);
        secrets.put(s.metadata.name, Json.toTree(s));
    }

    @Test
    void aValidTokenIsTheBootstrapUserInTheBootstrappersGroup() {
        secret(s -> {
        });
        assertThat(auth.authenticateToken(TOKEN)).contains(new UserInfo("system:bootstrap:abcdef", "", List.of("system:bootstrappers"), Map.of()));
    }

    @Test
    void extraGroupsAreAddedSortedAndDeduplicated() {
        secret(s -> {
            s.put("auth-extra-groups", "system:bootstrappers:kubeadm:default-node-token,system:bootstrappers:a,system:bootstrappers:a");
            s.put("expiration", "2026-01-02T04:00:00Z");
        });
        Optional<UserInfo> user = auth.authenticateToken(TOKEN);
        assertThat(user).isPresent();
        assertThat(user.get().groups()).containsExactly("system:bootstrappers", "system:bootstrappers:a", "system:bootstrappers:kubeadm:default-node-token");
    }

    @Test
    void wrongSecretIsNotAuthenticated() {
        secret(s -> {
        });
        assertThat(auth.authenticateToken("abcdef.0123456789abcdee")).isEmpty();
    }

    @Test
    void expiredTokenIsNotAuthenticated() {
        secret(s -> s.put("expiration", "2026-01-02T03:04:05Z"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
        secret(s -> s.put("expiration", "2026-01-01T00:00:00Z"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
    }

    @Test
    void unparseableExpirationCountsAsExpired() {
        secret(s -> s.put("expiration", "tomorrow"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
    }

    @Test
    void usageNotSetIsNotAuthenticated() {
        secret(s -> s.data.remove("usage-bootstrap-authentication"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
        secret(s -> s.put("usage-bootstrap-authentication", "false"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
    }

    @Test
    void badExtraGroupsAreNotAuthenticated() {
        secret(s -> s.put("auth-extra-groups", "system:masters"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
        secret(s -> s.put("auth-extra-groups", "system:bootstrappers:ok,system:bootstrappers:Bad"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
        secret(s -> s.put("auth-extra-groups", "system:bootstrappers:trailing:"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
    }

    @Test
    void wrongTypeMismatchedIdOrDeletedSecretIsNotAuthenticated() {
        secret(s -> s.type = "Opaque");
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
        secret(s -> s.put("token-id", "zzzzzz"));
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
        secret(s -> s.metadata.deletionTimestamp = "2026-01-02T03:00:00Z");
        assertThat(auth.authenticateToken(TOKEN)).isEmpty();
    }

    @Test
    void tokensOfAnotherFormOrWithoutSecretAreNotThisSources() {
        secret(s -> {
        });
        assertThat(auth.authenticateToken("abcdef.0123456789ABCDEF")).isEmpty();
        assertThat(auth.authenticateToken("abcdef0123456789abcdef")).isEmpty();
        assertThat(auth.authenticateToken("eyJhbGciOiJSUzI1NiJ9.e30.sig")).isEmpty();
        assertThat(auth.authenticateToken("zzzzzz.0123456789abcdef")).isEmpty();
    }
}
