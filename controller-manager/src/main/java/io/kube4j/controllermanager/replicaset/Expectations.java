package io.kube4j.controllermanager.replicaset;

import java.time.Duration;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a ReplicaSet's last sync asked for and the informer has not shown yet (Kubernetes'
 * ControllerExpectations / UIDTrackingControllerExpectations). While creations or deletions are
 * outstanding the controller does not manage replicas again, so a lagging watch never makes it create
 * or delete twice. Expectations expire after five minutes in case an event was lost.
 */
final class Expectations {
    static final Duration TTL = Duration.ofMinutes(5);

    /** Outstanding creations (a count) and deletions (pod keys, so seeing a deletion twice counts once). */
    private static final class Pending {
        int adds;
        final Set<String> deletes = new HashSet<>();
        final long sinceNanos = System.nanoTime();
    }

    private final Map<String, Pending> pending = new ConcurrentHashMap<>();

    void expectCreations(String key, int count) {
        pending.compute(key, (k, p) -> {
            Pending next = p == null ? new Pending() : p;
            next.adds += count;
            return next;
        });
    }

    void expectDeletions(String key, Set<String> podKeys) {
        pending.compute(key, (k, p) -> {
            Pending next = p == null ? new Pending() : p;
            next.deletes.addAll(podKeys);
            return next;
        });
    }

    /** A pod of {@code key} appeared, or a creation failed or was skipped. */
    void creationObserved(String key) {
        pending.computeIfPresent(key, (k, p) -> {
            p.adds--;
            return p;
        });
    }

    /** A pod of {@code key} is being (or was) deleted, or its deletion failed. */
    void deletionObserved(String key, String podKey) {
        pending.computeIfPresent(key, (k, p) -> {
            p.deletes.remove(podKey);
            return p;
        });
    }

    /** Whether the ReplicaSet may manage its replicas now. */
    boolean satisfied(String key) {
        Pending p = pending.get(key);
        if (p == null) {
            return true;
        }
        synchronized (p) {
            return (p.adds <= 0 && p.deletes.isEmpty()) || System.nanoTime() - p.sinceNanos > TTL.toNanos();
        }
    }

    /** Forgets {@code key}: satisfied from now on (sync succeeded in full, or the ReplicaSet is gone). */
    void forget(String key) {
        pending.remove(key);
    }

    /** Outstanding creations of {@code key} (for tests). */
    int pendingCreations(String key) {
        Pending p = pending.get(key);
        return p == null ? 0 : p.adds;
    }
}
