package io.kube4j.apiserver.admission;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Namespaces noted within the last {@code ttl} (Kubernetes' TTL caches of its admission plugins, such as
 * NamespaceLifecycle's forceLiveLookupCache): an entry is forgotten when it is next asked for after its
 * time is up, so the map holds at most the namespaces noted and not asked about since.
 */
final class RecentNamespaces {
    private final long ttlNanos;
    private final ConcurrentHashMap<String, Long> noted = new ConcurrentHashMap<>();

    RecentNamespaces(Duration ttl) {
        this.ttlNanos = ttl.toNanos();
    }

    /** Notes {@code namespace} now. */
    void note(String namespace) {
        noted.put(namespace, System.nanoTime());
    }

    /** Whether {@code namespace} was noted within the ttl. */
    boolean contains(String namespace) {
        Long at = noted.get(namespace);
        if (at == null) return false;
        if (System.nanoTime() - at > ttlNanos) {
            noted.remove(namespace, at);
            return false;
        }
        return true;
    }
}
