package io.kube4j.apiserver.registry;

import tools.jackson.databind.node.ObjectNode;

/**
 * How the registry writes one kind's objects: plainly by default, or together with other keys in one
 * transaction (a Service and its ClusterIP/NodePort allocations). Failures are
 * {@link io.kube4j.apiserver.storage.StorageException}s, translated by the registry.
 */
public interface ObjectStore {
    /** Creates {@code obj} at {@code key} (or only computes it, when {@code dryRun}); returns it as stored, with its resourceVersion. */
    ObjectNode create(String key, ObjectNode obj, boolean dryRun);

    /** Writes {@code next} over {@code current} last written at {@code modRevision}; may complete {@code next} in place. Returns the revision. */
    long update(String key, ObjectNode current, ObjectNode next, long modRevision);

    /** Deletes {@code current} last written at {@code modRevision}. Returns the revision of the delete. */
    long delete(String key, ObjectNode current, long modRevision);

    /** Before a main-resource write: carries values the writer may omit (a Service's allocated addresses) from {@code current} into {@code proposed}. */
    default void carryOver(ObjectNode current, ObjectNode proposed) {
    }
}
