package io.kube4j.controllermanager.statefulset;

import io.kube4j.api.ControllerRevision;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.StatefulSet;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ControllerRefs;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.SlowStartBatch;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.labels.Selector;

import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Keeps every StatefulSet's pods {@code <set>-<ordinal>} with their stable identity (hostname,
 * subdomain = serviceName, {@code statefulset.kubernetes.io/pod-name}, {@code apps.kubernetes.io/pod-index})
 * and their PersistentVolumeClaims {@code <claim>-<set>-<ordinal>}, which outlive the pods unless the
 * retention policy says Delete (Kubernetes' {@code pkg/controller/statefulset/stateful_set.go}). The
 * sync itself is {@link StatefulSetControl}; this class claims pods and revisions and maps events to keys.
 */
public final class StatefulSetController implements Controller {
    // reads: sets, pods, claims and revisions, never mutated
    private final Informer<StatefulSet> statefulSets;
    private final Informer<Pod> pods;
    private final Informer<PersistentVolumeClaim> claims;
    private final Informer<ControllerRevision> revisions;
    // writes and events
    private final ControllerClient client;
    // the sync of one set
    private final StatefulSetControl control;
    // keys of StatefulSets to sync
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    /** The StatefulSet controller, with {@link SlowStartBatch#DEFAULT_MAX_IN_FLIGHT} pod requests in flight at most (Parallel sets). */
    public StatefulSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        this(informers, client, clock, SlowStartBatch.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * The StatefulSet controller with at most {@code maxInFlight} pods of a Parallel set processed (created,
     * deleted) at once within a slow-start batch; OrderedReady sets go one pod at a time whatever this is.
     */
    public StatefulSetController(SharedInformers informers, ControllerClient client, Clock clock, int maxInFlight) {
        this.statefulSets = informers.informer(StatefulSet.class);
        this.pods = informers.informer(Pod.class);
        this.claims = informers.informer(PersistentVolumeClaim.class);
        this.revisions = informers.informer(ControllerRevision.class);
        this.client = client;
        this.control = new StatefulSetControl(client, new StatefulPodControl(client, claims.store()), clock, maxInFlight);
        statefulSets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(StatefulSet set) {
                queue.add(set.key());
            }

            @Override
            public void onUpdate(StatefulSet old, StatefulSet set) {
                queue.add(set.key());
            }

            @Override
            public void onDelete(StatefulSet set) {
                queue.add(set.key());
            }
        });
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podAdded(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                podUpdated(old, pod);
            }

            @Override
            public void onDelete(Pod pod) {
                enqueue(resolve(pod.metadata.namespace, ControllerRefs.controllerOf(pod)));
            }
        });
    }

    @Override
    public String name() {
        return "statefulset";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(statefulSets, pods, claims, revisions);
    }

    // ---- event handlers ----------------------------------------------------------------------

    void podAdded(Pod pod) {
        if (pod.metadata.deletionTimestamp != null) {
            enqueue(resolve(pod.metadata.namespace, ControllerRefs.controllerOf(pod)));
            return;
        }
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        if (ref != null) {
            enqueue(resolve(pod.metadata.namespace, ref));
            return;
        }
        matching(pod).forEach(this::enqueue);
    }

    void podUpdated(Pod old, Pod pod) {
        if (Objects.equals(old.metadata.resourceVersion, pod.metadata.resourceVersion)) {
            return;
        }
        OwnerReference oldRef = ControllerRefs.controllerOf(old);
        OwnerReference newRef = ControllerRefs.controllerOf(pod);
        boolean refChanged = !Objects.equals(oldRef == null ? null : oldRef.uid, newRef == null ? null : newRef.uid);
        if (refChanged && oldRef != null) {
            enqueue(resolve(old.metadata.namespace, oldRef));
        }
        if (newRef != null) {
            StatefulSet set = resolve(pod.metadata.namespace, newRef);
            if (set == null) {
                return;
            }
            queue.add(set.key());
            int minReady = StatefulSetPods.minReadySeconds(set);
            if (!PodReadiness.isReady(old) && PodReadiness.isReady(pod) && minReady > 0) {
                // look again when the pod has been ready long enough to be available (a second more against skew)
                queue.addAfter(set.key(), Duration.ofSeconds(minReady + 1L));
            }
            return;
        }
        if (refChanged || !old.metadata.labels.equals(pod.metadata.labels)) {
            matching(pod).forEach(this::enqueue);
        }
    }

    private void enqueue(StatefulSet set) {
        if (set != null) {
            queue.add(set.key());
        }
    }

    private StatefulSet resolve(String namespace, OwnerReference ref) {
        if (ref == null || !"StatefulSet".equals(ref.kind)) {
            return null;
        }
        StatefulSet set = statefulSets.store().get(namespace, ref.name);
        return set != null && Objects.equals(set.metadata.uid, ref.uid) ? set : null;
    }

    /** Sets in the pod's namespace whose selector matches it (GetPodStatefulSets). */
    private List<StatefulSet> matching(Pod pod) {
        List<StatefulSet> out = new ArrayList<>();
        for (StatefulSet set : SharedInformers.inNamespace(statefulSets.store(), pod.metadata.namespace)) {
            try {
                Selector s = Selector.from(set.spec.selector);
                if (!s.isEverything() && s.matches(pod.metadata.labels)) {
                    out.add(set);
                }
            } catch (IllegalArgumentException e) {
                // an invalid selector selects nothing
            }
        }
        return out;
    }

    // ---- reconcile (sync) --------------------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        StatefulSet set = statefulSets.store().get(key);
        if (set == null) {
            return Result.done();
        }
        Selector selector;
        try {
            selector = Selector.from(set.spec.selector);
        } catch (IllegalArgumentException e) {
            // not transient: Kubernetes does not retry either
            client.warningEvent(set, "InvalidSelector", "invalid selector: " + e.getMessage());
            return Result.done();
        }
        List<ControllerRevision> setRevisions = adoptOrphanRevisions(set, selector);
        List<Pod> owned = claimPods(set, selector);
        StatefulSetControl.Outcome outcome = control.update(set, owned, setRevisions);
        if (outcome.error() != null) {
            if (outcome.error() instanceof ApiException e) {
                throw e;
            }
            return Result.retry(outcome.error().getMessage());
        }
        int replicas = StatefulSetPods.replicas(set);
        int minReady = StatefulSetPods.minReadySeconds(set);
        if (minReady > 0 && outcome.status() != null && outcome.status().availableReplicas != replicas) {
            // one more sync for pods that become available with time (and against clock skew)
            return Result.requeueAfter(Duration.ofSeconds(minReady));
        }
        return Result.done();
    }

    /**
     * The set's revisions (ListRevisions: matching its selector and controlled by it or by nobody),
     * after adopting the orphans among them (adoptOrphanRevisions).
     */
    private List<ControllerRevision> adoptOrphanRevisions(StatefulSet set, Selector selector) {
        List<ControllerRevision> out = new ArrayList<>();
        for (ControllerRevision r : SharedInformers.inNamespace(revisions.store(), set.metadata.namespace)) {
            if (!selector.matches(r.metadata.labels)) {
                continue;
            }
            OwnerReference ref = ControllerRefs.controllerOf(r);
            if (ref == null) {
                if (set.metadata.deletionTimestamp != null) {
                    continue;
                }
                List<OwnerReference> refs = new ArrayList<>(r.metadata.ownerReferences);
                refs.add(OwnerReference.controllerOf(set));
                ControllerRevision adopted = client.mergePatch(ControllerRevision.class, r.metadata.namespace, r.metadata.name,
                        ControllerRefs.ownerReferencesPatch(refs));
                out.add(adopted != null ? adopted : r);
            } else if (Objects.equals(ref.uid, set.metadata.uid)) {
                out.add(r);
            }
        }
        return out;
    }

    /**
     * getPodsForStatefulSet: claims pods whose name is {@code <set>-<n>} and that match the selector;
     * a controlled pod that no longer is either is released.
     */
    private List<Pod> claimPods(StatefulSet set, Selector selector) {
        List<Pod> members = new ArrayList<>();
        for (Pod pod : SharedInformers.inNamespace(pods.store(), set.metadata.namespace)) {
            if (StatefulSetPods.isMemberOf(set, pod)) {
                members.add(pod);
            } else if (ControllerRefs.isControlledBy(pod, set) && pod.metadata.deletionTimestamp == null
                    && set.metadata.deletionTimestamp == null) {
                List<OwnerReference> rest = new ArrayList<>(pod.metadata.ownerReferences);
                rest.removeIf(r -> Objects.equals(r.uid, set.metadata.uid));
                client.mergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name, ControllerRefs.ownerReferencesPatch(rest));
            }
        }
        return ControllerRefs.claim(set, selector, members, Pod.class, client);
    }
}
