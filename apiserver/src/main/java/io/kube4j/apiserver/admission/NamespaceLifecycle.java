package io.kube4j.apiserver.admission;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * The NamespaceLifecycle admission plugin: a namespaced object may be created only in a namespace that
 * exists (404) and is not being deleted (403 "unable to create new content in namespace X because it is
 * being terminated"). The namespace is looked up in the watch cache first, then in storage (a namespace
 * created a moment ago may not be cached yet); for 30 s after a delete of the namespace is requested it is
 * always read from storage, as Kubernetes' forceLiveLookupCache does. Kubernetes: {@code plugin/pkg/admission/namespace/lifecycle/admission.go}.
 */
@Component
@Order(100)
public class NamespaceLifecycle implements Admission {

    private final WatchCache cache;
    private final Storage storage;
    /**
     * Namespaces a delete was requested for in the last 30 s (Kubernetes' forceLiveLookupCache and its
     * forceLiveLookupTTL): creates in them read the namespace from storage, as the cache may still show it Active.
     */
    private final RecentNamespaces forceLiveLookup = new RecentNamespaces(java.time.Duration.ofSeconds(30));

    public NamespaceLifecycle(WatchCache cache, Storage storage) {
        this.cache = cache;
        this.storage = storage;
    }

    @Override
    public void deleting(io.kube4j.api.ResourceType type, String namespace, String name) {
        if (type.equals(ResourceTypes.NAMESPACES)) {
            forceLiveLookup.note(name);
        }
    }

    @Override
    public void validate(Attributes a) {
        if (a.operation() != Operation.CREATE || !a.type().namespaced()) {
            return;
        }
        String key = Registry.key(ResourceTypes.NAMESPACES, null, a.namespace());
        // a namespace whose deletion this apiserver saw lately is read live: the cache may still show it Active
        ObjectNode ns = forceLiveLookup.contains(a.namespace()) ? null : cache.get(key);
        if (ns == null) {
            ns = storage.get(key).map(s -> (ObjectNode) Json.tree(s.value())).orElse(null);
        }
        if (ns == null) {
            throw ApiError.notFound("", "namespaces", a.namespace());
        }
        if (ns.path("metadata").has("deletionTimestamp") || "Terminating".equals(ns.path("status").path("phase").asString(""))) {
            throw ApiError.forbidden(a.type().group(), a.type().resource(), a.name(),
                    "unable to create new content in namespace " + a.namespace() + " because it is being terminated");
        }
    }
}
