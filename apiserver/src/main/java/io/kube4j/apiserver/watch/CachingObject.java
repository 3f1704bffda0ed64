package io.kube4j.apiserver.watch;

import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

/**
 * A cached object together with its JSON bytes, encoded by the first watcher that needs them and then
 * shared by every other watcher that receives the same event, whatever event type it sees it as
 * (ADDED, MODIFIED or DELETED carry the same object). Kubernetes' {@code cachingObject}
 * ({@code staging/src/k8s.io/apiserver/pkg/storage/cacher/caching_object.go}) does the same per
 * encoding; kube4j caches only JSON, the encoding of its own components and kubectl's default.
 *
 * <p>The object is never mutated once the watch cache holds it, so the bytes stay valid. To bound
 * memory, the watch cache {@linkplain #release() releases} the bytes once the event is no longer among
 * the newest ones; a watcher that is that far behind encodes for itself, as before.
 */
public final class CachingObject {
    private final ObjectNode object;
    private volatile byte[] json;
    private volatile boolean released;

    /** @param object a cached object, never mutated afterwards */
    public CachingObject(ObjectNode object) {
        this.object = object;
    }

    /** The object itself. */
    public ObjectNode object() {
        return object;
    }

    /**
     * The object as compact JSON ({@link Json#writeBytes}), computed at most once while the event is
     * recent. Two watchers racing on the first call may both encode; both get equal bytes. Callers must
     * not modify the returned array.
     */
    public byte[] json() {
        byte[] b = json;
        if (b == null) {
            b = Json.writeBytes(object);
            if (!released) {
                json = b;
            }
        }
        return b;
    }

    /** Drops the cached bytes for good (the event fell out of the recent window). */
    void release() {
        released = true;
        json = null;
    }

    /** For tests: whether the bytes are held now. */
    boolean encoded() {
        return json != null;
    }
}
