package io.kube4j.apiserver.admission;

import io.kube4j.api.Container;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceQuota;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.StorageErrors;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;
import io.kube4j.quota.QuotaUsage;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;
import java.util.TreeMap;

/**
 * The ResourceQuota admission plugin: a create that would take a namespace's usage past a quota's
 * {@code hard} limit is refused (403 "exceeded quota: ..."), as is a pod that leaves a constrained
 * compute resource unspecified ("must specify ..."). An admitted create is charged to
 * {@code status.used} of every quota covering it, with a compare-and-swap on the quota before the
 * object is written, so concurrent creates can never overrun a quota (50 parallel pods against
 * {@code pods: 10} admit exactly 10). The quota controller later recomputes usage (deletes, failed
 * writes). Where a quota's status has no usage yet for a resource, it is computed here from the watch
 * cache rather than refusing with "status unknown" as Kubernetes does before its controller has run.
 * Kubernetes: {@code staging/src/k8s.io/apiserver/pkg/admission/plugin/resourcequota/controller.go}.
 */
@Component
@Order(500)
public class ResourceQuotaAdmission implements Admission {
    /** The compute resources a pod must specify on every container once a quota constrains them. */
    private static final Map<String, String> MUST_SPECIFY = Map.of(
            "requests.cpu", "requests.cpu", "cpu", "requests.cpu", "requests.memory", "requests.memory", "memory", "requests.memory",
            "limits.cpu", "limits.cpu", "limits.memory", "limits.memory");

    /** How long a create waits for the watch cache to show this apiserver's own latest write. */
    private static final java.time.Duration READ_YOUR_WRITES_WAIT = java.time.Duration.ofSeconds(1);

    /** Namespaces where a ResourceQuota was admitted in the last 10 s, until the cache shows it. */
    private final RecentNamespaces justCreatedQuota = new RecentNamespaces(java.time.Duration.ofSeconds(10));

    private final WatchCache cache;
    private final Storage storage;
    private final ApiServerProperties props;

    public ResourceQuotaAdmission(WatchCache cache, Storage storage, ApiServerProperties props) {
        this.cache = cache;
        this.storage = storage;
        this.props = props;
    }

    @Override
    public void validate(Attributes a) {
        if (a.operation() != Operation.CREATE || !a.type().namespaced()) {
            return;
        }
        if (a.type().equals(ResourceTypes.RESOURCEQUOTAS)) {
            justCreatedQuota.note(a.namespace());
        }
        String prefix = Registry.prefix(ResourceTypes.RESOURCEQUOTAS, a.namespace());
        if (cache.snapshot(prefix, o -> true).items().isEmpty()) {
            if (!justCreatedQuota.contains(a.namespace())) {
                return;
            }
            // A quota this apiserver has just created in this namespace may not have reached the watch cache
            // yet (Kubernetes covers the same window with a live lookup, resource_access.go): wait, briefly,
            // for the cache to see this process's own writes. Only such namespaces wait, so other creates
            // never pay for it.
            try {
                cache.waitUntilFresh(storage.lastWriteRevision(), READ_YOUR_WRITES_WAIT);
            } catch (StorageException e) {
                // etcd or the cache is behind: decide on what the cache has
            }
            if (cache.snapshot(prefix, o -> true).items().isEmpty()) {
                return;
            }
        }
        KubeObject obj = Json.convert(a.object(), a.type().type());
        Map<String, Quantity> delta = QuotaUsage.of(a.type(), obj);
        if (delta.isEmpty()) {
            return;
        }
        long deadline = System.nanoTime() + props.requestTimeout().toNanos();
        for (ObjectNode cachedQuota : cache.snapshot(prefix, o -> true).items()) {
            String key = Registry.key(ResourceTypes.RESOURCEQUOTAS, a.namespace(), cachedQuota.path("metadata").path("name").asString());
            while (true) {
                Storage.Stored stored = storage.get(key).orElse(null);
                if (stored == null) {
                    break;
                }
                ObjectNode tree = (ObjectNode) Json.tree(stored.value());
                ResourceQuota quota = Json.convert(tree, ResourceQuota.class);
                if (!charge(a, obj, quota, delta, tree)) {
                    break;
                }
                try {
                    storage.update(key, Json.writeBytes(tree), stored.modRevision());
                    break;
                } catch (StorageException e) {
                    if (e.kind() != StorageException.Kind.CONFLICT || System.nanoTime() > deadline) {
                        throw StorageErrors.toApiError(e, ResourceTypes.RESOURCEQUOTAS, quota.metadata.name);
                    }
                    // another create charged the quota first: check again against the new usage
                }
            }
        }
    }

    /**
     * Checks {@code delta} against one quota and, if it covers the object, writes the new usage into
     * {@code tree}'s status. Returns false when the quota does not cover the object.
     */
    private boolean charge(Attributes a, KubeObject obj, ResourceQuota quota, Map<String, Quantity> delta, ObjectNode tree) {
        if ((!quota.spec.scopes.isEmpty() || quota.spec.scopeSelector != null) && !QuotaUsage.matchesScopes(quota, obj)) {
            return false;
        }
        if (obj instanceof Pod pod) {
            mustSpecify(a, quota, pod);
        }
        List<String> constrained = QuotaUsage.constrained(quota.spec.hard, delta);
        if (constrained.isEmpty()) {
            return false;
        }
        Map<String, Quantity> used = new LinkedHashMap<>(quota.status.used);
        for (String res : constrained) {
            if (!used.containsKey(res)) {
                used.put(res, currentUsage(a.namespace(), quota, res));
            }
        }
        Map<String, Quantity> requested = new TreeMap<>();
        Map<String, Quantity> usedNow = new TreeMap<>();
        Map<String, Quantity> limited = new TreeMap<>();
        for (String res : constrained) {
            Quantity next = used.get(res).add(delta.get(res));
            if (next.compareTo(quota.spec.hard.get(res)) > 0) {
                requested.put(res, delta.get(res));
                usedNow.put(res, used.get(res));
                limited.put(res, quota.spec.hard.get(res));
            }
        }
        if (!requested.isEmpty()) {
            throw ApiError.forbidden(a.type().group(), a.type().resource(), a.name(), "exceeded quota: " + quota.metadata.name
                    + ", requested: " + pretty(requested) + ", used: " + pretty(usedNow) + ", limited: " + pretty(limited));
        }
        for (String res : constrained) {
            used.put(res, used.get(res).add(delta.get(res)));
        }
        ObjectNode status = tree.putObject("status");
        status.set("hard", Json.toTree(quota.spec.hard));
        ObjectNode u = status.putObject("used");
        used.forEach((k, v) -> u.put(k, v.canonical()));
        return true;
    }

    /** "failed quota: NAME: must specify limits.cpu for: c1; requests.memory for: c1,c2" (1.32's wording). */
    private static void mustSpecify(Attributes a, ResourceQuota quota, Pod pod) {
        Map<String, List<String>> missing = new TreeMap<>();
        List<Container> all = new ArrayList<>(pod.spec.initContainers);
        all.addAll(pod.spec.containers);
        for (String hard : quota.spec.hard.keySet()) {
            String need = MUST_SPECIFY.get(hard);
            if (need == null) {
                continue;
            }
            boolean limits = need.startsWith("limits.");
            String res = need.substring(need.indexOf('.') + 1);
            for (Container c : all) {
                Map<String, Quantity> m = c.resources == null ? null : limits ? c.resources.limits : c.resources.requests;
                if (m == null || !m.containsKey(res)) {
                    missing.computeIfAbsent(need, k -> new ArrayList<>()).add(c.name);
                }
            }
        }
        if (!missing.isEmpty()) {
            StringJoiner j = new StringJoiner("; ");
            missing.forEach((res, containers) -> j.add(res + " for: " + String.join(",", containers)));
            throw ApiError.forbidden("", "pods", a.name(), "failed quota: " + quota.metadata.name + ": must specify " + j);
        }
    }

    /** The namespace's usage of {@code resource} now, summed over the cached objects the quota covers. */
    private Quantity currentUsage(String namespace, ResourceQuota quota, String resource) {
        Quantity sum = Quantity.ZERO;
        for (ResourceType rt : ResourceTypes.ALL) {
            if (!rt.namespaced()) {
                continue;
            }
            for (ObjectNode o : cache.snapshot(Registry.prefix(rt, namespace), x -> true).items()) {
                KubeObject obj = Json.convert(o, rt.type());
                if ((!quota.spec.scopes.isEmpty() || quota.spec.scopeSelector != null) && !QuotaUsage.matchesScopes(quota, obj)) {
                    continue;
                }
                Quantity q = QuotaUsage.of(rt, obj).get(resource);
                if (q != null) {
                    sum = sum.add(q);
                }
            }
        }
        return sum;
    }

    private static String pretty(Map<String, Quantity> m) {
        StringJoiner j = new StringJoiner(",");
        m.forEach((k, v) -> j.add(k + "=" + v.canonical()));
        return j.toString();
    }
}
