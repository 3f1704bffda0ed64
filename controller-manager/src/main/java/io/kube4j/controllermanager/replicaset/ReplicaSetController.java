package io.kube4j.controllermanager.replicaset;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Deployment;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ControllerRefs;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.labels.Selector;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Keeps {@code spec.replicas} active pods for every ReplicaSet: claims pods by selector (adopting
 * orphans, releasing pods that no longer match), creates missing pods in slow-start batches, deletes
 * surplus pods least valuable first, and writes status. Expectations stop it from acting twice on
 * the same shortfall while the pod watch lags.
 */
public final class ReplicaSetController implements Controller {
    /** At most this many creations or deletions per sync (Kubernetes' burstReplicas). */
    static final int BURST_REPLICAS = 500;

    // reads: the ReplicaSet and pod caches, never mutated
    private final Informer<ReplicaSet> replicaSets;
    private final Informer<Pod> pods;
    // writes and events
    private final ControllerClient client;
    // time for minReadySeconds
    private final Clock clock;
    // keys of ReplicaSets to sync
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // outstanding creations/deletions per ReplicaSet key
    private final Expectations expectations = new Expectations();

    public ReplicaSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        this.replicaSets = informers.informer(ReplicaSet.class);
        this.pods = informers.informer(Pod.class);
        this.client = client;
        this.clock = clock;
        replicaSets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                queue.add(rs.key());
            }

            @Override
            public void onUpdate(ReplicaSet old, ReplicaSet rs) {
                if (!Objects.equals(old.metadata.resourceVersion, rs.metadata.resourceVersion)) {
                    queue.add(rs.key());
                }
            }

            @Override
            public void onDelete(ReplicaSet rs) {
                expectations.forget(rs.key());
                queue.add(rs.key());
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
                podDeleted(pod);
            }
        });
    }

    @Override
    public String name() {
        return "replicaset";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(replicaSets, pods);
    }

    // ---- event handlers: map pods to ReplicaSet keys, nothing else ----------------------------

    void podAdded(Pod pod) {
        if (pod.metadata.deletionTimestamp != null) {
            // seen for the first time already terminating (e.g. after a re-list)
            podDeleted(pod);
            return;
        }
        ReplicaSet owner = resolveController(pod);
        if (owner != null) {
            expectations.creationObserved(owner.key());
            queue.add(owner.key());
            return;
        }
        if (ControllerRefs.controllerOf(pod) == null) {
            matchingReplicaSets(pod).forEach(rs -> queue.add(rs.key()));
        }
    }

    void podUpdated(Pod old, Pod pod) {
        if (Objects.equals(old.metadata.resourceVersion, pod.metadata.resourceVersion)) {
            return;
        }
        if (pod.metadata.deletionTimestamp != null && old.metadata.deletionTimestamp == null) {
            // graceful deletion has begun: for the ReplicaSet the pod is already gone
            podDeleted(pod);
            return;
        }
        OwnerReference oldRef = ControllerRefs.controllerOf(old);
        OwnerReference newRef = ControllerRefs.controllerOf(pod);
        if (oldRef != null && (newRef == null || !Objects.equals(oldRef.uid, newRef.uid))) {
            ReplicaSet previous = resolve(old.metadata.namespace, oldRef);
            if (previous != null) {
                queue.add(previous.key());
            }
        }
        ReplicaSet owner = resolveController(pod);
        if (owner != null) {
            queue.add(owner.key());
            return;
        }
        if (newRef == null) {
            matchingReplicaSets(pod).forEach(rs -> queue.add(rs.key()));
        }
    }

    void podDeleted(Pod pod) {
        ReplicaSet owner = resolveController(pod);
        if (owner != null) {
            expectations.deletionObserved(owner.key(), pod.key());
            queue.add(owner.key());
        }
    }

    private ReplicaSet resolveController(Pod pod) {
        return resolve(pod.metadata.namespace, ControllerRefs.controllerOf(pod));
    }

    private ReplicaSet resolve(String namespace, OwnerReference ref) {
        if (ref == null || !"ReplicaSet".equals(ref.kind)) {
            return null;
        }
        ReplicaSet rs = replicaSets.store().get(namespace, ref.name);
        return rs != null && Objects.equals(rs.metadata.uid, ref.uid) ? rs : null;
    }

    private List<ReplicaSet> matchingReplicaSets(Pod pod) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : SharedInformers.inNamespace(replicaSets.store(), pod.metadata.namespace)) {
            try {
                if (Selector.from(rs.spec.selector).matches(pod.metadata.labels)) {
                    out.add(rs);
                }
            } catch (IllegalArgumentException e) {
                // a ReplicaSet with an invalid selector selects nothing
            }
        }
        return out;
    }

    // ---- reconcile ---------------------------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        ReplicaSet rs = replicaSets.store().get(key);
        if (rs == null) {
            expectations.forget(key);
            return Result.done();
        }
        Selector selector;
        try {
            selector = Selector.from(rs.spec.selector);
        } catch (IllegalArgumentException e) {
            // permanent until the user fixes the object: tell them, don't hot-loop
            client.warningEvent(rs, "InvalidSelector", "invalid selector: " + e.getMessage());
            return Result.done();
        }
        List<Pod> candidates = new ArrayList<>();
        for (Pod p : SharedInformers.inNamespace(pods.store(), rs.metadata.namespace)) {
            if (!PodReadiness.isTerminal(p)) {
                candidates.add(p);
            }
        }
        List<Pod> owned = ControllerRefs.claim(rs, selector, candidates, Pod.class, client);
        List<Pod> active = owned.stream().filter(PodReadiness::isActive).toList();

        Outcome outcome = Outcome.OK;
        if (rs.metadata.deletionTimestamp == null && expectations.satisfied(key)) {
            outcome = manageReplicas(key, rs, active);
        }
        updateStatus(rs, active, outcome);
        return outcome.result().and(availabilityRecheck(rs, active));
    }

    /** What managing replicas did: a result, and the failure to report in the ReplicaFailure condition, if any. */
    private record Outcome(Result result, String failureReason, String failureMessage) {
        static final Outcome OK = new Outcome(Result.done(), null, null);

        static Outcome failed(String reason, String message) {
            return new Outcome(Result.retry(message), reason, message);
        }
    }

    private Outcome manageReplicas(String key, ReplicaSet rs, List<Pod> active) {
        int want = rs.spec.replicas == null ? 1 : rs.spec.replicas;
        int diff = active.size() - want;
        if (diff < 0) {
            int count = Math.min(-diff, BURST_REPLICAS);
            expectations.forget(key);
            expectations.expectCreations(key, count);
            String[] error = new String[1];
            int created = createInBatches(rs, count, error);
            if (created < count) {
                // the skipped and failed ones will never be observed: stop expecting them
                for (int i = created; i < count; i++) {
                    expectations.creationObserved(key);
                }
                return Outcome.failed("FailedCreate", error[0] == null ? "created " + created + " of " + count + " pods" : error[0]);
            }
        } else if (diff > 0) {
            int count = Math.min(diff, BURST_REPLICAS);
            List<Pod> victims = new ArrayList<>(active);
            victims.sort(DeletionOrder.INSTANCE);
            victims = victims.subList(0, count);
            Set<String> keys = new LinkedHashSet<>();
            victims.forEach(p -> keys.add(p.key()));
            expectations.forget(key);
            expectations.expectDeletions(key, keys);
            String failed = null;
            for (Pod victim : victims) {
                try {
                    client.delete(Pod.class, victim.metadata.namespace, victim.metadata.name, new DeleteOptions());
                    client.normalEvent(rs, "SuccessfulDelete", "Deleted pod: " + victim.metadata.name);
                } catch (ApiException e) {
                    expectations.deletionObserved(key, victim.key());
                    if (!e.isNotFound()) {
                        failed = "Error deleting: " + e.getMessage();
                        client.warningEvent(rs, "FailedDelete", failed);
                    }
                }
            }
            if (failed != null) {
                return Outcome.failed("FailedDelete", failed);
            }
        }
        return Outcome.OK;
    }

    /**
     * Slow start, as Kubernetes: batches of 1, 2, 4, ... created in parallel; the first batch with a
     * failure ends the sync, so a quota or admission error costs one failed call, not hundreds.
     */
    private int createInBatches(ReplicaSet rs, int count, String[] firstError) {
        int created = 0;
        int batch = 1;
        try (ExecutorService executor = Executors.newVirtualThreadPerTaskExecutor()) {
            while (created < count) {
                int size = Math.min(batch, count - created);
                List<Future<Pod>> futures = new ArrayList<>();
                for (int i = 0; i < size; i++) {
                    futures.add(executor.submit(() -> client.create(newPod(rs))));
                }
                int ok = 0;
                String error = null;
                for (Future<Pod> f : futures) {
                    try {
                        Pod p = f.get();
                        ok++;
                        client.normalEvent(rs, "SuccessfulCreate", "Created pod: " + (p == null ? "" : p.metadata.name));
                    } catch (java.util.concurrent.ExecutionException e) {
                        error = e.getCause() == null ? e.toString() : e.getCause().getMessage();
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                        return created + ok;
                    }
                }
                created += ok;
                if (error != null) {
                    firstError[0] = "Error creating: " + error;
                    client.warningEvent(rs, "FailedCreate", firstError[0]);
                    return created;
                }
                batch *= 2;
            }
        }
        return created;
    }

    /** A pod from the template, controlled by {@code rs}, named by the apiserver from {@code <rs>-}. */
    static Pod newPod(ReplicaSet rs) {
        Pod pod = new Pod();
        pod.metadata.generateName = rs.metadata.name + "-";
        pod.metadata.namespace = rs.metadata.namespace;
        if (rs.spec.template != null) {
            ReplicaSet copy = Json.copy(rs);
            pod.metadata.labels.putAll(copy.spec.template.metadata.labels);
            pod.metadata.annotations.putAll(copy.spec.template.metadata.annotations);
            pod.spec = copy.spec.template.spec;
        }
        pod.metadata.ownerReferences.add(OwnerReference.controllerOf(rs));
        return pod;
    }

    private void updateStatus(ReplicaSet rs, List<Pod> active, Outcome outcome) {
        int minReady = rs.spec.minReadySeconds == null ? 0 : rs.spec.minReadySeconds;
        Instant now = clock.instant();
        Map<String, String> templateLabels = rs.spec.template == null ? Map.of() : rs.spec.template.metadata.labels;
        int fullyLabeled = 0;
        int ready = 0;
        int available = 0;
        for (Pod p : active) {
            if (p.metadata.labels.entrySet().containsAll(templateLabels.entrySet())) {
                fullyLabeled++;
            }
            if (PodReadiness.isReady(p)) {
                ready++;
            }
            if (PodReadiness.isAvailable(p, minReady, now)) {
                available++;
            }
        }
        ReplicaSet.ReplicaSetStatus s = rs.status;
        List<Deployment.Condition> conditions = replicaFailure(s.conditions, outcome);
        if (s.replicas == active.size() && Objects.equals(s.fullyLabeledReplicas, fullyLabeled)
                && Objects.equals(s.readyReplicas, ready) && Objects.equals(s.availableReplicas, available)
                && Objects.equals(s.observedGeneration, rs.metadata.generation)
                && Json.write(conditions).equals(Json.write(s.conditions))) {
            return;
        }
        ReplicaSet next = Json.copy(rs);
        next.status.conditions = conditions;
        next.status.replicas = active.size();
        next.status.fullyLabeledReplicas = fullyLabeled;
        next.status.readyReplicas = ready;
        next.status.availableReplicas = available;
        next.status.observedGeneration = rs.metadata.generation;
        client.updateStatus(next);
    }

    /** The conditions with ReplicaFailure set after a failed create/delete, and gone after a sync without one. */
    private List<Deployment.Condition> replicaFailure(List<Deployment.Condition> current, Outcome outcome) {
        List<Deployment.Condition> out = new ArrayList<>();
        for (Deployment.Condition c : current) {
            if (!"ReplicaFailure".equals(c.type)) {
                out.add(Json.copy(c));
            }
        }
        if (outcome.failureReason() != null) {
            Deployment.Condition c = new Deployment.Condition();
            c.type = "ReplicaFailure";
            c.status = "True";
            c.reason = outcome.failureReason();
            c.message = outcome.failureMessage();
            c.lastTransitionTime = io.kube4j.json.Times.format(clock.instant());
            for (Deployment.Condition old : current) {
                if ("ReplicaFailure".equals(old.type) && outcome.failureReason().equals(old.reason)) {
                    // the same failure again: keep its first time and message, so status does not churn
                    c.lastTransitionTime = old.lastTransitionTime;
                    c.message = old.message;
                }
            }
            out.add(c);
        }
        return out;
    }

    /** With minReadySeconds, a ready pod becomes available later: look again then. */
    private Result availabilityRecheck(ReplicaSet rs, List<Pod> active) {
        int minReady = rs.spec.minReadySeconds == null ? 0 : rs.spec.minReadySeconds;
        if (minReady <= 0) {
            return Result.done();
        }
        Instant now = clock.instant();
        Duration soonest = null;
        for (Pod p : active) {
            Instant since = PodReadiness.readySince(p);
            if (since != null && !PodReadiness.isAvailable(p, minReady, now)) {
                Duration wait = Duration.between(now, since.plusSeconds(minReady)).plusMillis(100);
                soonest = soonest == null || wait.compareTo(soonest) < 0 ? wait : soonest;
            }
        }
        return soonest == null ? Result.done() : Result.requeueAfter(soonest);
    }

    /** Outstanding creations for {@code key} (for tests). */
    int pendingCreations(String key) {
        return expectations.pendingCreations(key);
    }
}
