package io.kube4j.controllermanager.namespace;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Namespace;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
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

    public NamespaceController(SharedInformers informers, ControllerClient client) {
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
        int remaining = 0;
        for (Class<? extends KubeObject> type : CONTENTS) {
            remaining += deleteAll(type, ns.metadata.name);
        }
        if (remaining > 0) {
            return Result.requeueAfter(RECHECK);
        }
        Namespace copy = Json.copy(ns);
        copy.spec.finalizers.remove(FINALIZER);
        client.finalizeNamespace(copy);
        return Result.done();
    }

    /** Deletes what is not yet being deleted; returns how many objects of {@code type} remain. */
    private int deleteAll(Class<? extends KubeObject> type, String namespace) {
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
        return items.size();
    }
}
