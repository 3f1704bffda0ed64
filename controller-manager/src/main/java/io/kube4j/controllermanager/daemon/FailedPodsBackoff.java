package io.kube4j.controllermanager.daemon;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The DaemonSet controller's back-off for deleting failed daemon pods, per {@code <ds uid>/<node>}
 * (client-go's flowcontrol.Backoff as {@code NewDaemonSetsController} gets it: 1 s doubling to 15 min),
 * so a pod that fails at once on a node is not recreated in a hot loop.
 */
final class FailedPodsBackoff {
    static final Duration INITIAL = Duration.ofSeconds(1);
    static final Duration MAX = Duration.ofMinutes(15);

    private record Entry(Duration backoff, Instant lastUpdate) {
    }

    private final Map<String, Entry> entries = new ConcurrentHashMap<>();

    /** IsInBackOffSinceUpdate: less than the current back-off has passed since the last Next. */
    boolean inBackoff(String key, Instant now) {
        Entry e = entries.get(key);
        return e != null && Duration.between(e.lastUpdate, now).compareTo(e.backoff) < 0;
    }

    /** Get: the current back-off (zero if none). */
    Duration get(String key) {
        Entry e = entries.get(key);
        return e == null ? Duration.ZERO : e.backoff;
    }

    /** Next: starts at 1 s, doubles up to 15 min; an entry idle for twice the maximum starts over. */
    void next(String key, Instant now) {
        entries.compute(key, (k, e) -> {
            if (e == null || Duration.between(e.lastUpdate, now).compareTo(MAX.multipliedBy(2)) > 0) {
                return new Entry(INITIAL, now);
            }
            Duration doubled = e.backoff.multipliedBy(2);
            return new Entry(doubled.compareTo(MAX) > 0 ? MAX : doubled, now);
        });
    }
}
