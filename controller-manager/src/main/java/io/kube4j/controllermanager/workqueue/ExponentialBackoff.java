package io.kube4j.controllermanager.workqueue;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/** Per-item exponential backoff: {@code base * 2^retries}, capped at {@code max}. */
public final class ExponentialBackoff implements RateLimiter {
    private final Duration base;
    private final Duration max;
    private final Map<String, Integer> failures = new ConcurrentHashMap<>();

    public ExponentialBackoff(Duration base, Duration max) {
        this.base = base;
        this.max = max;
    }

    @Override
    public Duration when(String item) {
        int exp = failures.merge(item, 1, Integer::sum) - 1;
        // beyond 2^40 every sensible base is past any sensible cap; avoids overflow
        if (exp > 40) {
            return max;
        }
        long nanos = base.toNanos() << exp;
        return nanos <= 0 || nanos > max.toNanos() ? max : Duration.ofNanos(nanos);
    }

    @Override
    public void forget(String item) {
        failures.remove(item);
    }

    @Override
    public int retries(String item) {
        return failures.getOrDefault(item, 0);
    }
}
