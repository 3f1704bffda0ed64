package io.kube4j.kubelet.manager;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;

import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Predicate;

/**
 * Kubernetes' default ConfigMap/Secret change detection strategy, {@code Watch}
 * ({@code pkg/kubelet/util/manager/watch_based_manager.go}): one informer per object a registered pod refers
 * to, listing and watching only that object ({@code fieldSelector=metadata.name=<name>} in its namespace),
 * reference-counted by pod and stopped when no pod refers to it any more, and stopped early once the object
 * is seen {@code immutable} (it can no longer change). Reads come from the informer's store, so they cost
 * no request; a read waits up to a second for the first list of a newly referenced object.
 *
 * <p>Why per object rather than one informer per namespace and kind: a node then holds (and learns of) only
 * the Secrets its own pods use, as Kubernetes' node authorizer insists, and a change to an object wakes just
 * the pods that use it. The cost is one long-poll per referenced object per node, which the apiserver serves
 * on virtual threads.
 *
 * @param <T> ConfigMap or Secret
 */
public final class WatchBasedManager<T extends KubeObject> implements ObjectManager<T> {
    private static final Duration SYNC_TIMEOUT = Duration.ofSeconds(1);

    private final ApiClient client;
    private final Class<T> type;
    // the singular resource in NotFound messages: configmap, secret
    private final String resource;
    private final Function<Pod, Set<String>> references;
    private final Predicate<T> immutable;
    // one watched object by namespace/name; guarded by this
    private final Map<String, Item> items = new HashMap<>();
    // what each registered pod (by uid) refers to, as namespace/name keys; guarded by this
    private final Map<String, Set<String>> registrations = new HashMap<>();
    private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();

    /**
     * @param client     the apiserver
     * @param type       the kind watched
     * @param resource   the singular resource name used in NotFound messages ({@code configmap})
     * @param references the names of the objects of this kind a pod refers to (in the pod's namespace)
     * @param immutable  whether an object can no longer change
     */
    public WatchBasedManager(ApiClient client, Class<T> type, String resource, Function<Pod, Set<String>> references, Predicate<T> immutable) {
        this.client = client;
        this.type = type;
        this.resource = resource;
        this.references = references;
        this.immutable = immutable;
    }

    /** The kubelet's ConfigMap manager (Kubernetes' {@code NewWatchingConfigMapManager}). */
    public static WatchBasedManager<ConfigMap> configMaps(ApiClient client) {
        return new WatchBasedManager<>(client, ConfigMap.class, "configmap", PodReferences::configMapNames, c -> Boolean.TRUE.equals(c.immutable));
    }

    /** The kubelet's Secret manager (Kubernetes' {@code NewWatchingSecretManager}). */
    public static WatchBasedManager<Secret> secrets(ApiClient client) {
        return new WatchBasedManager<>(client, Secret.class, "secret", PodReferences::secretNames, s -> Boolean.TRUE.equals(s.immutable));
    }

    @Override
    public synchronized void registerPod(Pod pod) {
        String uid = pod.metadata.uid;
        if (uid == null) {
            return;
        }
        Set<String> keys = new HashSet<>();
        for (String name : references.apply(pod)) {
            keys.add(ObjectMeta.key(pod.metadata.namespace, name));
        }
        Set<String> previous = registrations.put(uid, keys);
        for (String key : keys) {
            if (previous == null || !previous.contains(key)) {
                addReference(pod.metadata.namespace, key, uid);
            }
        }
        if (previous != null) {
            for (String key : previous) {
                if (!keys.contains(key)) {
                    deleteReference(key, uid);
                }
            }
        }
    }

    @Override
    public synchronized void unregisterPod(String podUid) {
        Set<String> previous = registrations.remove(podUid);
        if (previous != null) {
            previous.forEach(key -> deleteReference(key, podUid));
        }
    }

    private void addReference(String namespace, String key, String uid) {
        Item item = items.get(key);
        if (item == null) {
            item = new Item(namespace, key.substring(key.indexOf('/') + 1));
            items.put(key, item);
            item.informer.start();
        }
        item.pods.add(uid);
    }

    private void deleteReference(String key, String uid) {
        Item item = items.get(key);
        if (item != null && item.pods.remove(uid) && item.pods.isEmpty()) {
            items.remove(key);
            item.informer.stop();
        }
    }

    /**
     * The object from its watch. Messages as Kubernetes' object cache: {@code object "ns"/"name" not registered},
     * {@code failed to sync configmap cache: timed out waiting for the condition}, {@code configmap "name" not found}.
     */
    @Override
    public T get(String namespace, String name) {
        Item item;
        synchronized (this) {
            item = items.get(ObjectMeta.key(namespace, name));
        }
        if (item == null) {
            throw new IllegalStateException("object \"" + namespace + "\"/\"" + name + "\" not registered");
        }
        try {
            if (!item.informer.waitForSync(SYNC_TIMEOUT)) {
                throw new IllegalStateException("failed to sync " + resource + " cache: timed out waiting for the condition");
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("failed to sync " + resource + " cache: interrupted");
        }
        T obj = item.informer.store().get(namespace, name);
        if (obj == null) {
            throw new ObjectNotFoundException(resource, name);
        }
        if (immutable.test(obj)) {
            // it can no longer change: the store keeps it, the watch is not needed
            item.informer.stop();
        }
        return obj;
    }

    @Override
    public void addListener(Consumer<Set<String>> listener) {
        listeners.add(listener);
    }

    @Override
    public synchronized void stop() {
        items.values().forEach(i -> i.informer.stop());
        items.clear();
        registrations.clear();
    }

    /** How many objects are watched now (one informer each). */
    public synchronized int watched() {
        return items.size();
    }

    /** The pods (uids) that refer to {@code namespace/name}, for waking them when it changes. */
    private synchronized Set<String> podsReferring(Item item) {
        return Set.copyOf(item.pods);
    }

    /** One watched object: its informer and the pods that refer to it. */
    private final class Item implements ResourceEventHandler<T> {
        final Set<String> pods = new HashSet<>();
        final Informer<T> informer;

        Item(String namespace, String name) {
            informer = new Informer<>(client, type, namespace, ListOptions.fields("metadata.name=" + name));
            informer.addHandler(this);
        }

        private void changed() {
            Set<String> uids = podsReferring(this);
            if (!uids.isEmpty()) {
                listeners.forEach(l -> l.accept(uids));
            }
        }

        @Override
        public void onAdd(T obj) {
            changed();
        }

        @Override
        public void onUpdate(T oldObj, T newObj) {
            changed();
        }

        @Override
        public void onDelete(T obj) {
            changed();
        }
    }
}
