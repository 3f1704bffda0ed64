package io.kube4j.kubelet.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key exponential backoff as the kubelet uses it for CrashLoopBackOff and ImagePullBackOff: the
 * first retry is immediate, then each one waits twice as long as the last (10 s, 20 s, ... up to 5 min),
 * counted from when the last attempt failed. A container that ran for {@code resetAfter} (10 min)
 * before it failed starts over from the initial delay.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final Duration resetAfter;
    private final Map<String, Duration> delays = new ConcurrentHashMap<>();

    public Backoff(Duration initial, Duration max, Duration resetAfter) {
        this.initial = initial;
        this.max = max;
        this.resetAfter = resetAfter;
    }

    /** Kubernetes' defaults: 10 s doubling to 5 min, reset after 10 min of running. */
    public static Backoff kubelet() {
        return new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5), Duration.ofMinutes(10));
    }

    /**
     * How long a retry of {@code key} must still wait, given that the last attempt ran from
     * {@code startedAt} (null if it never ran) until it failed at {@code failedAt}; zero means now.
     */
    public Duration remaining(String key, Instant startedAt, Instant failedAt, Instant now) {
        Duration delay = delays.get(key);
        if (delay == null || failedAt == null) {
            return Duration.ZERO;
        }
        if (startedAt != null && Duration.between(startedAt, failedAt).compareTo(resetAfter) >= 0) {
            delays.remove(key);
            return Duration.ZERO;
        }
        Instant until = failedAt.plus(delay);
        return now.isBefore(until) ? Duration.between(now, until) : Duration.ZERO;
    }

    /** Records a retry of {@code key}: the next failure waits longer. Returns the delay now in force. */
    public Duration retried(String key) {
        return delays.compute(key, (k, d) -> d == null ? initial : (d.multipliedBy(2).compareTo(max) > 0 ? max : d.multipliedBy(2)));
    }

    /** The delay currently in force for {@code key}, or zero. */
    public Duration current(String key) {
        return delays.getOrDefault(key, Duration.ZERO);
    }

    /** Forgets every key starting with {@code prefix} (a pod's uid when it goes away). */
    public void forget(String prefix) {
        delays.keySet().removeIf(k -> k.startsWith(prefix));
    }
}
