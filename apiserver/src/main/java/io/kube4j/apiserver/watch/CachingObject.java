package io.kube4j.apiserver.watch;

import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

import java.lang.ref.SoftReference;

/**
 * A cached object together with its JSON bytes, encoded by the first watcher that needs them and then
 * shared by every other watcher that receives the same event, whatever event type it sees it as
 * (ADDED, MODIFIED or DELETED carry the same object). Kubernetes' {@code cachingObject}
 * ({@code staging/src/k8s.io/apiserver/pkg/storage/cacher/caching_object.go}) does the same per
 * encoding; kube4j caches only JSON, the encoding of its own components and kubectl's default.
 *
 * <p>The object is never mutated once the watch cache holds it, so the bytes stay valid. To bound
 * memory, the watch cache {@linkplain #compact() compacts} an event once it is no longer among the
 * newest ones: the decoded tree (several times the size of its JSON) is dropped and only the bytes are
 * kept, which is all a watcher resuming from an older resourceVersion needs: {@link #object()} then
 * decodes it again, once for all the watchers that read it while memory allows (a soft reference).
 */
public final class CachingObject {
    // the tree while the event is recent; null once compacted (json is then set, and set first)
    private volatile ObjectNode object;
    private volatile byte[] json;
    // the tree decoded again from json after compaction, shared by the watchers that read it
    private volatile SoftReference<ObjectNode> decoded;
    // set by the cache's thread when the event that made this object left the recent window while the
    // object was still current (so kept as a tree): compacted as soon as it is replaced
    boolean old;

    /** @param object a cached object, never mutated afterwards */
    public CachingObject(ObjectNode object) {
        this.object = object;
    }

    /**
     * The object. While the event is recent, the cached tree itself; once compacted, a tree decoded from
     * the kept bytes (equal to the original, shared by the callers that read it meanwhile, and as the
     * original never to be mutated).
     */
    public ObjectNode object() {
        ObjectNode o = object;
        if (o != null) {
            return o;
        }
        // many watchers resuming from the same old revision (kubelets after an apiserver restart) scan the
        // same events at about the same time: one decoded copy serves them all while memory allows
        SoftReference<ObjectNode> r = decoded;
        ObjectNode d = r == null ? null : r.get();
        if (d == null) {
            // compact() sets json before it clears object: a null object means the bytes are there
            d = CompactNodes.decode(json);
            decoded = new SoftReference<>(d);
        }
        return d;
    }

    /**
     * The object as compact JSON ({@link Json#writeBytes}), computed at most once. Two watchers racing on
     * the first call may both encode; both get equal bytes. Callers must not modify the returned array.
     */
    public byte[] json() {
        byte[] b = json;
        if (b == null) {
            ObjectNode o = object;
            b = o == null ? json : Json.writeBytes(o);
            json = b;
        }
        return b;
    }

    /**
     * Keeps only the JSON bytes, encoding them now if no watcher has: the event fell out of the recent
     * window. Called by the watch cache's thread. Returns the bytes now held.
     */
    int compact() {
        byte[] b = json();
        object = null;
        return b.length;
    }

    /** Whether only the bytes are held (the tree was dropped). */
    boolean compacted() {
        return object == null;
    }

    /** For tests: whether a compacted object has been decoded again (and not yet collected). */
    boolean decodedAgain() {
        SoftReference<ObjectNode> r = decoded;
        return r != null && r.get() != null;
    }

    /** For tests: whether the bytes are held now. */
    boolean encoded() {
        return json != null;
    }

    /** For tests and the cache: the held tree, without decoding; null once compacted. */
    ObjectNode tree() {
        return object;
    }
}
