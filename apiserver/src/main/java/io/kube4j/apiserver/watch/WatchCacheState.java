package io.kube4j.apiserver.watch;

import java.util.EnumSet;
import java.util.Set;

/**
 * The states of the {@link WatchCache} and the only moves between them. The cache's own thread is the
 * only one that moves it, so two reloads can never run at once.
 *
 * <pre>
 *   LOADING ──────────────┐ (snapshot installed, watch answered)
 *      │ watch broke       ▼
 *      │ before answering  SYNCED ◀────────────────────────┐
 *      ▼                     │ watch broke                  │ re-established from revision+1
 *   RECONNECTING ◀───────────┘                              │ (etcd still has that history)
 *      │  └──────────────────────────────────────────────────┘
 *      │ revision+1 compacted
 *      ▼
 *   RELOADING ── snapshot installed, watch answered ──▶ SYNCED
 *      └── snapshot installed, watch broke before answering ──▶ RECONNECTING
 *   (any) ── close() ──▶ CLOSED
 * </pre>
 *
 * <p>Kubernetes' cacher has the same cycle in fewer words: its reflector keeps re-watching from the last
 * resourceVersion while the error is retriable ({@code client-go/tools/cache/reflector.go}, watch loop),
 * and only an expired ("too old resource version") watch makes {@code Cacher.startCaching}
 * ({@code staging/src/k8s.io/apiserver/pkg/storage/cacher/cacher.go}) terminate every watcher and list
 * again ({@code watchCache.Replace}).
 */
public enum WatchCacheState {
    /** Nothing loaded yet: the first snapshot is being read (retried while etcd is unreachable). */
    LOADING,
    /** The etcd watch delivers: lists and watches are current. */
    SYNCED,
    /**
     * The etcd watch broke. The cached objects are still a consistent state at the cache's revision and
     * are served as such; the cache re-establishes the watch from revision + 1, one attempt at a time.
     */
    RECONNECTING,
    /**
     * etcd no longer has the history after the cache's revision (compacted): one snapshot is being read
     * page by page; the previous state is served until the new one replaces it in one step.
     */
    RELOADING,
    /** Stopped for good. */
    CLOSED;

    /** Whether the cache may move from this state to {@code to} (staying in the same state is no move). */
    public boolean canMoveTo(WatchCacheState to) {
        return allowedFrom().contains(to);
    }

    private Set<WatchCacheState> allowedFrom() {
        return switch (this) {
            case LOADING -> EnumSet.of(SYNCED, RECONNECTING, CLOSED);
            case SYNCED -> EnumSet.of(RECONNECTING, CLOSED);
            case RECONNECTING -> EnumSet.of(SYNCED, RELOADING, CLOSED);
            case RELOADING -> EnumSet.of(SYNCED, RECONNECTING, CLOSED);
            case CLOSED -> EnumSet.noneOf(WatchCacheState.class);
        };
    }
}
