package io.kube4j.controllermanager.daemon;

import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Creations and deletions a DaemonSet's last sync made that the pod informer has not shown yet
 * (Kubernetes' ControllerExpectations, counts only, as the DaemonSet controller uses them). While any
 * is outstanding the DaemonSet's pods are not managed again, only its status is written. Expectations
 * expire after five minutes (ExpectationsTimeout) in case an event was lost.
 */
final class Expectations {
    static final Duration TTL = Duration.ofMinutes(5);

    private record Pending(int adds, int dels, long sinceNanos) {
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    /** SetExpectations: replaces whatever was expected for {@code key}. */
    void set(String key, int adds, int dels) {
        pending.put(key, new Pending(adds, dels, System.nanoTime()));
    }

    /** A creation was seen, failed, or was skipped. */
    void creationObserved(String key) {
        lower(key, 1, 0);
    }

    /** A deletion was seen or failed. */
    void deletionObserved(String key) {
        lower(key, 0, 1);
    }

    /** LowerExpectations. */
    void lower(String key, int adds, int dels) {
        pending.computeIfPresent(key, (k, p) -> new Pending(p.adds - adds, p.dels - dels, p.sinceNanos));
    }

    /** SatisfiedExpectations: nothing outstanding, expired, or never set. */
    boolean satisfied(String key) {
        Pending p = pending.get(key);
        return p == null || (p.adds <= 0 && p.dels <= 0) || System.nanoTime() - p.sinceNanos > TTL.toNanos();
    }

    /** DeleteExpectations: the DaemonSet is gone. */
    void forget(String key) {
        pending.remove(key);
    }

    /** Outstanding creations (for tests). */
    int pendingCreations(String key) {
        Pending p = pending.get(key);
        return p == null ? 0 : p.adds;
    }
}
