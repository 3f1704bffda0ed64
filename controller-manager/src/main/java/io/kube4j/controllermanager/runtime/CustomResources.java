package io.kube4j.controllermanager.runtime;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.client.ApiClient;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
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
 * subresources). The cache is refreshed by a LIST of every listable custom resource every
 * {@code pollPeriod}; changes since the previous LIST reach the {@link Handler}s, which (as informer
 * handlers do) only enqueue keys.
 */
public final class CustomResources {
    private static final Logger log = LoggerFactory.getLogger(CustomResources.class);

    /** Told of every change the LISTs show; must only enqueue work. */
    public interface Handler {
        void onAdd(CustomObject obj);

        void onUpdate(CustomObject old, CustomObject obj);

        void onDelete(CustomObject obj);
    }

    private final ApiClient client;
    private final Duration discoveryPeriod;
    private final Duration pollPeriod;
    private final List<Handler> handlers = new CopyOnWriteArrayList<>();
    private volatile List<ApiResource> resources = List.of();
    // null: the last discovery succeeded
    private volatile String discoveryError;
    // groupResource -> key -> object
    private final Map<String, Map<String, CustomObject>> objects = new ConcurrentHashMap<>();
    private ScheduledExecutorService executor;

    /** {@code client} may be null in tests, which set {@link #setResources} and {@link #replace} directly. */
    public CustomResources(ApiClient client, Duration discoveryPeriod, Duration pollPeriod) {
        this.client = client;
        this.discoveryPeriod = discoveryPeriod;
        this.pollPeriod = pollPeriod;
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

    /** Replaces the discovered resources; the objects of resources no longer served are gone. */
    public synchronized void setResources(List<ApiResource> discovered) {
        this.resources = List.copyOf(discovered);
        for (String gr : new ArrayList<>(objects.keySet())) {
            if (discovered.stream().noneMatch(r -> r.groupResource().equals(gr))) {
                Map<String, CustomObject> gone = objects.remove(gr);
                gone.values().forEach(o -> handlers.forEach(h -> h.onDelete(o)));
            }
        }
    }

    /** Makes {@code items} the cached objects of {@code resource}, telling the handlers what changed. */
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
     * LISTs (all namespaces) into the cache every custom resource the garbage collector can act on:
     * Kubernetes' GC watches the "deletable" resources (verbs delete, list and watch; we LIST instead of
     * watching).
     */
    public void poll() {
        for (ApiResource r : resources) {
            if (!r.supports("list") || !r.supports("delete")) {
                continue;
            }
            try {
                JsonNode list = Json.tree(client.sendJson("GET", r.collectionPath(null), null, null));
                List<CustomObject> items = new ArrayList<>();
                for (JsonNode item : list.path("items")) {
                    CustomObject o = Json.convert(item, CustomObject.class);
                    // a list's items may omit apiVersion and kind
                    if (o.kind == null) {
                        o.kind = r.kind();
                    }
                    if (o.apiVersion == null) {
                        o.apiVersion = r.apiVersion();
                    }
                    items.add(o);
                }
                replace(r, items);
            } catch (RuntimeException e) {
                // e.g. a CRD deleted since discovery: the next discovery drops it
                log.debug("listing {} failed: {}", r.groupResource(), e.toString());
            }
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

    /** Discovers once, then keeps discovering and polling on a daemon thread. */
    public synchronized void start() {
        if (executor != null || client == null) {
            return;
        }
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofPlatform().daemon().name("custom-resources").factory());
        executor.scheduleWithFixedDelay(this::discover, 0, discoveryPeriod.toMillis(), TimeUnit.MILLISECONDS);
        executor.scheduleWithFixedDelay(this::poll, pollPeriod.toMillis(), pollPeriod.toMillis(), TimeUnit.MILLISECONDS);
    }

    public synchronized void stop() {
        if (executor != null) {
            executor.shutdownNow();
            executor = null;
        }
    }
}
