package io.kube4j.controllermanager.workqueue;

import java.time.Duration;
import java.util.List;

/** Decides how long an item waits before it is retried (client-go's workqueue.RateLimiter). */
public interface RateLimiter {
    /** The delay before {@code item} may be processed again; counts as one more retry of it. */
    Duration when(String item);

    /** Forgets the retries of {@code item}, typically after it was processed successfully. */
    void forget(String item);

    /** How many times {@code item} has been retried since it was last forgotten. */
    int retries(String item);

    /**
     * The controllers' default, as client-go's DefaultControllerRateLimiter: per-item exponential
     * backoff (5 ms doubling, capped at 60 s rather than client-go's 1000 s so a small cluster recovers
     * from an outage within a minute) and an overall token bucket of 10 qps with a burst of 100.
     */
    static RateLimiter defaultControllerRateLimiter() {
        return maxOf(new ExponentialBackoff(Duration.ofMillis(5), Duration.ofSeconds(60)), new TokenBucket(10, 100));
    }

    /** The longest delay any of {@code limiters} asks for. */
    static RateLimiter maxOf(RateLimiter... limiters) {
        List<RateLimiter> all = List.of(limiters);
        return new RateLimiter() {
            @Override
            public Duration when(String item) {
                Duration max = Duration.ZERO;
                for (RateLimiter l : all) {
                    Duration d = l.when(item);
                    if (d.compareTo(max) > 0) {
                        max = d;
                    }
                }
                return max;
            }

            @Override
            public void forget(String item) {
                all.forEach(l -> l.forget(item));
            }

            @Override
            public int retries(String item) {
                int max = 0;
                for (RateLimiter l : all) {
                    max = Math.max(max, l.retries(item));
                }
                return max;
            }
        };
    }
}
