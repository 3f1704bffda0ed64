package io.kube4j.apiserver.watch;

import tools.jackson.databind.node.ObjectNode;

/**
 * One change of one stored object, as the watch cache keeps it: the object after the change (for a
 * delete, the last state with the delete's revision as resourceVersion) and the object before it, so
 * that a filtered watcher can tell "now matches" from "no longer matches", as Kubernetes'
 * {@code watchCacheEvent} keeps {@code Object} and {@code PrevObject}. Both are {@link CachingObject}s:
 * {@code encoded} holds the object's JSON, encoded once and shared by every watcher that receives this
 * event, and {@code prior} is the previous event's {@code encoded} for the same key when that is known
 * (one version of an object is held once, however many events refer to it). Once the event is no longer
 * among the newest, the cache compacts both to their JSON bytes.
 *
 * @param prior      the object before the change, null for a creation
 * @param priorOwned whether {@code prior} belongs to this event alone (its previous version came from a
 *                   snapshot, not from an event): its bytes are then counted with this event's
 * @param trigger      for a pod, its {@code spec.nodeName} after the change ("" when unscheduled); null for other
 *                     kinds. Kept beside the objects as Kubernetes' {@code watchCacheEvent} keeps
 *                     {@code ObjectFields}: a kubelet's watcher skips other nodes' events without decoding them
 * @param priorTrigger the same before the change, null when there was no previous object
 */
public record CacheEvent(long revision, Type type, String key, CachingObject encoded, CachingObject prior, boolean priorOwned,
                         String trigger, String priorTrigger) {
    /** What happened to the key. */
    public enum Type { PUT, DELETE }

    /** An event whose objects are encoded lazily, on the first watcher's demand (tests). */
    public CacheEvent(long revision, Type type, String key, ObjectNode object, ObjectNode previous) {
        this(revision, type, key, new CachingObject(object), previous == null ? null : new CachingObject(previous), true,
                WatchCache.trigger(key, object), WatchCache.trigger(key, previous));
    }

    /** The object after the change (decoded again for the caller once the event has been compacted). */
    public ObjectNode object() {
        return encoded.object();
    }

    /** The object before the change, or null (decoded again for the caller once compacted). */
    public ObjectNode previous() {
        return prior == null ? null : prior.object();
    }
}
