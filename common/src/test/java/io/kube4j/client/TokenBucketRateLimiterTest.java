package io.kube4j.client;

import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class TokenBucketRateLimiterTest {
    final AtomicLong now = new AtomicLong(5_000_000_000L);

    @Test
    void aFullBucketLetsABurstThroughThenSpacesRequestsAtTheRate() {
        TokenBucketRateLimiter limiter = new TokenBucketRateLimiter(20, 30, now::get);

        for (int i = 0; i < 30; i++) {
            assertThat(limiter.reserve()).as("request %d of the burst", i + 1).isZero();
        }
        assertThat(limiter.reserve()).isEqualTo(Duration.ofMillis(50));
        assertThat(limiter.reserve()).as("waiters queue up behind each other").isEqualTo(Duration.ofMillis(100));
    }

    @Test
    void tokensComeBackAtQpsButNeverBeyondTheBurst() {
        TokenBucketRateLimiter limiter = new TokenBucketRateLimiter(2, 3, now::get);
        for (int i = 0; i < 3; i++) {
            limiter.reserve();
        }
        now.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).isZero();
        assertThat(limiter.reserve()).as("two tokens in one second at 2 qps").isEqualTo(Duration.ofMillis(500));

        now.addAndGet(Duration.ofHours(1).toNanos());
        for (int i = 0; i < 3; i++) {
            assertThat(limiter.reserve()).isZero();
        }
        assertThat(limiter.reserve()).as("an idle hour still saves only a burst of 3").isEqualTo(Duration.ofMillis(500));
    }

    @Test
    void acquireSleepsForItsReservation() throws Exception {
        TokenBucketRateLimiter limiter = new TokenBucketRateLimiter(10, 1);
        assertThat(limiter.acquire()).isZero();
        long start = System.nanoTime();
        Duration waited = limiter.acquire();
        assertThat(waited).isGreaterThan(Duration.ofMillis(50));
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(waited.minusMillis(5));
    }

    @Test
    void aRateOfZeroIsRejected() {
        assertThatThrownBy(() -> new TokenBucketRateLimiter(0, 10)).isInstanceOf(IllegalArgumentException.class);
    }
}
