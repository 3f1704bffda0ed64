package io.kube4j.kubelet.testing;

import io.kube4j.api.KubeObject;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.manager.ObjectNotFoundException;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * An in-memory ConfigMap or Secret manager for tests: objects are put and removed by hand, reads answer
 * Kubernetes' NotFound ({@code configmap "x" not found}) for what is absent, and every change tells the
 * listeners about the given pods.
 */
public final class MapObjectManager<T extends KubeObject> implements ObjectManager<T> {
    private final String resource;
    private final Map<String, T> objects = new ConcurrentHashMap<>();
    private final List<Consumer<Set<String>>> listeners = new CopyOnWriteArrayList<>();

    /** @param resource {@code configmap} or {@code secret}, as NotFound messages name it */
    public MapObjectManager(String resource) {
        this.resource = resource;
    }

    /** Stores (or replaces) an object and tells the listeners about {@code podUids}. */
    public MapObjectManager<T> put(T obj, String... podUids) {
        objects.put(obj.key(), obj);
        listeners.forEach(l -> l.accept(Set.of(podUids)));
        return this;
    }

    public void remove(String namespace, String name) {
        objects.remove(namespace + "/" + name);
    }

    @Override
    public T get(String namespace, String name) {
        T obj = objects.get(namespace + "/" + name);
        if (obj == null) {
            throw new ObjectNotFoundException(resource, name);
        }
        return obj;
    }

    @Override
    public void addListener(Consumer<Set<String>> listener) {
        listeners.add(listener);
    }
}
