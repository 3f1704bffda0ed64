package io.kube4j.kubelet.pod;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Per-key exponential back-off as the kubelet uses it for CrashLoopBackOff and ImagePullBackOff, the
 * same arithmetic as client-go's {@code util/flowcontrol/backoff.go}: the first attempt is free and
 * creates an entry of {@code initial} (10 s); each later attempt doubles it up to {@code max} (5 min).
 * An attempt is held back while less than the current delay has passed since its event (the exit of
 * the last instance). An entry whose last update is more than {@code 2 * max} (10 min) before the
 * event has expired: a container that ran that long starts over from the initial delay.
 * Every time comes from the caller, so tests need no clock of their own. Thread-safe.
 */
public final class Backoff {
    private final Duration initial;
    private final Duration max;
    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    private record Entry(Duration delay, Instant lastUpdate) {
    }

    /**
     * @param initial the first delay (Kubernetes: 10 s)
     * @param max     the longest delay (Kubernetes' MaxContainerBackOff: 300 s); entries expire after twice this
     */
    public Backoff(Duration initial, Duration max) {
        this.initial = initial;
        this.max = max;
    }

    /** Kubernetes' kubelet values (pkg/kubelet/kubelet.go backOffPeriod, MaxContainerBackOff): 10 s doubling to 5 min. */
    public static Backoff kubelet() {
        return new Backoff(Duration.ofSeconds(10), Duration.ofMinutes(5));
    }

    /**
     * Whether an attempt for {@code key} must still wait at {@code now}, its last failure having happened at
     * {@code eventTime} (flowcontrol's IsInBackOffSince). Read-only.
     */
    public boolean inBackOffSince(String key, Instant eventTime, Instant now) {
        Entry e = entries.get(key);
        if (e == null || eventTime == null || expired(e, eventTime)) {
            return false;
        }
        return Duration.between(eventTime, now).compareTo(e.delay) < 0;
    }

    /**
     * Whether {@code key} is still backing off at {@code now}, counted from its last {@link #next} (flowcontrol's
     * IsInBackOffSinceUpdate: what image pulls use, which have no exit time). Read-only.
     */
    public boolean inBackOffSinceUpdate(String key, Instant now) {
        Entry e = entries.get(key);
        if (e == null || expired(e, now)) {
            return false;
        }
        return Duration.between(e.lastUpdate, now).compareTo(e.delay) < 0;
    }

    /** How long from {@code now} an attempt still has to wait (zero when it may go now). Read-only. */
    public Duration remaining(String key, Instant eventTime, Instant now) {
        if (!inBackOffSince(key, eventTime, now)) {
            return Duration.ZERO;
        }
        Duration left = Duration.between(now, eventTime.plus(entries.get(key).delay));
        return left.isNegative() ? Duration.ZERO : left;
    }

    /**
     * Records an attempt for {@code key} whose previous failure was at {@code eventTime} (flowcontrol's Next):
     * a new or expired entry starts at the initial delay, otherwise the delay doubles up to the maximum.
     */
    public void next(String key, Instant eventTime, Instant now) {
        entries.compute(key, (k, e) -> {
            if (e == null || (eventTime != null && expired(e, eventTime))) {
                return new Entry(initial, now);
            }
            Duration doubled = e.delay.multipliedBy(2);
            return new Entry(doubled.compareTo(max) > 0 ? max : doubled, now);
        });
    }

    /** The delay in force for {@code key}, or zero when there is no entry (what the CrashLoopBackOff message prints). */
    public Duration get(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.delay;
    }

    /** Forgets {@code key} (an image pulled successfully). */
    public void reset(String key) {
        entries.remove(key);
    }

    /** Forgets every key starting with {@code prefix} (a pod's uid when it goes away). */
    public void forget(String prefix) {
        entries.keySet().removeIf(k -> k.startsWith(prefix));
    }

    private boolean expired(Entry e, Instant eventTime) {
        return Duration.between(e.lastUpdate, eventTime).compareTo(max.multipliedBy(2)) > 0;
    }
}
