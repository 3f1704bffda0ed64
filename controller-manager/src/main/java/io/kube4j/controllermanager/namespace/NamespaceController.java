package io.kube4j.controllermanager.namespace;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Condition;
import io.kube4j.api.Namespace;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ApiResource;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.CustomObject;
import io.kube4j.controllermanager.runtime.CustomResources;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;

import java.time.Duration;
import java.util.Comparator;
import java.util.List;

/**
 * Empties a Terminating namespace: deletes everything in it (owners first, so no controller
 * recreates what was just deleted; live lists, not caches, since nothing may be missed), waits until
 * it is all gone (pods leave once their kubelet has stopped them), then removes the {@code kubernetes}
 * finalizer through {@code namespaces/{name}/finalize} so the apiserver deletes the namespace.
 * Besides the built-in kinds it empties every namespaced custom resource discovery names with the
 * verbs list and delete (Kubernetes' namespaced_resources_deleter.go over
 * {@code ServerPreferredNamespacedResources}), after the built-in kinds.
 */
public final class NamespaceController implements Controller {
    static final String FINALIZER = "kubernetes";
    /** Kinds deleted first, in this order, so that no controller recreates what was just deleted. */
    static final List<String> OWNERS_FIRST = List.of("CronJob", "Deployment", "StatefulSet", "DaemonSet", "Job", "ReplicaSet", "ReplicationController", "Pod");
    /** Every namespaced kind served, owners before what they own (the rest in served order). */
    static final List<Class<? extends KubeObject>> CONTENTS = ResourceTypes.ALL.stream()
            .filter(ResourceType::namespaced)
            .sorted(Comparator.comparingInt(rt -> OWNERS_FIRST.contains(rt.kind()) ? OWNERS_FIRST.indexOf(rt.kind()) : OWNERS_FIRST.size()))
            .<Class<? extends KubeObject>>map(ResourceType::type)
            .toList();
    /** How soon to look again while contents are still going away. */
    static final Duration RECHECK = Duration.ofSeconds(2);

    private final Informer<Namespace> namespaces;
    private final ControllerClient client;
    // namespace names
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    private final CustomResources customResources;
    private final int concurrentSyncs;

    /** Over the built-in kinds only. */
    public NamespaceController(SharedInformers informers, ControllerClient client) {
        this(informers, client, new CustomResources(null, Duration.ZERO), 0);
    }

    /**
     * Over the built-in kinds and the namespaced custom resources {@code customResources} discovers.
     *
     * @param concurrentSyncs namespaces emptied at once (Kubernetes' {@code --concurrent-namespace-syncs}); 0: the
     *                        controller-manager's default worker count
     */
    public NamespaceController(SharedInformers informers, ControllerClient client, CustomResources customResources, int concurrentSyncs) {
        this.customResources = customResources;
        this.concurrentSyncs = concurrentSyncs;
        this.namespaces = informers.informer(Namespace.class);
        this.client = client;
        namespaces.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Namespace ns) {
                if (ns.metadata.deletionTimestamp != null) {
                    queue.add(ns.key());
                }
            }

            @Override
            public void onUpdate(Namespace old, Namespace ns) {
                if (ns.metadata.deletionTimestamp != null) {
                    queue.add(ns.key());
                }
            }
        });
    }

    @Override
    public String name() {
        return "namespace";
    }

    @Override
    public int concurrentSyncs() {
        return concurrentSyncs;
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(namespaces);
    }

    @Override
    public Result reconcile(String key) {
        Namespace ns = namespaces.store().get(key);
        if (ns == null || ns.metadata.deletionTimestamp == null) {
            return Result.done();
        }
        if (!ns.spec.finalizers.contains(FINALIZER)) {
            return Result.done();
        }
        // the cache may lag behind: a namespace already finalized and created again under the same name must keep
        // its new contents, so the namespace is read live first, as Kubernetes' deleter does
        // (pkg/controller/namespace/deletion/namespaced_resources_deleter.go: Delete gets it and checks its deletion)
        Namespace live = client.find(Namespace.class, null, ns.metadata.name).orElse(null);
        if (live == null || !java.util.Objects.equals(live.metadata.uid, ns.metadata.uid) || live.metadata.deletionTimestamp == null) {
            return Result.done();
        }
        int remaining = 0;
        java.util.TreeMap<String, Integer> remainingByResource = new java.util.TreeMap<>();
        java.util.TreeMap<String, Integer> finalizers = new java.util.TreeMap<>();
        for (Class<? extends KubeObject> type : CONTENTS) {
            List<? extends KubeObject> left = deleteAll(type, ns.metadata.name);
            remaining += left.size();
            if (!left.isEmpty()) {
                ResourceType rt = ResourceTypes.of(type);
                // Kubernetes' wording, quirk included: "<resource>.<group>", so core resources end in a dot
                remainingByResource.put(rt.resource() + "." + rt.group(), left.size());
                for (KubeObject o : left) {
                    o.metadata.finalizers.forEach(f -> finalizers.merge(f, 1, Integer::sum));
                }
            }
        }
        // Kubernetes re-runs discovery on every pass; a failure is not fatal (what is known is still
        // deleted) but the namespace is not finalized until discovery works again
        customResources.discover();
        String discoveryError = customResources.discoveryError();
        for (ApiResource resource : customResources.resources()) {
            if (!resource.namespaced() || !resource.supports("list") || !resource.supports("delete")) {
                continue;
            }
            List<CustomObject> left = deleteAll(resource, ns.metadata.name);
            remaining += left.size();
            if (!left.isEmpty()) {
                remainingByResource.merge(resource.groupResource(), left.size(), Integer::sum);
                for (KubeObject o : left) {
                    o.metadata.finalizers.forEach(f -> finalizers.merge(f, 1, Integer::sum));
                }
            }
        }
        reportProgress(ns, discoveryError, remainingByResource, finalizers);
        if (remaining > 0 || discoveryError != null) {
            return Result.requeueAfter(RECHECK);
        }
        Namespace copy = Json.copy(ns);
        copy.spec.finalizers.remove(FINALIZER);
        client.finalizeNamespace(copy);
        return Result.done();
    }

    /**
     * The namespace's deletion conditions, as Kubernetes' namespace controller writes them
     * (pkg/controller/namespace/deletion/status_condition_utils.go): discovery failure (of the custom
     * resources' discovery), parsing and content-deletion failures (none here), content remaining, and
     * finalizers remaining. Written only when they change.
     */
    private void reportProgress(Namespace ns, String discoveryError, java.util.Map<String, Integer> remaining, java.util.Map<String, Integer> finalizers) {
        List<Condition> wanted = new java.util.ArrayList<>();
        wanted.add(discoveryError == null
                ? new Condition("NamespaceDeletionDiscoveryFailure", "False", "ResourcesDiscovered", "All resources successfully discovered", null)
                // ProcessDiscoverResourcesErr: the error's text when discovery failed as a whole
                : new Condition("NamespaceDeletionDiscoveryFailure", "True", "DiscoveryFailed", discoveryError, null));
        wanted.add(new Condition("NamespaceDeletionGroupVersionParsingFailure", "False", "ParsedGroupVersions", "All legacy kube types successfully parsed", null));
        wanted.add(new Condition("NamespaceDeletionContentFailure", "False", "ContentDeleted", "All content successfully deleted, may be waiting on finalization", null));
        wanted.add(remaining.isEmpty()
                ? new Condition("NamespaceContentRemaining", "False", "ContentRemoved", "All content successfully removed", null)
                : new Condition("NamespaceContentRemaining", "True", "SomeResourcesRemain", "Some resources are remaining: "
                + String.join(", ", remaining.entrySet().stream().map(e -> e.getKey() + " has " + e.getValue() + " resource instances").toList()), null));
        wanted.add(finalizers.isEmpty()
                ? new Condition("NamespaceFinalizersRemaining", "False", "ContentHasNoFinalizers", "All content-preserving finalizers finished", null)
                : new Condition("NamespaceFinalizersRemaining", "True", "SomeFinalizersRemain", "Some content in the namespace has finalizers remaining: "
                + String.join(", ", finalizers.entrySet().stream().map(e -> e.getKey() + " in " + e.getValue() + " resource instances").toList()), null));
        Namespace copy = Json.copy(ns);
        boolean changed = false;
        String now = io.kube4j.json.Times.now();
        for (Condition c : wanted) {
            Condition old = copy.status.conditions.stream().filter(x -> x.type.equals(c.type)).findFirst().orElse(null);
            if (old != null && old.status.equals(c.status) && java.util.Objects.equals(old.reason, c.reason) && java.util.Objects.equals(old.message, c.message)) {
                continue;
            }
            c.lastTransitionTime = old != null && old.status.equals(c.status) ? old.lastTransitionTime : now;
            copy.status.conditions.removeIf(x -> x.type.equals(c.type));
            copy.status.conditions.add(c);
            changed = true;
        }
        if (changed) {
            try {
                client.updateStatus(copy);
            } catch (ApiException e) {
                // informational: the next pass writes it again
                if (!e.isNotFound() && e.code() != 409) {
                    throw e;
                }
            }
        }
    }

    /** Deletes the objects of a custom resource not yet being deleted; returns those that remain. */
    private List<CustomObject> deleteAll(ApiResource resource, String namespace) {
        List<CustomObject> items;
        try {
            items = client.list(resource, namespace);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                // its CRD went away since discovery: nothing of it is left
                return List.of();
            }
            throw e;
        }
        for (CustomObject obj : items) {
            if (obj.metadata.deletionTimestamp != null) {
                continue;
            }
            DeleteOptions options = new DeleteOptions();
            options.propagationPolicy = "Background";
            try {
                client.delete(resource, namespace, obj.metadata.name, options);
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        return items;
    }

    /** Deletes what is not yet being deleted; returns the objects of {@code type} that remain. */
    private List<? extends KubeObject> deleteAll(Class<? extends KubeObject> type, String namespace) {
        List<? extends KubeObject> items = client.list(type, namespace);
        for (KubeObject obj : items) {
            if (obj.metadata.deletionTimestamp != null) {
                continue;
            }
            DeleteOptions options = new DeleteOptions();
            options.propagationPolicy = "Background";
            try {
                client.delete(type, namespace, obj.metadata.name, options);
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        return items;
    }
}
