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
import io.kube4j.controllermanager.runtime.NamespaceTerminating;
import io.kube4j.controllermanager.runtime.ParallelCalls;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.SlowStartBatch;
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

/**
 * Keeps {@code spec.replicas} active pods for every ReplicaSet, as Kubernetes'
 * {@code pkg/controller/replicaset/replica_set.go}: claims pods by selector (adopting orphans, releasing
 * pods that no longer match), creates missing pods in slow-start batches ({@link SlowStartBatch}: 1, 2,
 * 4, ..., at most {@link #BURST_REPLICAS} per sync, stopping at the first failed batch), deletes surplus
 * pods least valuable first, all at once, and writes status. Expectations stop it from acting twice on
 * the same shortfall while the pod watch lags: after a sync that created or deleted pods, it manages
 * replicas again only once the informer has shown all of them (or five minutes passed).
 */
public final class ReplicaSetController implements Controller {
    /** At most this many creations or deletions per sync (Kubernetes' burstReplicas). */
    static final int BURST_REPLICAS = 500;

    // reads: the ReplicaSet (or converted ReplicationController) and pod caches, never mutated
    private final Owners<?> replicaSets;
    private final Informer<Pod> pods;
    // the controller's name ("replicaset", "replicationcontroller")
    private final String name;
    // writes and events
    private final ControllerClient client;
    // time for minReadySeconds
    private final Clock clock;
    // keys of ReplicaSets to sync
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // outstanding creations/deletions per ReplicaSet key
    private final Expectations expectations = new Expectations();
    // creations of a slow-start batch, or deletions, in flight at once (1: one after another)
    private final int maxInFlight;

    /** The ReplicaSet controller ({@code replicaset}). */
    public ReplicaSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        this(informers, client, clock, SlowStartBatch.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * The ReplicaSet controller with at most {@code maxInFlight} pod creations (of one slow-start batch) or
     * deletions in flight at once; 1 makes them one after another.
     */
    public ReplicaSetController(SharedInformers informers, ControllerClient client, Clock clock, int maxInFlight) {
        this("replicaset", Owners.replicaSets(informers), informers, client, clock, maxInFlight);
    }

    /**
     * The same controller over {@code owners} seen as ReplicaSets: Kubernetes' replication manager is this
     * controller over converted ReplicationControllers ({@code pkg/controller/replication/replication_controller.go}).
     *
     * @param name the controller's name, for its client identity and logs
     */
    public ReplicaSetController(String name, Owners<?> owners, SharedInformers informers, ControllerClient client, Clock clock) {
        this(name, owners, informers, client, clock, SlowStartBatch.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * As {@link #ReplicaSetController(String, Owners, SharedInformers, ControllerClient, Clock)}, with at
     * most {@code maxInFlight} pod creations or deletions in flight at once.
     */
    public ReplicaSetController(String name, Owners<?> owners, SharedInformers informers, ControllerClient client, Clock clock, int maxInFlight) {
        this.maxInFlight = Math.max(1, maxInFlight);
        this.name = name;
        this.replicaSets = owners;
        this.pods = informers.informer(Pod.class);
        this.client = client;
        this.clock = clock;
        replicaSets.addHandler(new ResourceEventHandler<ReplicaSet>() {
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
        return name;
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(replicaSets.informer(), pods);
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
        if (ref == null || !replicaSets.kind().equals(ref.kind)) {
            return null;
        }
        ReplicaSet rs = replicaSets.get(namespace, ref.name);
        return rs != null && Objects.equals(rs.metadata.uid, ref.uid) ? rs : null;
    }

    private List<ReplicaSet> matchingReplicaSets(Pod pod) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : replicaSets.inNamespace(pod.metadata.namespace)) {
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
        ReplicaSet rs = replicaSets.get(key);
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
            // Kubernetes' ExpectCreations: replaces whatever was expected before
            expectations.forget(key);
            expectations.expectCreations(key, count);
            SlowStartBatch.Result<Pod> created = SlowStartBatch.run(count, SlowStartBatch.INITIAL_BATCH_SIZE, maxInFlight, () -> createPod(rs));
            // the failed and the never attempted ones will not be observed: stop expecting them,
            // so the retry (or the next sync) may slow-start again
            for (int i = created.successes(); i < count; i++) {
                expectations.creationObserved(key);
            }
            if (created.firstError() != null) {
                return Outcome.failed("FailedCreate", errorText(created.firstError()));
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
            // all at once, as Kubernetes (one goroutine per pod); every failure is reported, the first returned
            List<ParallelCalls.Outcome<Boolean>> deleted = ParallelCalls.forEach(victims, maxInFlight, victim -> deletePod(key, rs, victim));
            for (ParallelCalls.Outcome<Boolean> o : deleted) {
                if (!o.ok()) {
                    return Outcome.failed("FailedDelete", "unable to delete pods: " + errorText(o.error()));
                }
            }
        }
        return Outcome.OK;
    }

    /**
     * One creation from the template, with its Event (Kubernetes' {@code RealPodControl.CreatePods}).
     * A namespace being deleted refuses every creation: that is not a failure to report or retry.
     */
    private Pod createPod(ReplicaSet rs) {
        try {
            Pod pod = client.create(newPod(rs));
            client.normalEvent(rs, "SuccessfulCreate", "Created pod: " + (pod == null ? "" : pod.metadata.name));
            return pod;
        } catch (ApiException e) {
            if (NamespaceTerminating.refused(e)) {
                return null;
            }
            client.warningEvent(rs, "FailedCreate", "Error creating: " + errorText(e));
            throw e;
        }
    }

    /**
     * One deletion with its Event (Kubernetes' {@code RealPodControl.DeletePod}); a pod already gone is
     * fine. A deletion that failed will never be observed, so it is no longer expected.
     *
     * @return true when deleted now, false when it was gone already
     * @throws ApiException when the deletion failed
     */
    private boolean deletePod(String key, ReplicaSet rs, Pod victim) {
        try {
            client.delete(Pod.class, victim.metadata.namespace, victim.metadata.name, new DeleteOptions());
            client.normalEvent(rs, "SuccessfulDelete", "Deleted pod: " + victim.metadata.name);
            return true;
        } catch (ApiException e) {
            expectations.deletionObserved(key, victim.key());
            if (e.isNotFound()) {
                return false;
            }
            client.warningEvent(rs, "FailedDelete", "Error deleting: " + errorText(e));
            throw e;
        }
    }

    /** The apiserver's message (what Kubernetes' {@code err.Error()} is), else the exception's. */
    static String errorText(Exception e) {
        if (e instanceof ApiException api && api.status() != null && api.status().message != null) {
            return api.status().message;
        }
        return e.getMessage() == null ? e.toString() : e.getMessage();
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
        replicaSets.updateStatus(client, next);
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
