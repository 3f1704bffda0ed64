package io.kube4j.controllermanager.runtime;

import io.kube4j.api.KubeObject;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.Store;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * One informer per resource type (and namespace), shared by every controller that reads it, so the
 * controller-manager keeps one watch and one cache per type. Every store is indexed by namespace.
 * Controllers ask for informers and add their indexes and handlers in their constructors; then
 * {@link #start()} starts them all.
 */
public final class SharedInformers {
    /** The index of every store by {@code metadata.namespace}. */
    public static final String BY_NAMESPACE = "namespace";

    private final ApiClient client;
    private final Map<String, Informer<?>> informers = new ConcurrentHashMap<>();
    private final Map<Informer<?>, Set<String>> indexNames = new ConcurrentHashMap<>();
    private final List<Runnable[]> lifecycles = new java.util.concurrent.CopyOnWriteArrayList<>();

    public SharedInformers(ApiClient client) {
        this.client = client;
    }

    /** The informer on all objects of {@code type} in all namespaces. */
    public <T extends KubeObject> Informer<T> informer(Class<T> type) {
        return informer(type, null);
    }

    /** The informer on the objects of {@code type} in {@code namespace} (null: all namespaces). */
    @SuppressWarnings("unchecked")
    public <T extends KubeObject> Informer<T> informer(Class<T> type, String namespace) {
        String id = type.getName() + "@" + (namespace == null ? "" : namespace);
        return (Informer<T>) informers.computeIfAbsent(id, k -> {
            Informer<T> informer = new Informer<>(client, type, namespace, ListOptions.ALL);
            informer.addIndex(BY_NAMESPACE, o -> List.of(o.metadata.namespace == null ? "" : o.metadata.namespace));
            indexNames.put(informer, new HashSet<>(Set.of(BY_NAMESPACE)));
            return informer;
        });
    }

    /** Adds an index to {@code informer} unless one of that name exists; call before {@link #start()}. */
    public synchronized <T extends KubeObject> void index(Informer<T> informer, String name, Function<T, List<String>> function) {
        if (indexNames.computeIfAbsent(informer, i -> new HashSet<>()).add(name)) {
            informer.addIndex(name, function);
        }
    }

    /** The objects of {@code store} in {@code namespace}. */
    public static <T extends KubeObject> List<T> inNamespace(Store<T> store, String namespace) {
        return store.byIndex(BY_NAMESPACE, namespace == null ? "" : namespace);
    }

    /**
     * Something else to start and stop with the informers, e.g. the custom resources' informers
     * ({@link CustomResources}), which come and go with discovery: it then runs only while this replica
     * leads, as the shared informers do.
     */
    public void addLifecycle(Runnable onStart, Runnable onStop) {
        lifecycles.add(new Runnable[]{onStart, onStop});
    }

    public void start() {
        informers.values().forEach(Informer::start);
        lifecycles.forEach(l -> l[0].run());
    }

    public void stop() {
        lifecycles.forEach(l -> l[1].run());
        informers.values().forEach(Informer::stop);
    }

    public List<Informer<?>> all() {
        return new ArrayList<>(informers.values());
    }
}
