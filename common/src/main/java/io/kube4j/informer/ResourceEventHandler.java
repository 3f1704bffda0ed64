package io.kube4j.informer;

/**
 * Told of every change after the informer's store has it. Implementations must return quickly:
 * enqueue a key and leave the work to a worker.
 */
public interface ResourceEventHandler<T> {
    default void onAdd(T obj) {
    }

    default void onUpdate(T oldObj, T newObj) {
    }

    /** {@code obj} is the last state the informer knew. */
    default void onDelete(T obj) {
    }
}
