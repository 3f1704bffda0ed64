package io.kube4j.kubelet.manager;

import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;

import java.util.Set;
import java.util.function.Consumer;

/**
 * Where the kubelet reads the ConfigMaps or Secrets its pods refer to (Kubernetes' {@code configmap.Manager}
 * and {@code secret.Manager}): pods are registered when the kubelet learns of them and unregistered when
 * they are gone, and only objects a registered pod refers to may be read.
 *
 * @param <T> ConfigMap or Secret
 */
public interface ObjectManager<T extends KubeObject> {

    /**
     * The object as last seen, never null.
     *
     * @throws ObjectNotFoundException when it does not exist ({@code configmap "x" not found})
     * @throws IllegalStateException   when it cannot be read now (not registered, cache not synced); the message says why
     */
    T get(String namespace, String name);

    /** Starts watching what {@code pod} refers to (again, after a spec change); idempotent. */
    default void registerPod(Pod pod) {
    }

    /** Stops watching what the pod with this uid referred to, unless other pods still refer to it. */
    default void unregisterPod(String podUid) {
    }

    /**
     * Registers {@code listener}, run with the uids of the registered pods that refer to an object whenever
     * that object is created, changed or deleted (on the watch's thread: it must return quickly).
     */
    default void addListener(Consumer<Set<String>> listener) {
    }

    /** Stops every watch (kubelet shutdown). */
    default void stop() {
    }

    /**
     * A manager for a kubelet without an apiserver client: every read fails with Kubernetes' message
     * {@code couldn't get configMap ns/name, no kubeClient defined}.
     *
     * @param kind {@code configMap} or {@code secret}, as that message spells it
     */
    static <T extends KubeObject> ObjectManager<T> none(String kind) {
        return (namespace, name) -> {
            throw new IllegalStateException("couldn't get " + kind + " " + namespace + "/" + name + ", no kubeClient defined");
        };
    }
}
