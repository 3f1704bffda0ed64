package io.kube4j.apiserver.watch;

/**
 * The requested resourceVersion is older than what the watch cache still holds (its ring buffer moved on,
 * or it reloaded after compaction): the client must re-list. The message is Kubernetes' own
 * ({@code staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go}): the web layer answers 410
 * Expired, or an ERROR event with that Status on a streaming watch.
 */
public class Expired extends RuntimeException {
    /**
     * @param requested the watcher's resourceVersion
     * @param oldest    the revision after which the cache holds every event (a reload's snapshot revision)
     */
    public Expired(long requested, long oldest) {
        super("too old resource version: " + requested + " (" + oldest + ")");
    }
}
