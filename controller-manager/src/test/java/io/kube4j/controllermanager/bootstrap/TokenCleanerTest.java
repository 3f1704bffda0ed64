package io.kube4j.controllermanager.bootstrap;

import io.kube4j.api.Secret;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;

import static io.kube4j.controllermanager.bootstrap.BootstrapSignerTest.token;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** After pkg/controller/bootstrap/tokencleaner_test.go: no expiration, expired, not yet expired. */
class TokenCleanerTest {
    static final Instant NOW = Instant.parse("2026-01-01T00:00:00Z");
    static final String KEY = "kube-system/bootstrap-token-abcdef";

    final SharedInformers informers = informers();
    final RecordingClient recording = new RecordingClient();
    final TokenCleaner cleaner = new TokenCleaner(informers, recording, Clock.fixed(NOW, ZoneOffset.UTC));

    Result reconcile(Secret s) {
        s.metadata.uid = "uid-1";
        preload(informers.informer(Secret.class, "kube-system"), s);
        return cleaner.reconcile(KEY);
    }

    @Test
    void anExpiredTokenIsDeletedWithAUidPrecondition() {
        Result r = reconcile(token("abcdef", "0123456789abcdef", "2025-12-31T23:00:00Z", false));

        assertThat(recording.summaries()).containsExactly("delete Secret kube-system/bootstrap-token-abcdef");
        assertThat(recording.deleteOptions().getFirst().preconditions.uid).isEqualTo("uid-1");
        assertThat(r.kind()).isEqualTo(Result.Kind.DONE);
    }

    @Test
    void aTokenExpiringNowIsExpired() {
        reconcile(token("abcdef", "0123456789abcdef", "2026-01-01T00:00:00Z", false));
        assertThat(recording.summaries()).containsExactly("delete Secret kube-system/bootstrap-token-abcdef");
    }

    @Test
    void anUnparseableExpirationCountsAsExpired() {
        reconcile(token("abcdef", "0123456789abcdef", "next week", false));
        assertThat(recording.summaries()).containsExactly("delete Secret kube-system/bootstrap-token-abcdef");
    }

    @Test
    void aTokenNotYetExpiredIsLookedAtAgainAtItsExpiry() {
        Result r = reconcile(token("abcdef", "0123456789abcdef", "2026-01-01T00:10:00+00:00", false));

        assertThat(recording.actions()).isEmpty();
        assertThat(r.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(r.after()).isEqualTo(Duration.ofMinutes(10));
    }

    @Test
    void aTokenWithoutExpirationOrAnotherSecretTypeStays() {
        assertThat(reconcile(token("abcdef", "0123456789abcdef", null, false)).kind()).isEqualTo(Result.Kind.DONE);
        Secret opaque = token("abcdef", "0123456789abcdef", "2025-01-01T00:00:00Z", false);
        opaque.type = "Opaque";
        reconcile(opaque);
        assertThat(recording.actions()).isEmpty();
    }
}
