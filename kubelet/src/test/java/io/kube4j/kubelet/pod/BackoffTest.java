package io.kube4j.kubelet.pod;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

class BackoffTest {
    private final Backoff backoff = Backoff.kubelet();
    private final Instant t0 = Instant.parse("2026-01-01T00:00:00Z");

    @Test
    void firstRetryIsImmediate() {
        assertThat(backoff.remaining("k", t0, t0.plusSeconds(1), t0.plusSeconds(1))).isZero();
    }

    @Test
    void delaysDoubleFromTenSecondsUpToFiveMinutes() {
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofSeconds(10));
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofSeconds(20));
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofSeconds(40));
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofSeconds(80));
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofSeconds(160));
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofMinutes(5));
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofMinutes(5));
    }

    @Test
    void waitIsCountedFromTheFailure() {
        backoff.retried("k");
        Instant failed = t0.plusSeconds(100);
        assertThat(backoff.remaining("k", t0, failed, failed.plusSeconds(4))).isEqualTo(Duration.ofSeconds(6));
        assertThat(backoff.remaining("k", t0, failed, failed.plusSeconds(10))).isZero();
    }

    @Test
    void containerThatRanTenMinutesStartsOverWithoutDelay() {
        backoff.retried("k");
        backoff.retried("k");
        Instant failed = t0.plus(Duration.ofMinutes(10));
        assertThat(backoff.remaining("k", t0, failed, failed)).isZero();
        assertThat(backoff.retried("k")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void forgetDropsEveryKeyOfAPod() {
        backoff.retried("uid-1/app");
        backoff.retried("uid-2/app");
        backoff.forget("uid-1");
        assertThat(backoff.current("uid-1/app")).isZero();
        assertThat(backoff.current("uid-2/app")).isEqualTo(Duration.ofSeconds(10));
    }
}
