package io.kube4j.controllermanager.job;

import java.time.Duration;
import java.util.Collection;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * What a Job's last sync asked for and the pod informer has not shown yet, in two parts as in
 * Kubernetes: pod creations and deletions as counts ({@code controller.ControllerExpectations}; while
 * any are outstanding the Job does not create or delete pods again, so a lagging watch never makes it
 * act twice; they expire after five minutes in case an event was lost), and the pods whose tracking
 * finalizer it removed ({@code uidTrackingExpectations} in {@code tracking_utils.go}; such a pod is
 * not counted again while the cache still shows its finalizer).
 */
final class JobExpectations {
    static final Duration TTL = Duration.ofMinutes(5);

    private static final class Counts {
        int adds;
        int deletes;
        final long sinceNanos = System.nanoTime();
    }

    private final Map<String, Counts> counts = new ConcurrentHashMap<>();
    private final Map<String, Set<String>> finalizerRemovals = new ConcurrentHashMap<>();

    /** Replaces the outstanding creations of {@code key} (Kubernetes' ExpectCreations sets, not adds). */
    void expectCreations(String key, int n) {
        Counts c = new Counts();
        c.adds = n;
        counts.put(key, c);
    }

    /** Replaces the outstanding deletions of {@code key}. */
    void expectDeletions(String key, int n) {
        Counts c = new Counts();
        c.deletes = n;
        counts.put(key, c);
    }

    void creationObserved(String key) {
        counts.computeIfPresent(key, (k, c) -> {
            c.adds--;
            return c;
        });
    }

    void deletionObserved(String key) {
        counts.computeIfPresent(key, (k, c) -> {
            c.deletes--;
            return c;
        });
    }

    /** Whether the Job may create or delete pods now: nothing outstanding, or the expectations expired. */
    boolean satisfied(String key) {
        Counts c = counts.get(key);
        if (c == null) {
            return true;
        }
        synchronized (c) {
            return (c.adds <= 0 && c.deletes <= 0) || System.nanoTime() - c.sinceNanos > TTL.toNanos();
        }
    }

    /** Outstanding creations (for tests). */
    int pendingCreations(String key) {
        Counts c = counts.get(key);
        return c == null ? 0 : c.adds;
    }

    /** Pods of {@code key} whose finalizer removal was sent and not yet seen. */
    void expectFinalizersRemoved(String key, Collection<String> podUids) {
        finalizerRemovals.computeIfAbsent(key, k -> ConcurrentHashMap.newKeySet()).addAll(podUids);
    }

    /** The pod's finalizer is gone (or its removal failed, so it will not be seen). */
    void finalizerRemovalObserved(String key, String podUid) {
        Set<String> uids = finalizerRemovals.get(key);
        if (uids != null) {
            uids.remove(podUid);
        }
    }

    /** A snapshot of the pods of {@code key} whose finalizer removal is outstanding. */
    Set<String> expectedFinalizerRemovals(String key) {
        Set<String> uids = finalizerRemovals.get(key);
        return uids == null ? Set.of() : new HashSet<>(uids);
    }

    /** Forgets everything about {@code key} (the Job is gone). */
    void delete(String key) {
        counts.remove(key);
        finalizerRemovals.remove(key);
    }
}
