package io.kube4j.client;

import java.time.Duration;
import java.util.function.LongSupplier;

/**
 * A client-side token bucket, as client-go's {@code flowcontrol.NewTokenBucketRateLimiter(qps, burst)}
 * behind {@code rest.Config.QPS} / {@code Burst}: {@code burst} requests may go at once, then
 * {@code qps} a second on average. {@link #acquire()} reserves a token and sleeps until it is due, so
 * waiting callers are served in the order they asked, and a burst of calls is spread out instead of
 * hitting the apiserver all at once. Thread-safe.
 */
public final class TokenBucketRateLimiter {
    private final double qps;
    private final int burst;
    private final LongSupplier nanoClock;
    // may go negative: each waiter has reserved a token that comes into existence later
    private double tokens;
    private long lastNanos;

    /**
     * @param qps   tokens added per second; must be positive
     * @param burst the bucket's size (at least 1): how many requests may be made at once after a quiet period
     * @throws IllegalArgumentException when {@code qps} is not positive
     */
    public TokenBucketRateLimiter(double qps, int burst) {
        this(qps, burst, System::nanoTime);
    }

    /** As {@link #TokenBucketRateLimiter(double, int)} with a nanoTime source (tests pass a fake). */
    public TokenBucketRateLimiter(double qps, int burst, LongSupplier nanoClock) {
        if (!(qps > 0)) {
            throw new IllegalArgumentException("qps must be positive, was " + qps);
        }
        this.qps = qps;
        this.burst = Math.max(1, burst);
        this.nanoClock = nanoClock;
        this.tokens = this.burst;
        this.lastNanos = nanoClock.getAsLong();
    }

    /** Tokens added per second. */
    public double qps() {
        return qps;
    }

    /** The bucket's size. */
    public int burst() {
        return burst;
    }

    /**
     * Takes a token, reserving a future one when the bucket is empty, and answers how long the caller
     * must wait before using it (zero when a token was there). Does not block.
     */
    public synchronized Duration reserve() {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * qps);
        lastNanos = now;
        tokens -= 1;
        return tokens >= 0 ? Duration.ZERO : Duration.ofNanos((long) Math.ceil(-tokens / qps * 1e9));
    }

    /**
     * Blocks until the caller may send one request; returns how long it waited.
     *
     * @throws InterruptedException when interrupted while waiting (the reserved token is lost)
     */
    public Duration acquire() throws InterruptedException {
        Duration wait = reserve();
        if (!wait.isZero()) {
            Thread.sleep(wait);
        }
        return wait;
    }
}
