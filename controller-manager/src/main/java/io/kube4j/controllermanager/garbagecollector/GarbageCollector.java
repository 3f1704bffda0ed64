package io.kube4j.controllermanager.garbagecollector;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.OwnerReference;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ControllerRefs;
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
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;

/**
 * Follows ownerReferences, since the apiserver only stores them. Background: an object whose owners
 * are all gone (confirmed with a live GET, the cache may lag) is deleted; an object with some owners
 * gone loses the dangling references. Foreground: an owner with deletionTimestamp and the
 * {@code foregroundDeletion} finalizer has its dependents deleted (in the foreground too), and when
 * none is left the finalizer is removed so the apiserver deletes the owner. Orphan: an owner with the
 * {@code orphan} finalizer has its reference removed from every dependent, then the finalizer.
 * Queue keys are {@code Kind|namespace/name} over the kinds listed in {@link #KINDS}, and
 * {@code <resource>.<group>|namespace/name} over the custom resources that discovery finds
 * ({@link CustomResources}, re-discovered periodically as Kubernetes' GraphBuilder re-syncs its monitors
 * over the "deletable" discovered resources), so custom resources are owners and dependents too.
 */
public final class GarbageCollector implements Controller {
    static final String FOREGROUND = "foregroundDeletion";
    static final String ORPHAN = "orphan";
    static final String BY_UID = "uid";
    static final String BY_OWNER = "ownerUid";
    /**
     * The kinds whose objects may own or be owned: every served kind but Events (too many, and never
     * owners); an owner of any other kind is never judged gone.
     */
    static final List<Class<? extends KubeObject>> KINDS = ResourceTypes.ALL.stream()
            .filter(rt -> rt != ResourceTypes.EVENTS)
            .<Class<? extends KubeObject>>map(ResourceType::type)
            .toList();
    /** How soon an owner waiting for its dependents looks again if no event comes first. */
    static final Duration WAIT = Duration.ofSeconds(5);

    // reads: one informer per kind, indexed by uid and by owner uid
    private final Map<String, Informer<? extends KubeObject>> informersByKind = new LinkedHashMap<>();
    // writes
    private final ControllerClient client;
    // Kind|namespace/name keys
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    // the objects of custom resources, by discovery
    private final CustomResources customResources;

    /** Over the built-in kinds only. */
    public GarbageCollector(SharedInformers informers, ControllerClient client) {
        this(informers, client, new CustomResources(null, Duration.ZERO));
    }

    /** Over the built-in kinds and the custom resources {@code customResources} discovers. */
    public GarbageCollector(SharedInformers informers, ControllerClient client, CustomResources customResources) {
        this.client = client;
        this.customResources = customResources;
        for (Class<? extends KubeObject> type : KINDS) {
            watch(informers, type);
        }
        customResources.addHandler(new CustomResources.Handler() {
            @Override
            public void onAdd(CustomObject obj) {
                changed(obj);
            }

            @Override
            public void onUpdate(CustomObject old, CustomObject obj) {
                changed(obj);
                queueOwners(old);
            }

            @Override
            public void onDelete(CustomObject obj) {
                queueDependents(obj.metadata.uid);
                queueOwners(obj);
            }
        });
    }

    private <T extends KubeObject> void watch(SharedInformers informers, Class<T> type) {
        Informer<T> informer = informers.informer(type);
        informers.index(informer, BY_UID, o -> o.metadata.uid == null ? List.of() : List.of(o.metadata.uid));
        informers.index(informer, BY_OWNER, o -> o.metadata.ownerReferences.stream().map(r -> r.uid).filter(Objects::nonNull).distinct().toList());
        informersByKind.put(io.kube4j.api.ResourceTypes.of(type).kind(), informer);
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(T obj) {
                changed(obj);
            }

            @Override
            public void onUpdate(T old, T obj) {
                if (Objects.equals(old.metadata.resourceVersion, obj.metadata.resourceVersion)) {
                    return;
                }
                changed(obj);
                // an owner orphaning or waiting for its dependents may be waiting on exactly this change
                queueOwners(old);
            }

            @Override
            public void onDelete(T obj) {
                // its dependents may be orphans now, and an owner in foreground deletion may be done
                queueDependents(obj.metadata.uid);
                queueOwners(obj);
            }
        });
    }

    @Override
    public String name() {
        return "garbagecollector";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return new ArrayList<>(informersByKind.values());
    }

    static String keyOf(KubeObject obj) {
        if (obj instanceof CustomObject c) {
            return c.resource.groupResource() + "|" + obj.key();
        }
        return obj.kind + "|" + obj.key();
    }

    void changed(KubeObject obj) {
        if (!obj.metadata.ownerReferences.isEmpty() || (obj.metadata.deletionTimestamp != null
                && (obj.metadata.finalizers.contains(FOREGROUND) || obj.metadata.finalizers.contains(ORPHAN)))) {
            queue.add(keyOf(obj));
        }
    }

    private void queueDependents(String uid) {
        if (uid != null) {
            dependents(uid).forEach(d -> queue.add(keyOf(d)));
        }
    }

    private void queueOwners(KubeObject obj) {
        for (OwnerReference ref : obj.metadata.ownerReferences) {
            cached(ref.uid).ifPresent(owner -> queue.add(keyOf(owner)));
        }
    }

    private List<KubeObject> dependents(String uid) {
        List<KubeObject> out = new ArrayList<>();
        for (Informer<? extends KubeObject> informer : informersByKind.values()) {
            out.addAll(informer.store().byIndex(BY_OWNER, uid));
        }
        out.addAll(customResources.dependents(uid));
        return out;
    }

    private Optional<KubeObject> cached(String uid) {
        if (uid == null) {
            return Optional.empty();
        }
        for (Informer<? extends KubeObject> informer : informersByKind.values()) {
            List<? extends KubeObject> found = informer.store().byIndex(BY_UID, uid);
            if (!found.isEmpty()) {
                return Optional.of(found.getFirst());
            }
        }
        return customResources.byUid(uid).map(o -> (KubeObject) o);
    }

    // ---- reconcile ---------------------------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        int bar = key.indexOf('|');
        if (bar < 0) {
            return Result.done();
        }
        Informer<? extends KubeObject> informer = informersByKind.get(key.substring(0, bar));
        KubeObject obj = informer != null ? informer.store().get(key.substring(bar + 1))
                : customResources.get(key.substring(0, bar), key.substring(bar + 1));
        if (obj == null) {
            return Result.done();
        }
        if (obj.metadata.deletionTimestamp != null) {
            if (obj.metadata.finalizers.contains(FOREGROUND)) {
                return deleteDependentsFirst(obj);
            }
            if (obj.metadata.finalizers.contains(ORPHAN)) {
                return orphanDependents(obj);
            }
            return Result.done();
        }
        if (obj.metadata.ownerReferences.isEmpty()) {
            return Result.done();
        }
        return collectIfOwnersGone(obj);
    }

    /** Background: all owners gone, delete; some gone, drop the dangling references. */
    private Result collectIfOwnersGone(KubeObject obj) {
        List<OwnerReference> dangling = new ArrayList<>();
        boolean ownerDeletingInForeground = false;
        int present = 0;
        OwnerReference unresolvable = null;
        boolean ownerNotYetCached = false;
        for (OwnerReference ref : obj.metadata.ownerReferences) {
            Optional<KubeObject> owner = cached(ref.uid);
            if (owner.isEmpty() && !knownKind(ref)) {
                // neither built in nor discovered (yet): never judged gone, looked at again later
                unresolvable = ref;
                present++;
                continue;
            }
            if (owner.isEmpty()) {
                owner = confirmedOwner(obj, ref);
                // a custom owner found live but not in the cache: its informer may not run yet (a CRD
                // just discovered) and so miss its deletion, so look at this dependent again
                ownerNotYetCached |= owner.isPresent() && !informersByKind.containsKey(ref.kind);
            }
            if (owner.isPresent()) {
                present++;
                KubeObject o = owner.get();
                if (o.metadata.deletionTimestamp != null && o.metadata.finalizers.contains(FOREGROUND)) {
                    ownerDeletingInForeground = true;
                }
            } else {
                dangling.add(ref);
            }
        }
        if (present == 0) {
            DeleteOptions options = new DeleteOptions();
            options.propagationPolicy = "Background";
            options.preconditions = new DeleteOptions.Preconditions();
            options.preconditions.uid = obj.metadata.uid;
            // no Event: Kubernetes' attemptToDeleteItem deletes a dependent without an owner silently (it was one write
            // more per pod of every deleted ReplicaSet, issue #18)
            delete(obj, options);
            return Result.done();
        }
        if (ownerDeletingInForeground) {
            // the owner's own reconcile deletes its dependents
            return Result.done();
        }
        if (!dangling.isEmpty()) {
            List<OwnerReference> rest = new ArrayList<>(obj.metadata.ownerReferences);
            rest.removeAll(dangling);
            patch(obj, ControllerRefs.ownerReferencesPatch(rest));
        }
        if (ownerNotYetCached) {
            return Result.requeueAfter(WAIT);
        }
        if (unresolvable != null) {
            // Kubernetes' attemptToDeleteItem fails on an owner whose kind has no REST mapping and is
            // requeued rate-limited until discovery knows it (a CRD created after the dependent)
            return Result.retry("owner kind " + unresolvable.apiVersion + "/" + unresolvable.kind + " is not served (yet)");
        }
        return Result.done();
    }

    /** Whether the owner's kind is built in or found by discovery, so its absence can be confirmed. */
    private boolean knownKind(OwnerReference ref) {
        return informersByKind.containsKey(ref.kind) || customResources.resourceFor(ref.apiVersion, ref.kind).isPresent();
    }

    /**
     * The owner, if a live GET finds it with the referenced uid. Owners of kinds we do not know are
     * assumed to exist: deleting on a guess would lose data.
     */
    private Optional<KubeObject> confirmedOwner(KubeObject dependent, OwnerReference ref) {
        Informer<? extends KubeObject> informer = informersByKind.get(ref.kind);
        if (informer == null) {
            Optional<io.kube4j.controllermanager.runtime.ApiResource> custom = customResources.resourceFor(ref.apiVersion, ref.kind);
            if (custom.isEmpty()) {
                return Optional.of(dependent);
            }
            return client.find(custom.get(), dependent.metadata.namespace, ref.name)
                    .filter(o -> Objects.equals(o.metadata.uid, ref.uid)).map(o -> (KubeObject) o);
        }
        Optional<? extends KubeObject> live = client.find(informer.type(), dependent.metadata.namespace, ref.name);
        return live.filter(o -> Objects.equals(o.metadata.uid, ref.uid)).map(o -> (KubeObject) o);
    }

    /** Foreground: delete the dependents (foreground too), and release the owner once none is left. */
    private Result deleteDependentsFirst(KubeObject owner) {
        List<KubeObject> deps = dependents(owner.metadata.uid);
        if (deps.isEmpty()) {
            removeFinalizer(owner, FOREGROUND);
            return Result.done();
        }
        for (KubeObject dep : deps) {
            if (dep.metadata.deletionTimestamp == null) {
                DeleteOptions options = new DeleteOptions();
                options.propagationPolicy = "Foreground";
                delete(dep, options);
            }
        }
        return Result.requeueAfter(WAIT);
    }

    /** Orphan: take the owner's reference out of every dependent, then release the owner. */
    private Result orphanDependents(KubeObject owner) {
        for (KubeObject dep : dependents(owner.metadata.uid)) {
            List<OwnerReference> rest = new ArrayList<>(dep.metadata.ownerReferences);
            rest.removeIf(r -> Objects.equals(r.uid, owner.metadata.uid));
            try {
                patch(dep, ControllerRefs.ownerReferencesPatch(rest));
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        removeFinalizer(owner, ORPHAN);
        return Result.done();
    }

    private void patch(KubeObject obj, String patch) {
        if (obj instanceof CustomObject c) {
            client.mergePatch(c.resource, obj.metadata.namespace, obj.metadata.name, patch);
        } else {
            client.mergePatch(obj.getClass(), obj.metadata.namespace, obj.metadata.name, patch);
        }
    }

    private void removeFinalizer(KubeObject obj, String finalizer) {
        try {
            if (obj instanceof CustomObject c) {
                CustomObject copy = c.copy();
                copy.metadata.finalizers.remove(finalizer);
                client.updateCustom(copy);
                return;
            }
            KubeObject copy = Json.copy(obj);
            copy.metadata.finalizers.remove(finalizer);
            client.update(copy);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    private void delete(KubeObject obj, DeleteOptions options) {
        try {
            if (obj instanceof CustomObject c) {
                client.delete(c.resource, obj.metadata.namespace, obj.metadata.name, options);
                return;
            }
            client.delete(obj.getClass(), obj.metadata.namespace, obj.metadata.name, options);
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }
}
