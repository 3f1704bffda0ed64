package io.kube4j.controllermanager.runtime;

import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;

import java.util.List;

/**
 * One controller: event handlers on its informers only put {@code namespace/name} keys into its
 * queue; {@link #reconcile} does the work for one key, reading the informer caches (never mutating
 * them) and writing through the apiserver. It must be idempotent: it may run again for the same key
 * at any time, and must converge.
 */
public interface Controller {
    /** A short name for logs, metrics and the queue, e.g. {@code replicaset}. */
    String name();

    /** The queue the event handlers fill. */
    WorkQueue queue();

    /** The informers whose caches must be synced before the first reconcile. */
    List<Informer<?>> informers();

    /**
     * How many workers reconcile this controller's keys at once; 0 (the default) means the controller-manager's
     * {@code kube4j.controller-manager.workers}. Kubernetes sets it per controller ({@code --concurrent-*-syncs}).
     */
    default int concurrentSyncs() {
        return 0;
    }

    /** Brings the object behind {@code key} towards its desired state. Throwing means retry. */
    Result reconcile(String key);
}
