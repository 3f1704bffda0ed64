package io.kube4j.controllermanager.runtime;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Set;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * The resources the apiserver's discovery names beyond the built-in kinds ({@link ResourceTypes#ALL}),
 * i.e. custom resources, and a cache of their objects for the garbage collector and the namespace
 * controller. Discovery is re-run every {@code discoveryPeriod}, as kube-controller-manager re-runs it
 * for its garbage collector (garbagecollector.go {@code Sync}, every 30 s) and as the namespace
 * controller does on each pass (namespaced_resources_deleter.go, {@code ServerPreferredNamespacedResources}):
 * the preferred version of every group in {@code /apis}, resources without a {@code /} (no
 * subresources). Discovery is also re-run (within {@link #REDISCOVERY_DELAY}) whenever a
 * CustomResourceDefinition is added, changed (e.g. becomes Established) or deleted, seen by a watch.
 * <p>
 * Every discovered custom resource the garbage collector can act on (Kubernetes' "deletable" resources:
 * verbs list, watch and delete) gets its own {@link Informer} of untyped {@link CustomObject}s, started
 * when discovery first finds it and stopped when discovery no longer does, as the GraphBuilder starts
 * and stops its monitors (graph_builder.go {@code syncMonitors}); the informers' events reach the
 * {@link Handler}s, which (as informer handlers do) only enqueue keys. Everything here runs between
 * {@link #start()} and {@link #stop()}, which the controller-manager calls with the shared informers,
 * i.e. only while this replica holds the leader-election Lease.
 */
public final class CustomResources {
    private static final Logger log = LoggerFactory.getLogger(CustomResources.class);
    /** How long after a CustomResourceDefinition event discovery is re-run (events in between share one run). */
    public static final Duration REDISCOVERY_DELAY = Duration.ofMillis(100);
    /** Where the CustomResourceDefinitions live; watched only to know when to re-run discovery. */
    static final ResourceType CRDS = new ResourceType("apiextensions.k8s.io", "v1", "customresourcedefinitions", "customresourcedefinition",
            "CustomResourceDefinition", false, CustomObject.class, List.of("crd", "crds"), List.of("api-extensions"));

    /** Told of every change the watches show; must only enqueue work. */
    public interface Handler {
        void onAdd(CustomObject obj);

        void onUpdate(CustomObject old, CustomObject obj);

        void onDelete(CustomObject obj);
    }

    private final ApiClient client;
    private final Duration discoveryPeriod;
    private final List<Handler> handlers = new CopyOnWriteArrayList<>();
    private volatile List<ApiResource> resources = List.of();
    // null: the last discovery succeeded
    private volatile String discoveryError;
    // groupResource -> key -> object
    private final Map<String, Map<String, CustomObject>> objects = new ConcurrentHashMap<>();
    // groupResource -> the informer of the watched resource (the one in the map is the live one)
    private final Map<String, Informer<CustomObject>> informers = new ConcurrentHashMap<>();
    private final AtomicBoolean rediscoveryPending = new AtomicBoolean();
    private ScheduledExecutorService executor;
    private Informer<CustomObject> definitions;
    private volatile boolean running;

    /** {@code client} may be null in tests, which set {@link #setResources} and {@link #replace} directly. */
    public CustomResources(ApiClient client, Duration discoveryPeriod) {
        this.client = client;
        this.discoveryPeriod = discoveryPeriod;
    }

    public void addHandler(Handler handler) {
        handlers.add(handler);
    }

    /** The custom resources the last discovery found. */
    public List<ApiResource> resources() {
        return resources;
    }

    /** The error of the last discovery, or null when it succeeded. */
    public String discoveryError() {
        return discoveryError;
    }

    /** The discovered resource of objects of {@code apiVersion} and {@code kind} (an ownerReference's). */
    public Optional<ApiResource> resourceFor(String apiVersion, String kind) {
        String group = apiVersion == null || !apiVersion.contains("/") ? "" : apiVersion.substring(0, apiVersion.indexOf('/'));
        return resources.stream().filter(r -> r.group().equals(group) && r.kind().equals(kind)).findFirst();
    }

    /** The discovered resource whose {@link ApiResource#groupResource()} is {@code groupResource}. */
    public Optional<ApiResource> resource(String groupResource) {
        return resources.stream().filter(r -> r.groupResource().equals(groupResource)).findFirst();
    }

    /** The cached object of {@code groupResource} at {@code key}, or null. */
    public CustomObject get(String groupResource, String key) {
        Map<String, CustomObject> m = objects.get(groupResource);
        return m == null ? null : m.get(key);
    }

    /** The cached object with {@code uid}. */
    public Optional<CustomObject> byUid(String uid) {
        if (uid == null) {
            return Optional.empty();
        }
        return objects.values().stream().flatMap(m -> m.values().stream()).filter(o -> uid.equals(o.metadata.uid)).findFirst();
    }

    /** The cached objects with an ownerReference to {@code ownerUid}. */
    public List<CustomObject> dependents(String ownerUid) {
        return objects.values().stream().flatMap(m -> m.values().stream())
                .filter(o -> o.metadata.ownerReferences.stream().anyMatch(r -> Objects.equals(r.uid, ownerUid))).toList();
    }

    /** The groupResources watched now (an informer each), sorted. */
    public List<String> watched() {
        return informers.keySet().stream().sorted().toList();
    }

    /** Whether every watched resource's informer has listed once. */
    public boolean hasSynced() {
        return informers.values().stream().allMatch(Informer::hasSynced);
    }

    /**
     * Replaces the discovered resources: the objects of resources no longer served (or now served at
     * another preferred version) are gone and their informers stopped; while running, every new
     * watchable resource gets a started informer.
     */
    public synchronized void setResources(List<ApiResource> discovered) {
        this.resources = List.copyOf(discovered);
        Set<String> keep = new HashSet<>();
        for (ApiResource r : discovered) {
            keep.add(r.groupResource());
        }
        for (Map.Entry<String, Informer<CustomObject>> e : new ArrayList<>(informers.entrySet())) {
            Optional<ApiResource> now = resource(e.getKey());
            if (now.isEmpty() || !watchable(now.get()) || !now.get().apiVersion().equals(e.getValue().resource().apiVersion())) {
                log.info("stopping the informer of {}", e.getKey());
                e.getValue().stop();
                informers.remove(e.getKey());
                if (now.isPresent()) {
                    // served at another version: its objects come again from the new informer
                    drop(e.getKey());
                }
            }
        }
        for (String gr : new ArrayList<>(objects.keySet())) {
            if (!keep.contains(gr)) {
                drop(gr);
            }
        }
        if (running && client != null) {
            for (ApiResource r : discovered) {
                if (watchable(r) && !informers.containsKey(r.groupResource())) {
                    startInformer(r);
                }
            }
        }
    }

    private void drop(String groupResource) {
        Map<String, CustomObject> gone = objects.remove(groupResource);
        if (gone != null) {
            gone.values().forEach(o -> handlers.forEach(h -> h.onDelete(o)));
        }
    }

    // Kubernetes' GC watches the resources whose verbs include delete, list and watch (GetDeletableResources)
    private static boolean watchable(ApiResource r) {
        return r.supports("list") && r.supports("watch") && r.supports("delete");
    }

    private void startInformer(ApiResource r) {
        Informer<CustomObject> informer = new Informer<>(client, r.toResourceType(), CustomObject.class, null, ListOptions.ALL, 30);
        informer.setTransform(o -> {
            o.resource = r;
            // a list's items may omit apiVersion and kind
            if (o.kind == null) {
                o.kind = r.kind();
            }
            if (o.apiVersion == null) {
                o.apiVersion = r.apiVersion();
            }
            return o;
        });
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CustomObject obj) {
                if (live(informer, r)) {
                    objects.computeIfAbsent(r.groupResource(), k -> new ConcurrentHashMap<>()).put(r.keyOf(obj.metadata.namespace, obj.metadata.name), obj);
                    handlers.forEach(h -> h.onAdd(obj));
                }
            }

            @Override
            public void onUpdate(CustomObject old, CustomObject obj) {
                if (live(informer, r)) {
                    objects.computeIfAbsent(r.groupResource(), k -> new ConcurrentHashMap<>()).put(r.keyOf(obj.metadata.namespace, obj.metadata.name), obj);
                    handlers.forEach(h -> h.onUpdate(old, obj));
                }
            }

            @Override
            public void onDelete(CustomObject obj) {
                if (live(informer, r)) {
                    Map<String, CustomObject> m = objects.get(r.groupResource());
                    if (m != null) {
                        m.remove(r.keyOf(obj.metadata.namespace, obj.metadata.name));
                    }
                    handlers.forEach(h -> h.onDelete(obj));
                }
            }
        });
        informers.put(r.groupResource(), informer);
        log.info("watching {} ({})", r.groupResource(), r.apiVersion());
        informer.start();
    }

    // an informer stopped since (its resource gone) must not touch the cache any more
    private boolean live(Informer<CustomObject> informer, ApiResource r) {
        return informers.get(r.groupResource()) == informer;
    }

    /**
     * Makes {@code items} the cached objects of {@code resource}, telling the handlers what changed (what
     * an informer's re-list does); for tests, which have no apiserver.
     */
    public synchronized void replace(ApiResource resource, List<CustomObject> items) {
        Map<String, CustomObject> old = objects.getOrDefault(resource.groupResource(), Map.of());
        Map<String, CustomObject> now = new HashMap<>();
        for (CustomObject o : items) {
            o.resource = resource;
            now.put(resource.keyOf(o.metadata.namespace, o.metadata.name), o);
        }
        objects.put(resource.groupResource(), new ConcurrentHashMap<>(now));
        now.forEach((key, o) -> {
            CustomObject before = old.get(key);
            if (before == null) {
                handlers.forEach(h -> h.onAdd(o));
            } else if (!Objects.equals(before.metadata.resourceVersion, o.metadata.resourceVersion)) {
                handlers.forEach(h -> h.onUpdate(before, o));
            }
        });
        old.forEach((key, o) -> {
            if (!now.containsKey(key)) {
                handlers.forEach(h -> h.onDelete(o));
            }
        });
    }

    /** Re-runs discovery; on failure keeps the previous resources and records the error. */
    public void discover() {
        if (client == null) {
            // tests set the resources themselves
            return;
        }
        try {
            setResources(discoverCustom(client));
            discoveryError = null;
        } catch (RuntimeException e) {
            discoveryError = String.valueOf(e.getMessage());
            log.warn("discovery failed: {}", e.toString());
        }
    }

    /**
     * The custom resources the apiserver serves: for every group of {@code /apis} its preferred version's
     * APIResourceList, minus subresources and the built-in resources.
     */
    public static List<ApiResource> discoverCustom(ApiClient client) {
        List<ApiResource> out = new ArrayList<>();
        JsonNode groups = Json.tree(client.getText("/apis")).path("groups");
        for (JsonNode g : groups) {
            String group = g.path("name").asString();
            String gv = g.path("preferredVersion").path("groupVersion").asString();
            if (gv.isEmpty() && g.path("versions").size() > 0) {
                gv = g.path("versions").get(0).path("groupVersion").asString();
            }
            if (gv.isEmpty() || ResourceTypes.ALL.stream().map(ResourceType::group).anyMatch(group::equals) && allBuiltIn(group)) {
                continue;
            }
            String version = gv.substring(gv.indexOf('/') + 1);
            JsonNode list = Json.tree(client.getText("/apis/" + gv)).path("resources");
            for (JsonNode r : list) {
                String name = r.path("name").asString();
                if (name.contains("/") || builtIn(group, name)) {
                    continue;
                }
                List<String> verbs = new ArrayList<>();
                r.path("verbs").forEach(v -> verbs.add(v.asString()));
                out.add(new ApiResource(group, version, name, r.path("kind").asString(), r.path("namespaced").asBoolean(), verbs));
            }
        }
        return out;
    }

    // a built-in group's resources are all built in: no need to ask for its resource list
    private static boolean allBuiltIn(String group) {
        return !group.contains(".") || group.endsWith(".k8s.io");
    }

    private static boolean builtIn(String group, String resource) {
        return ResourceTypes.ALL.stream().anyMatch(rt -> rt.group().equals(group) && rt.resource().equals(resource));
    }

    /**
     * Discovers at once, then every {@code discoveryPeriod} and shortly after every CustomResourceDefinition
     * event; watches every watchable custom resource found. Called when this replica starts leading.
     */
    public synchronized void start() {
        if (executor != null || client == null) {
            return;
        }
        running = true;
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("custom-resources").factory());
        executor.scheduleWithFixedDelay(this::discover, 0, discoveryPeriod.toMillis(), TimeUnit.MILLISECONDS);
        definitions = new Informer<>(client, CRDS, CustomObject.class, null, ListOptions.ALL, 30);
        definitions.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CustomObject obj) {
                rediscoverSoon();
            }

            @Override
            public void onUpdate(CustomObject old, CustomObject obj) {
                rediscoverSoon();
            }

            @Override
            public void onDelete(CustomObject obj) {
                rediscoverSoon();
            }
        });
        definitions.start();
    }

    private void rediscoverSoon() {
        ScheduledExecutorService ex = executor;
        if (ex != null && rediscoveryPending.compareAndSet(false, true)) {
            try {
                ex.schedule(() -> {
                    rediscoveryPending.set(false);
                    discover();
                }, REDISCOVERY_DELAY.toMillis(), TimeUnit.MILLISECONDS);
            } catch (java.util.concurrent.RejectedExecutionException e) {
                // stopping
                rediscoveryPending.set(false);
            }
        }
    }

    /** Stops discovery and every informer (this replica stopped leading, or shuts down). */
    public synchronized void stop() {
        running = false;
        if (definitions != null) {
            definitions.stop();
            definitions = null;
        }
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
        informers.values().forEach(Informer::stop);
        informers.clear();
    }
}
