package io.kube4j.informer;

import io.kube4j.api.KubeObject;

import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * The informer's local copy of objects by {@code namespace/name}, with optional secondary indexes
 * (e.g. pods by node). Readers must treat returned objects as read-only: copy before changing.
 */
public final class Store<T extends KubeObject> {
    private final Map<String, T> items = new ConcurrentHashMap<>();
    private final Map<String, Function<T, List<String>>> indexers = new ConcurrentHashMap<>();
    // index name -> index value -> keys
    private final Map<String, Map<String, Set<String>>> indexes = new ConcurrentHashMap<>();

    /** Adds an index; must be called before the informer starts. */
    public void addIndex(String name, Function<T, List<String>> indexFunction) {
        indexers.put(name, indexFunction);
        indexes.put(name, new HashMap<>());
    }

    public T get(String key) {
        return items.get(key);
    }

    public T get(String namespace, String name) {
        return items.get(io.kube4j.api.ObjectMeta.key(namespace, name));
    }

    public List<T> list() {
        return new ArrayList<>(items.values());
    }

    public List<T> list(String namespace) {
        List<T> out = new ArrayList<>();
        for (T t : items.values()) {
            if (namespace == null || namespace.equals(t.metadata.namespace)) {
                out.add(t);
            }
        }
        return out;
    }

    public Set<String> keys() {
        return new HashSet<>(items.keySet());
    }

    public int size() {
        return items.size();
    }

    /** The objects whose index function returned {@code value} for index {@code name}. */
    public List<T> byIndex(String name, String value) {
        Map<String, Set<String>> index = indexes.get(name);
        if (index == null) {
            throw new IllegalArgumentException("no index " + name);
        }
        Set<String> keys;
        synchronized (index) {
            Set<String> k = index.get(value);
            keys = k == null ? Set.of() : new HashSet<>(k);
        }
        List<T> out = new ArrayList<>(keys.size());
        for (String k : keys) {
            T t = items.get(k);
            if (t != null) {
                out.add(t);
            }
        }
        return out;
    }

    /** Puts an object; returns the previous one. */
    T put(T obj) {
        String key = obj.key();
        T old = items.put(key, obj);
        reindex(key, old, obj);
        return old;
    }

    T remove(String key) {
        T old = items.remove(key);
        if (old != null) {
            reindex(key, old, null);
        }
        return old;
    }

    Collection<T> values() {
        return items.values();
    }

    private void reindex(String key, T old, T obj) {
        for (Map.Entry<String, Function<T, List<String>>> e : indexers.entrySet()) {
            Map<String, Set<String>> index = indexes.get(e.getKey());
            synchronized (index) {
                if (old != null) {
                    for (String v : e.getValue().apply(old)) {
                        Set<String> keys = index.get(v);
                        if (keys != null) {
                            keys.remove(key);
                            if (keys.isEmpty()) {
                                index.remove(v);
                            }
                        }
                    }
                }
                if (obj != null) {
                    for (String v : e.getValue().apply(obj)) {
                        index.computeIfAbsent(v, x -> new HashSet<>()).add(key);
                    }
                }
            }
        }
    }
}
