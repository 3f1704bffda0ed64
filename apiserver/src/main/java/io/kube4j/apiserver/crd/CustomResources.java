package io.kube4j.apiserver.crd;

import io.kube4j.api.CustomResourceDefinition;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.Strategies;
import io.kube4j.apiserver.table.CustomColumns;
import io.kube4j.apiserver.watch.Expired;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * The apiextensions controllers of the apiserver, in one loop woken by every CRD event (and at least
 * once a second): the naming controller (accepts names that no other CRD of the group uses:
 * {@code NamesAccepted}), the establishing controller ({@code Established}), the CRD handler's registry
 * of served custom resources (one {@link CustomResourceStrategy} per served version, registered before
 * Established is written so a client that sees Established can use the resource), and the finalizing
 * controller (deletes the instances of a terminating CRD, then lifts the
 * {@value CustomResourceDefinitionStrategy#CLEANUP_FINALIZER} finalizer).
 *
 * <p>Kubernetes: {@code apiextensions-apiserver/pkg/controller/status/naming_controller.go},
 * {@code .../controller/establish/establishing_controller.go}, {@code .../controller/finalizer/crd_finalizer.go},
 * {@code .../apiserver/customresource_handler.go}.
 */
@Component
public class CustomResources implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(CustomResources.class);
    private static final ResourceType CRDS = CustomResourceDefinitionStrategy.TYPE;

    private final Registry registry;
    private final Strategies strategies;
    /** The types served now per CRD name, to unregister what a CRD no longer serves. */
    private final Map<String, List<ResourceType>> served = new HashMap<>();
    /** The resourceVersion each CRD was last served at: an unchanged CRD is not registered again on every pass. */
    private final Map<String, String> servedAt = new HashMap<>();
    private volatile boolean running;
    private Thread thread;

    public CustomResources(Registry registry, Strategies strategies) {
        this.registry = registry;
        this.strategies = strategies;
    }

    @Override
    public void start() {
        running = true;
        thread = Thread.ofPlatform().daemon().name("apiextensions-controllers").start(this::run);
    }

    @Override
    public void stop() {
        running = false;
        if (thread != null) {
            thread.interrupt();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    /** After the watch cache (ApiServerLifecycle, default phase) has started. */
    @Override
    public int getPhase() {
        return Integer.MAX_VALUE - 1;
    }

    private void run() {
        WatchCache cache = registry.cache();
        String prefix = Registry.prefix(CRDS, null);
        long from = 0;
        while (running) {
            try {
                if (from == 0) {
                    from = cache.snapshot(prefix, o -> true).revision();
                } else {
                    from = cache.eventsAfter(prefix, o -> true, from, 1000, Duration.ofSeconds(1)).revision();
                }
                syncAll();
            } catch (Expired e) {
                from = 0;
            } catch (RuntimeException e) {
                if (!running) {
                    return;
                }
                log.warn("apiextensions controllers: {}", e.toString());
                from = 0;
                sleep(500);
            }
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** One pass over every CRD: names, establishment, served types, finalization. Visible for tests. */
    synchronized void syncAll() {
        List<ObjectNode> crds = registry.cache().snapshot(Registry.prefix(CRDS, null), o -> true).items();
        Set<String> present = new HashSet<>();
        for (ObjectNode tree : crds) {
            String name = Registry.meta(tree).path("name").asString("");
            present.add(name);
            try {
                sync(tree, crds);
            } catch (ApiError e) {
                if (e.code() != 404 && e.code() != 409) {
                    log.warn("CRD {}: {}", name, e.getMessage());
                }
            }
        }
        for (String gone : new ArrayList<>(served.keySet())) {
            if (!present.contains(gone)) {
                unserve(gone);
            }
        }
    }

    private void sync(ObjectNode tree, List<ObjectNode> all) {
        CustomResourceDefinition crd = Json.convert(tree, CustomResourceDefinition.class);
        String name = crd.metadata.name;
        if (crd.metadata.deletionTimestamp != null) {
            finalizeCrd(crd, tree);
            return;
        }
        // naming controller: only when spec and accepted names differ, or the condition is missing
        Names accepted = Names.of(crd.status == null ? null : crd.status.acceptedNames);
        Names requested = Names.of(crd.spec.names);
        boolean namesOk = CustomResourceDefinitionStrategy.conditionTrue(tree, "NamesAccepted");
        if (!requested.equals(accepted) || !namesOk) {
            ObjectNode status = calculateNames(crd, all);
            registry.guaranteedUpdate(CRDS, null, name, null, Registry.Part.STATUS, false, cur -> {
                cur.set("status", mergeStatus(cur, status));
                return cur;
            });
            return; // our own write wakes the loop again
        }
        // CRD handler: serve the accepted names, then establish
        if (!Objects.equals(servedAt.get(name), crd.metadata.resourceVersion)) {
            serve(crd);
            servedAt.put(name, crd.metadata.resourceVersion);
        }
        if (!CustomResourceDefinitionStrategy.established(tree)) {
            registry.guaranteedUpdate(CRDS, null, name, null, Registry.Part.STATUS, false, cur -> {
                CustomResourceDefinitionStrategy.setCondition(cur, "Established", "True", "InitialNamesAccepted", "the initial names have been accepted");
                return cur;
            });
        }
    }

    private static JsonNode mergeStatus(ObjectNode cur, ObjectNode computed) {
        ObjectNode status = cur.path("status").isObject() ? ((ObjectNode) cur.get("status")).deepCopy() : Json.mapper().createObjectNode();
        status.set("acceptedNames", computed.get("acceptedNames"));
        ObjectNode holder = Json.mapper().createObjectNode();
        holder.set("status", status);
        for (JsonNode c : computed.path("conditions")) {
            CustomResourceDefinitionStrategy.setCondition(holder, c.path("type").asString(), c.path("status").asString(),
                    c.path("reason").asString(), c.path("message").asString());
        }
        return holder.get("status");
    }

    /** The names of a CRD, for comparing requested and accepted ones. */
    private record Names(String plural, String singular, List<String> shortNames, String kind, String listKind, List<String> categories) {
        static Names of(CustomResourceDefinition.Names n) {
            if (n == null) {
                return new Names("", "", List.of(), "", "", List.of());
            }
            return new Names(Objects.toString(n.plural, ""), Objects.toString(n.singular, ""), n.shortNames == null ? List.of() : n.shortNames,
                    Objects.toString(n.kind, ""), Objects.toString(n.listKind, ""), n.categories == null ? List.of() : n.categories);
        }
    }

    /** calculateNamesAndConditions: what this CRD may use given the names the group's other CRDs have accepted. */
    private static ObjectNode calculateNames(CustomResourceDefinition crd, List<ObjectNode> all) {
        Set<String> resources = new HashSet<>();
        Set<String> kinds = new HashSet<>();
        for (ObjectNode other : all) {
            CustomResourceDefinition o = Json.convert(other, CustomResourceDefinition.class);
            if (!Objects.equals(o.spec.group, crd.spec.group) || Objects.equals(o.metadata.name, crd.metadata.name) || o.status == null || o.status.acceptedNames == null) {
                continue;
            }
            CustomResourceDefinition.Names n = o.status.acceptedNames;
            add(resources, n.plural);
            add(resources, n.singular);
            if (n.shortNames != null) {
                n.shortNames.forEach(s -> add(resources, s));
            }
            add(kinds, n.kind);
            add(kinds, n.listKind);
        }
        CustomResourceDefinition.Names req = crd.spec.names;
        CustomResourceDefinition.Names acc = crd.status == null || crd.status.acceptedNames == null ? new CustomResourceDefinition.Names() : crd.status.acceptedNames;
        CustomResourceDefinition.Names out = new CustomResourceDefinition.Names();
        String reason = null;
        String message = null;
        String err;
        if ((err = conflict(req.plural, acc.plural, resources)) != null) {
            reason = "PluralConflict";
            message = err;
            out.plural = acc.plural;
        } else {
            out.plural = req.plural;
        }
        if ((err = conflict(req.singular, acc.singular, resources)) != null) {
            reason = "SingularConflict";
            message = err;
            out.singular = acc.singular;
        } else {
            out.singular = req.singular;
        }
        List<String> shortErrs = new ArrayList<>();
        if (req.shortNames != null) {
            for (String s : req.shortNames) {
                if (acc.shortNames != null && acc.shortNames.contains(s)) {
                    continue;
                }
                if ((err = conflict(s, "", resources)) != null) {
                    shortErrs.add(err);
                }
            }
        }
        if (!shortErrs.isEmpty()) {
            reason = "ShortNamesConflict";
            message = shortErrs.size() == 1 ? shortErrs.getFirst() : "[" + String.join(", ", shortErrs) + "]";
            out.shortNames = acc.shortNames;
        } else {
            out.shortNames = req.shortNames;
        }
        if ((err = conflict(req.kind, acc.kind, kinds)) != null) {
            reason = "KindConflict";
            message = err;
            out.kind = acc.kind;
        } else {
            out.kind = req.kind;
        }
        if ((err = conflict(req.listKind, acc.listKind, kinds)) != null) {
            reason = "ListKindConflict";
            message = err;
            out.listKind = acc.listKind;
        } else {
            out.listKind = req.listKind;
        }
        out.categories = req.categories;
        ObjectNode status = Json.mapper().createObjectNode();
        status.set("acceptedNames", Json.toTree(out));
        ArrayNode conds = status.putArray("conditions");
        ObjectNode namesAccepted = conds.addObject();
        namesAccepted.put("type", "NamesAccepted");
        boolean ok = reason == null;
        namesAccepted.put("status", ok ? "True" : "False");
        namesAccepted.put("reason", ok ? "NoConflicts" : reason);
        namesAccepted.put("message", ok ? "no conflicts found" : message);
        boolean established = crd.status != null && crd.status.conditions != null
                && crd.status.conditions.stream().anyMatch(c -> "Established".equals(c.type) && "True".equals(c.status));
        if (!established) {
            ObjectNode est = conds.addObject();
            est.put("type", "Established");
            est.put("status", "False");
            est.put("reason", ok ? "Installing" : "NotAccepted");
            est.put("message", ok ? "the initial names have been accepted" : "not all names are accepted");
        }
        return status;
    }

    private static void add(Set<String> set, String s) {
        if (s != null && !s.isEmpty()) {
            set.add(s);
        }
    }

    /** equalToAcceptedOrFresh. */
    private static String conflict(String requested, String accepted, Set<String> used) {
        if (Objects.equals(requested, accepted) || requested == null || !used.contains(requested)) {
            return null;
        }
        return "\"" + requested + "\" is already in use";
    }

    /** Registers a strategy and a printer per served version, with the accepted names; unregisters versions no longer served. */
    private void serve(CustomResourceDefinition crd) {
        CustomResourceDefinition.Names n = crd.status.acceptedNames;
        String storage = crd.spec.versions.stream().filter(v -> v.storage).map(v -> v.name).findFirst().orElse(crd.spec.versions.getFirst().name);
        String storageApiVersion = crd.spec.group + "/" + storage;
        List<ResourceType> now = new ArrayList<>();
        for (CustomResourceDefinition.Version v : crd.spec.versions) {
            if (!v.served) {
                continue;
            }
            ResourceType rt = new ResourceType(crd.spec.group, v.name, n.plural, n.singular, n.kind, "Namespaced".equals(crd.spec.scope),
                    UnstructuredObject.class, n.shortNames == null ? List.of() : List.copyOf(n.shortNames), n.categories == null ? List.of() : List.copyOf(n.categories),
                    // the accepted listKind (defaulted to <Kind>List): the kind of every list of this resource
                    n.listKind == null || n.listKind.isEmpty() ? n.kind + "List" : n.listKind);
            strategies.register(new CustomResourceStrategy(rt, storageApiVersion, v, CustomResourceStrategy.deprecationWarning(crd.spec, v)));
            List<CustomColumns.Column> cols = new ArrayList<>();
            if (v.additionalPrinterColumns != null) {
                for (CustomResourceDefinition.PrinterColumn c : v.additionalPrinterColumns) {
                    cols.add(new CustomColumns.Column(c.name, c.type, c.format, c.description, c.priority == null ? 0 : c.priority, c.jsonPath));
                }
            }
            CustomColumns.register(rt, cols);
            now.add(rt);
        }
        List<ResourceType> before = served.put(crd.metadata.name, now);
        if (before != null) {
            for (ResourceType old : before) {
                if (now.stream().noneMatch(rt -> rt.version().equals(old.version()) && rt.resource().equals(old.resource()))) {
                    strategies.unregister(old);
                    CustomColumns.unregister(old);
                }
            }
        }
    }

    private void unserve(String crdName) {
        servedAt.remove(crdName);
        List<ResourceType> types = served.remove(crdName);
        if (types != null) {
            for (ResourceType rt : types) {
                strategies.unregister(rt);
                CustomColumns.unregister(rt);
            }
        }
    }

    /**
     * The finalizing controller: Terminating InstanceDeletionInProgress, every instance deleted (with the
     * default options, so their own finalizers still hold them), then, once none is left, the cleanup
     * finalizer removed, which lets the registry remove the CRD.
     */
    private void finalizeCrd(CustomResourceDefinition crd, ObjectNode tree) {
        boolean hasFinalizer = crd.metadata.finalizers != null && crd.metadata.finalizers.contains(CustomResourceDefinitionStrategy.CLEANUP_FINALIZER);
        if (!hasFinalizer) {
            return;
        }
        String name = crd.metadata.name;
        List<ResourceType> types = served.get(name);
        if (types != null) {
            for (ResourceType t : types) {
                if (strategies.of(t) instanceof CustomResourceStrategy crs) {
                    crs.crdTerminating();
                }
            }
        }
        ResourceType rt = types == null || types.isEmpty() ? null : types.getFirst();
        int left = 0;
        if (rt != null) {
            registry.guaranteedUpdate(CRDS, null, name, null, Registry.Part.STATUS, false, cur -> {
                CustomResourceDefinitionStrategy.setCondition(cur, "Terminating", "True", "InstanceDeletionInProgress", "CustomResource deletion is in progress");
                return cur;
            });
            for (ObjectNode o : registry.cache().snapshot(Registry.prefix(rt, null), x -> true).items()) {
                String ns = Registry.meta(o).path("namespace").asString(null);
                try {
                    if (!registry.delete(rt, ns, Registry.meta(o).path("name").asString(), new DeleteOptions(), false).removed()) {
                        left++;
                    }
                } catch (ApiError e) {
                    if (e.code() != 404) {
                        left++;
                    }
                }
            }
        }
        if (left > 0) {
            return; // the next pass (at most a second away) looks again
        }
        registry.guaranteedUpdate(CRDS, null, name, null, Registry.Part.STATUS, false, cur -> {
            CustomResourceDefinitionStrategy.setCondition(cur, "Terminating", "False", "InstanceDeletionCompleted", "removed all instances");
            return cur;
        });
        registry.guaranteedUpdate(CRDS, null, name, null, Registry.Part.MAIN, false, cur -> {
            ArrayNode fins = (ArrayNode) Registry.meta(cur).get("finalizers");
            for (int i = fins.size() - 1; i >= 0; i--) {
                if (CustomResourceDefinitionStrategy.CLEANUP_FINALIZER.equals(fins.get(i).asString(""))) {
                    fins.remove(i);
                }
            }
            return cur;
        });
        unserve(name);
    }
}
