package io.kube4j.informer;

import io.kube4j.api.KubeList;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.WatchEvent;
import io.kube4j.api.WatchEventList;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.ListOptions;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Function;
import java.util.function.UnaryOperator;

/**
 * The one informer: list, then long-poll watch from the list's resourceVersion, apply each event to
 * the local {@link Store}, then tell the handlers. On 410 Expired it re-lists and reports deletes for
 * the keys that vanished meanwhile; on other errors it backs off exponentially (200 ms doubling to 30 s).
 * Every kube4j component builds on it; nobody writes their own watch loop.
 */
public final class Informer<T extends KubeObject> {
    private static final Logger log = LoggerFactory.getLogger(Informer.class);
    private static final Duration MIN_BACKOFF = Duration.ofMillis(200);
    private static final Duration MAX_BACKOFF = Duration.ofSeconds(30);

    private final ApiClient client;
    private final Class<T> type;
    // where the objects live: null for the built-in kind of type, a discovered one for custom resources
    private final ResourceType resource;
    private volatile UnaryOperator<T> transform = UnaryOperator.identity();
    private final String namespace;
    private final ListOptions selectors;
    private final Store<T> store = new Store<>();
    private final List<ResourceEventHandler<T>> handlers = new CopyOnWriteArrayList<>();
    private final int pollSeconds;
    private volatile boolean synced;
    private volatile boolean stopped;
    private volatile String resourceVersion;
    private volatile Thread thread;

    /** An informer on all objects of {@code type} (in all namespaces). */
    public Informer(ApiClient client, Class<T> type) {
        this(client, type, null, ListOptions.ALL);
    }

    /** An informer on the objects of {@code type} in {@code namespace} (null: all) matching the selectors. */
    public Informer(ApiClient client, Class<T> type, String namespace, ListOptions selectors) {
        this(client, type, namespace, selectors, 30);
    }

    public Informer(ApiClient client, Class<T> type, String namespace, ListOptions selectors, int pollSeconds) {
        // null: the built-in kind of type, reached through ApiClient's typed calls
        this(client, null, type, namespace, selectors, pollSeconds);
    }

    /**
     * An informer on any resource, e.g. a custom resource found by discovery, its objects read as
     * {@code type} (an untyped holder: apiVersion, kind and metadata typed, the rest in
     * {@link KubeObject#unknownFields}). The same list-then-watch as for the built-in kinds.
     *
     * @param resource where the objects live (its {@link ResourceType#type()} is not used)
     */
    public Informer(ApiClient client, ResourceType resource, Class<T> type, String namespace, ListOptions selectors, int pollSeconds) {
        this.client = client;
        this.resource = resource;
        this.type = type;
        this.namespace = namespace;
        this.selectors = selectors == null ? ListOptions.ALL : selectors;
        this.pollSeconds = pollSeconds;
    }

    public Informer<T> addHandler(ResourceEventHandler<T> handler) {
        handlers.add(handler);
        return this;
    }

    /**
     * Applied to every object from a list or a watch event before it is stored or handed to the
     * handlers (client-go's {@code SharedIndexInformer.SetTransform}), e.g. to fill in the apiVersion and
     * kind a list's items may omit. Call before {@link #start()}.
     */
    public Informer<T> setTransform(UnaryOperator<T> transform) {
        this.transform = transform;
        return this;
    }

    /** Where the objects live. */
    public ResourceType resource() {
        return resource != null ? resource : ResourceTypes.of(type);
    }

    private String name() {
        return resource != null ? resource.resource() : type.getSimpleName();
    }

    /** Adds a secondary index to the store; call before {@link #start()}. */
    public Informer<T> addIndex(String name, Function<T, List<String>> indexFunction) {
        store.addIndex(name, indexFunction);
        return this;
    }

    public Store<T> store() {
        return store;
    }

    public Class<T> type() {
        return type;
    }

    /** Whether the first list has been applied to the store. */
    public boolean hasSynced() {
        return synced;
    }

    /** The last resourceVersion seen (list, event or bookmark). */
    public String lastResourceVersion() {
        return resourceVersion;
    }

    /** Starts the list-watch loop on a virtual thread. */
    public synchronized Informer<T> start() {
        if (thread == null) {
            thread = Thread.ofVirtual().name("informer-" + name()).start(this::run);
        }
        return this;
    }

    public void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    /** Blocks until synced or the timeout passes; returns whether it synced. */
    public boolean waitForSync(Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (!synced) {
            if (System.nanoTime() > deadline) {
                return false;
            }
            Thread.sleep(20);
        }
        return true;
    }

    private void run() {
        Duration backoff = MIN_BACKOFF;
        boolean needList = true;
        while (!stopped) {
            try {
                if (needList) {
                    relist();
                    needList = false;
                }
                // randomized so that many informers don't all time out together
                int timeout = pollSeconds <= 1 ? pollSeconds : pollSeconds / 2 + ThreadLocalRandom.current().nextInt(pollSeconds / 2 + 1);
                WatchEventList<T> batch = resource == null
                        ? client.poll(type, namespace, selectors, resourceVersion, timeout)
                        : client.poll(resource, type, namespace, selectors, resourceVersion, timeout);
                for (WatchEvent<T> e : batch.items) {
                    // a stopped informer's store stays as it was: a poll that was in flight must not change it
                    if (stopped) {
                        break;
                    }
                    apply(e);
                }
                if (batch.metadata != null && batch.metadata.resourceVersion != null) {
                    resourceVersion = batch.metadata.resourceVersion;
                }
                backoff = MIN_BACKOFF;
            } catch (ApiException e) {
                if (stopped) {
                    return;
                }
                if (e.isGone()) {
                    log.info("{} watch expired at resourceVersion {}: re-listing", name(), resourceVersion);
                    needList = true;
                    continue;
                }
                log.warn("{} informer: {} (retrying in {} ms)", name(), e.getMessage(), backoff.toMillis());
                if (!sleep(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            } catch (RuntimeException e) {
                if (stopped) {
                    return;
                }
                log.warn("{} informer failed: {} (retrying in {} ms)", name(), e.toString(), backoff.toMillis());
                if (!sleep(backoff)) {
                    return;
                }
                backoff = backoff.multipliedBy(2).compareTo(MAX_BACKOFF) > 0 ? MAX_BACKOFF : backoff.multipliedBy(2);
            }
        }
    }

    private static boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Lists (all pages), replaces the store, and tells handlers what was added, changed or vanished. */
    private void relist() {
        Set<String> seen = new HashSet<>();
        String token = null;
        String listRv;
        do {
            ListOptions options = new ListOptions(selectors.labelSelector(), selectors.fieldSelector(), 500, token, null);
            KubeList<T> page = resource == null ? client.list(type, namespace, options) : client.list(resource, type, namespace, options);
            for (T item : page.items) {
                T obj = transform.apply(item);
                seen.add(obj.key());
                T old = store.put(obj);
                if (old == null) {
                    notifyAdd(obj);
                } else if (!Objects.equals(old.metadata.resourceVersion, obj.metadata.resourceVersion)) {
                    notifyUpdate(old, obj);
                }
            }
            token = page.metadata.continue_;
            listRv = page.metadata.resourceVersion;
        } while (token != null && !token.isEmpty());
        for (String key : store.keys()) {
            if (!seen.contains(key)) {
                T gone = store.remove(key);
                if (gone != null) {
                    notifyDelete(gone);
                }
            }
        }
        resourceVersion = listRv;
        synced = true;
    }

    private void apply(WatchEvent<T> e) {
        T obj = e.object == null ? null : transform.apply(e.object);
        switch (e.type) {
            case "ADDED", "MODIFIED" -> {
                T old = store.put(obj);
                if (old == null) {
                    notifyAdd(obj);
                } else {
                    notifyUpdate(old, obj);
                }
            }
            case "DELETED" -> {
                T old = store.remove(obj.key());
                notifyDelete(old != null ? old : obj);
            }
            default -> {
                // BOOKMARK: only the resourceVersion moves
            }
        }
        if (obj != null && obj.metadata != null && obj.metadata.resourceVersion != null) {
            resourceVersion = obj.metadata.resourceVersion;
        }
    }

    private void notifyAdd(T obj) {
        for (ResourceEventHandler<T> h : handlers) {
            safely(() -> h.onAdd(obj));
        }
    }

    private void notifyUpdate(T old, T obj) {
        for (ResourceEventHandler<T> h : handlers) {
            safely(() -> h.onUpdate(old, obj));
        }
    }

    private void notifyDelete(T obj) {
        for (ResourceEventHandler<T> h : handlers) {
            safely(() -> h.onDelete(obj));
        }
    }

    // a failing handler must not stop the informer for everybody else
    private static void safely(Runnable r) {
        try {
            r.run();
        } catch (RuntimeException e) {
            log.error("event handler failed", e);
        }
    }
}
