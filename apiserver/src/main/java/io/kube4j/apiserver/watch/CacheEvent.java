package io.kube4j.apiserver.watch;

import tools.jackson.databind.node.ObjectNode;

/**
 * One change of one stored object, as the watch cache keeps it: the object after the change (for a
 * delete, the last state with the delete's revision as resourceVersion) and the object before it, so
 * that a filtered watcher can tell "now matches" from "no longer matches". {@code encoded} holds the
 * object's JSON, encoded once and shared by every watcher that receives this event.
 */
public record CacheEvent(long revision, Type type, String key, ObjectNode object, ObjectNode previous, CachingObject encoded) {
    /** What happened to the key. */
    public enum Type { PUT, DELETE }

    /** An event whose object is encoded lazily, on the first watcher's demand. */
    public CacheEvent(long revision, Type type, String key, ObjectNode object, ObjectNode previous) {
        this(revision, type, key, object, previous, new CachingObject(object));
    }
}
