package io.kube4j.kubelet.pod;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** Kubernetes' flowcontrol back-off with the kubelet's constants: 10 s doubling to 5 min, reset after 10 min. */
class BackoffTest {
    private final Backoff backoff = Backoff.kubelet();
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void theFirstAttemptIsFree() {
        assertThat(backoff.inBackOffSince("k", t0, t0)).isFalse();
        assertThat(backoff.remaining("k", t0, t0)).isZero();
    }

    @Test
    void delaysDoubleFromTenSecondsUpToFiveMinutes() {
        Instant t = t0;
        for (long expected : new long[]{10, 20, 40, 80, 160, 300, 300}) {
            backoff.next("k", t, t);
            assertThat(backoff.get("k")).isEqualTo(Duration.ofSeconds(expected));
            t = t.plusSeconds(1);
        }
    }

    @Test
    void anAttemptWaitsTheDelayCountedFromTheFailure() {
        backoff.next("k", t0, t0);
        Instant failed = t0.plusSeconds(3);
        assertThat(backoff.inBackOffSince("k", failed, failed.plusSeconds(9))).isTrue();
        assertThat(backoff.remaining("k", failed, failed.plusSeconds(9))).isEqualTo(Duration.ofSeconds(1));
        assertThat(backoff.inBackOffSince("k", failed, failed.plusSeconds(10))).isFalse();
    }

    @Test
    void anEntryExpiresWhenTheContainerRanMoreThanTenMinutes() {
        backoff.next("k", t0, t0);
        backoff.next("k", t0, t0);
        assertThat(backoff.get("k")).isEqualTo(Duration.ofSeconds(20));
        Instant failedLate = t0.plus(Duration.ofMinutes(10)).plusSeconds(1);
        assertThat(backoff.inBackOffSince("k", failedLate, failedLate)).isFalse();
        backoff.next("k", failedLate, failedLate);
        assertThat(backoff.get("k")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void imagePullsBackOffFromTheirLastAttempt() {
        backoff.next("img", t0, t0);
        assertThat(backoff.inBackOffSinceUpdate("img", t0.plusSeconds(9))).isTrue();
        assertThat(backoff.inBackOffSinceUpdate("img", t0.plusSeconds(10))).isFalse();
    }

    @Test
    void forgettingAPodForgetsItsKeys() {
        backoff.next("uid-1/app", t0, t0);
        backoff.next("uid-2/app", t0, t0);
        backoff.forget("uid-1");
        assertThat(backoff.get("uid-1/app")).isZero();
        assertThat(backoff.get("uid-2/app")).isEqualTo(Duration.ofSeconds(10));
    }
}
