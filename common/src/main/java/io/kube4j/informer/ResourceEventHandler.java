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

    /**
     * A handler that runs {@code action} on every add, update and delete, whatever the object: for loops that
     * resync everything on any change (kube-proxy's rule syncs).
     */
    static <T> ResourceEventHandler<T> onAnyChange(Runnable action) {
        return new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                action.run();
            }

            @Override
            public void onUpdate(T oldObj, T newObj) {
                action.run();
            }

            @Override
            public void onDelete(T obj) {
                action.run();
            }
        };
    }
}
