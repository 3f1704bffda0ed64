package io.kube4j.controllermanager.workqueue;

import java.time.Duration;

/**
 * An overall token bucket over all items: {@code qps} tokens a second, at most {@code burst} saved
 * up. Each {@link #when} reserves a token and answers how long until that token exists, so a storm
 * of retries is spread out instead of hammering the apiserver.
 */
public final class TokenBucket implements RateLimiter {
    private final double qps;
    private final double burst;
    private final java.util.function.LongSupplier nanoClock;
    private double tokens;
    private long lastNanos;

    public TokenBucket(double qps, int burst) {
        this(qps, burst, System::nanoTime);
    }

    TokenBucket(double qps, int burst, java.util.function.LongSupplier nanoClock) {
        this.qps = qps;
        this.burst = burst;
        this.nanoClock = nanoClock;
        this.tokens = burst;
        this.lastNanos = nanoClock.getAsLong();
    }

    @Override
    public synchronized Duration when(String item) {
        long now = nanoClock.getAsLong();
        tokens = Math.min(burst, tokens + (now - lastNanos) / 1e9 * qps);
        lastNanos = now;
        tokens -= 1;
        if (tokens >= 0) {
            return Duration.ZERO;
        }
        // a negative balance is a reservation: wait until it is paid back
        return Duration.ofNanos((long) (-tokens / qps * 1e9));
    }

    @Override
    public void forget(String item) {
        // the bucket is shared: nothing per item to forget
    }

    @Override
    public int retries(String item) {
        return 0;
    }
}
