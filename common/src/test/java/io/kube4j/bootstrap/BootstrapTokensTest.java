package io.kube4j.bootstrap;

import io.kube4j.api.Secret;
import org.junit.jupiter.api.Test;

import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Vectors of k8s.io/cluster-bootstrap token/jws/jws_test.go (both the older short secret and the current long one). */
class BootstrapTokensTest {
    static final String CONTENT = "Hello from the other side. I must have called a thousand times.";

    @Test
    void computesClusterBootstrapsDetachedSignatures() {
        assertThat(BootstrapTokens.computeDetachedSignature(CONTENT, "joshua", "my voice is my passcode"))
                .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..VShe2taLd-YTrmWuRkcL_8QTNDHYxQIEBsAYYiIj1_8");
        assertThat(BootstrapTokens.computeDetachedSignature("", "joshua", "my voice is my passcode"))
                .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..7Ui1ALizW4jXphVUB7xUqC9vLYLL9RZeOFfVLoB7Tgk");
        assertThat(BootstrapTokens.computeDetachedSignature(CONTENT, "joshua", ""))
                .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..UfkqvDGiIFxrMnFseDj9LYJOLNrvjW8aHhF71mvvAs8");
        String longSecret = "my voice is my passcode. my voice is my passcode";
        assertThat(BootstrapTokens.computeDetachedSignature(CONTENT, "joshua", longSecret))
                .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..SFoKn0-YxqnvpSExt4LuCZ_7pvIBdX3SoUO_NsTpkdg");
        assertThat(BootstrapTokens.computeDetachedSignature("", "joshua", longSecret))
                .isEqualTo("eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..kzZha466Sbz_vFhUBjjYp2rl3F7yHgdDdUIBGxQg4js");
    }

    @Test
    void aDetachedSignatureIsValidOnlyForItsContentAndToken() {
        String sig = "eyJhbGciOiJIUzI1NiIsImtpZCI6Impvc2h1YSJ9..SFoKn0-YxqnvpSExt4LuCZ_7pvIBdX3SoUO_NsTpkdg";
        String secret = "my voice is my passcode. my voice is my passcode";
        assertThat(BootstrapTokens.detachedTokenIsValid(sig, CONTENT, "joshua", secret)).isTrue();
        assertThat(BootstrapTokens.detachedTokenIsValid(sig, CONTENT + "!", "joshua", secret)).isFalse();
        assertThat(BootstrapTokens.detachedTokenIsValid(sig, CONTENT, "joshub", secret)).isFalse();
        assertThat(BootstrapTokens.detachedTokenIsValid(sig, CONTENT, "joshua", secret + "x")).isFalse();
        assertThat(BootstrapTokens.detachedTokenIsValid(null, CONTENT, "joshua", secret)).isFalse();
    }

    @Test
    void expirationAsClusterBootstrapReadsIt() {
        Secret s = new Secret();
        Instant now = Instant.parse("2026-01-01T00:00:00Z");
        assertThat(BootstrapTokens.hasExpired(s, now)).isFalse();
        s.put("expiration", "2026-01-01T00:00:01Z");
        assertThat(BootstrapTokens.hasExpired(s, now)).isFalse();
        s.put("expiration", "2025-12-31T23:59:59Z");
        assertThat(BootstrapTokens.hasExpired(s, now)).isTrue();
        s.put("expiration", "tomorrow");
        assertThat(BootstrapTokens.hasExpired(s, now)).isTrue();
        assertThat(BootstrapTokens.parseName("bootstrap-token-abcdef")).isEqualTo("abcdef");
        assertThat(BootstrapTokens.parseName("bootstrap-token-ABCDEF")).isNull();
        assertThat(BootstrapTokens.parseName("default-token-abcdef")).isNull();
    }
}
