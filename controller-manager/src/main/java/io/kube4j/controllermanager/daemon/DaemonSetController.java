package io.kube4j.controllermanager.daemon;

import io.kube4j.api.ControllerRevision;
import io.kube4j.api.DaemonSet;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Node;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.history.ControllerHistory;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ControllerRefs;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.NamespaceTerminating;
import io.kube4j.controllermanager.runtime.ParallelCalls;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SlowStartBatch;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.StatusUpdates;
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
import java.util.Comparator;
import java.util.HashSet;
import java.util.TreeMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Runs one pod of every DaemonSet on each node that should run it (Kubernetes'
 * {@code pkg/controller/daemon/daemon_controller.go} and {@code update.go}): eligibility by nodeSelector,
 * required node affinity and taints ({@link NodeEligibility}); pods created without nodeName but with
 * the required node affinity {@code metadata.name In [node]}, so the default scheduler binds them;
 * pods removed from nodes that are no longer eligible, failed pods replaced (with back-off);
 * RollingUpdate (maxUnavailable, maxSurge) and OnDelete over ControllerRevisions whose hash is the
 * pods' {@code controller-revision-hash}; and status. Creations and deletions are batched and guarded by
 * expectations, as in Kubernetes.
 */
public final class DaemonSetController implements Controller {
    /** At most this many creations or deletions per sync (BurstReplicas). */
    static final int BURST_REPLICAS = 250;
    /** revisionHistoryLimit when unset (apps/v1 default). */
    static final int DEFAULT_REVISION_HISTORY_LIMIT = 10;

    // reads: DaemonSets, their pods, nodes and revisions, never mutated
    private final Informer<DaemonSet> daemonSets;
    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    private final Informer<ControllerRevision> revisions;
    // writes and events
    private final ControllerClient client;
    // time for availability (minReadySeconds) and failed-pod back-off
    private final Clock clock;
    // keys of DaemonSets to sync
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // outstanding creations/deletions per DaemonSet key
    private final Expectations expectations = new Expectations();
    // back-off for deleting failed daemon pods, per DaemonSet uid and node
    private final FailedPodsBackoff failedPodsBackoff = new FailedPodsBackoff();
    // pod creations of a slow-start batch, or deletions, in flight at once (1: one after another)
    private final int maxInFlight;

    /** The DaemonSet controller, with {@link SlowStartBatch#DEFAULT_MAX_IN_FLIGHT} pod requests in flight at most. */
    public DaemonSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        this(informers, client, clock, SlowStartBatch.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * The DaemonSet controller with at most {@code maxInFlight} pod creations (of one slow-start batch) or
     * deletions in flight at once; 1 makes them one after another.
     */
    public DaemonSetController(SharedInformers informers, ControllerClient client, Clock clock, int maxInFlight) {
        this.maxInFlight = Math.max(1, maxInFlight);
        this.daemonSets = informers.informer(DaemonSet.class);
        this.pods = informers.informer(Pod.class);
        this.nodes = informers.informer(Node.class);
        this.revisions = informers.informer(ControllerRevision.class);
        this.client = client;
        this.clock = clock;
        daemonSets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(DaemonSet ds) {
                queue.add(ds.key());
            }

            @Override
            public void onUpdate(DaemonSet old, DaemonSet ds) {
                if (!Objects.equals(old.metadata.uid, ds.metadata.uid)) {
                    expectations.forget(old.key());
                }
                queue.add(ds.key());
            }

            @Override
            public void onDelete(DaemonSet ds) {
                expectations.forget(ds.key());
                queue.add(ds.key());
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
        nodes.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node node) {
                for (DaemonSet ds : daemonSets.store().list()) {
                    if (NodeEligibility.of(node, ds).shouldRun()) {
                        queue.add(ds.key());
                    }
                }
            }

            @Override
            public void onUpdate(Node old, Node node) {
                nodeUpdated(old, node);
            }

            @Override
            public void onDelete(Node node) {
                // not in Kubernetes (pod GC removes the pods): kube4j resyncs so desiredNumberScheduled follows at once
                daemonSets.store().list().forEach(ds -> queue.add(ds.key()));
            }
        });
        revisions.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ControllerRevision r) {
                if (r.metadata.deletionTimestamp != null) {
                    revisionDeleted(r);
                } else if (ControllerRefs.controllerOf(r) == null) {
                    matching(r.metadata.namespace, r.metadata.labels).forEach(ds -> queue.add(ds.key()));
                }
            }

            @Override
            public void onUpdate(ControllerRevision old, ControllerRevision r) {
                if (Objects.equals(old.metadata.resourceVersion, r.metadata.resourceVersion)) {
                    return;
                }
                OwnerReference oldRef = ControllerRefs.controllerOf(old);
                OwnerReference newRef = ControllerRefs.controllerOf(r);
                if (oldRef != null && (newRef == null || !Objects.equals(oldRef.uid, newRef.uid))) {
                    enqueue(resolve(old.metadata.namespace, oldRef));
                }
                if (newRef != null) {
                    enqueue(resolve(r.metadata.namespace, newRef));
                } else if (!old.metadata.labels.equals(r.metadata.labels) || oldRef != null) {
                    matching(r.metadata.namespace, r.metadata.labels).forEach(ds -> queue.add(ds.key()));
                }
            }

            @Override
            public void onDelete(ControllerRevision r) {
                revisionDeleted(r);
            }
        });
    }

    @Override
    public String name() {
        return "daemonset";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(daemonSets, pods, nodes, revisions);
    }

    // ---- event handlers: map pods, nodes and revisions to DaemonSet keys ----------------------

    void podAdded(Pod pod) {
        if (pod.metadata.deletionTimestamp != null) {
            // seen for the first time already terminating (e.g. after a re-list)
            podDeleted(pod);
            return;
        }
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        if (ref != null) {
            DaemonSet ds = resolve(pod.metadata.namespace, ref);
            if (ds != null) {
                expectations.creationObserved(ds.key());
                queue.add(ds.key());
            }
            return;
        }
        matching(pod.metadata.namespace, pod.metadata.labels).forEach(ds -> queue.add(ds.key()));
    }

    void podUpdated(Pod old, Pod pod) {
        if (Objects.equals(old.metadata.resourceVersion, pod.metadata.resourceVersion)) {
            return;
        }
        if (pod.metadata.deletionTimestamp != null) {
            // graceful deletion has begun: act as if it were gone, so the replacement comes at once
            podDeleted(pod);
            return;
        }
        OwnerReference oldRef = ControllerRefs.controllerOf(old);
        OwnerReference newRef = ControllerRefs.controllerOf(pod);
        boolean refChanged = !Objects.equals(oldRef == null ? null : oldRef.uid, newRef == null ? null : newRef.uid);
        if (refChanged && oldRef != null) {
            enqueue(resolve(old.metadata.namespace, oldRef));
        }
        if (newRef != null) {
            DaemonSet ds = resolve(pod.metadata.namespace, newRef);
            if (ds == null) {
                return;
            }
            queue.add(ds.key());
            int minReady = ds.spec.minReadySeconds == null ? 0 : ds.spec.minReadySeconds;
            if (!PodReadiness.isReady(old) && PodReadiness.isReady(pod) && minReady > 0) {
                // a second more, so the pod is surely available when we look
                queue.addAfter(ds.key(), Duration.ofSeconds(minReady + 1L));
            }
            return;
        }
        if (refChanged || !old.metadata.labels.equals(pod.metadata.labels)) {
            matching(pod.metadata.namespace, pod.metadata.labels).forEach(ds -> queue.add(ds.key()));
        }
    }

    void podDeleted(Pod pod) {
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        DaemonSet ds = ref == null ? null : resolve(pod.metadata.namespace, ref);
        if (ds != null) {
            expectations.deletionObserved(ds.key());
            queue.add(ds.key());
        }
    }

    /** Only label and taint changes matter, and only to DaemonSets whose verdict on the node changes. */
    void nodeUpdated(Node old, Node node) {
        if (old.metadata.labels.equals(node.metadata.labels) && Json.write(old.spec.taints).equals(Json.write(node.spec.taints))) {
            return;
        }
        for (DaemonSet ds : daemonSets.store().list()) {
            if (!NodeEligibility.of(old, ds).equals(NodeEligibility.of(node, ds))) {
                queue.add(ds.key());
            }
        }
    }

    private void revisionDeleted(ControllerRevision r) {
        OwnerReference ref = ControllerRefs.controllerOf(r);
        if (ref != null) {
            enqueue(resolve(r.metadata.namespace, ref));
        }
    }

    private void enqueue(DaemonSet ds) {
        if (ds != null) {
            queue.add(ds.key());
        }
    }

    private DaemonSet resolve(String namespace, OwnerReference ref) {
        if (ref == null || !"DaemonSet".equals(ref.kind)) {
            return null;
        }
        DaemonSet ds = daemonSets.store().get(namespace, ref.name);
        return ds != null && Objects.equals(ds.metadata.uid, ref.uid) ? ds : null;
    }

    /** DaemonSets in the namespace whose (valid, non-empty) selector matches the labels. */
    private List<DaemonSet> matching(String namespace, Map<String, String> labels) {
        List<DaemonSet> out = new ArrayList<>();
        for (DaemonSet ds : SharedInformers.inNamespace(daemonSets.store(), namespace)) {
            try {
                Selector s = Selector.from(ds.spec.selector);
                if (!s.isEverything() && s.matches(labels)) {
                    out.add(ds);
                }
            } catch (IllegalArgumentException e) {
                // an invalid selector selects nothing
            }
        }
        return out;
    }

    // ---- reconcile (syncDaemonSet) -----------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        DaemonSet ds = daemonSets.store().get(key);
        if (ds == null) {
            expectations.forget(key);
            return Result.done();
        }
        Selector selector;
        try {
            selector = Selector.from(ds.spec.selector);
        } catch (IllegalArgumentException e) {
            // permanent until the user fixes the object: say so, don't hot-loop
            client.warningEvent(ds, "InvalidSelector", "invalid selector: " + e.getMessage());
            return Result.done();
        }
        if (selector.isEverything()) {
            client.warningEvent(ds, "SelectingAll", "This daemon set is selecting all pods. A non-empty selector is required.");
            return Result.done();
        }
        if (ds.metadata.deletionTimestamp != null) {
            // its revisions may be going too: no status can be trusted now (as Kubernetes)
            return Result.done();
        }
        List<Node> nodeList = new ArrayList<>(nodes.store().list());
        nodeList.sort(Comparator.comparing(n -> n.metadata.name));

        History history = constructHistory(ds, selector);
        String hash = history.current().metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH);
        List<Pod> claimed = claimPods(ds, selector);

        if (!expectations.satisfied(key)) {
            // only status; observedGeneration stays, since this generation was not acted on
            return updateStatus(ds, nodeList, claimed, hash, false);
        }
        Result result;
        try {
            result = manage(ds, nodeList, claimed, hash);
            if (expectations.satisfied(key) && "RollingUpdate".equals(RollingUpdate.strategyType(ds))) {
                RollingUpdate.Step step = RollingUpdate.step(ds, nodeList, nodesToDaemonPods(claimed, false), hash,
                        name -> nodes.store().get(name), clock.instant());
                result = result.and(syncNodes(ds, step.podsToDelete(), step.nodesToCreate(), hash));
            }
            cleanupHistory(ds, history.old(), claimed);
        } catch (ApiException e) {
            // transient: still write what we know, then retry with back-off
            updateStatus(ds, nodeList, claimed, hash, true);
            throw e;
        }
        return result.and(updateStatus(ds, nodeList, claimed, hash, true));
    }

    /** The pods of {@code ds} after adopting matching orphans and releasing pods it no longer selects. */
    private List<Pod> claimPods(DaemonSet ds, Selector selector) {
        return ControllerRefs.claim(ds, selector, SharedInformers.inNamespace(pods.store(), ds.metadata.namespace), Pod.class, client);
    }

    /**
     * The daemon pods by the node they are for (getNodesToDaemonPods); pods both terminal and being
     * deleted are left out unless {@code includeDeletedTerminal}, as are pods with no target node.
     */
    static Map<String, List<Pod>> nodesToDaemonPods(List<Pod> claimed, boolean includeDeletedTerminal) {
        // by node name, so every pass over the nodes has one order (Kubernetes walks a Go map, in no order)
        Map<String, List<Pod>> out = new TreeMap<>();
        for (Pod pod : claimed) {
            if (!includeDeletedTerminal && PodReadiness.isTerminal(pod) && pod.metadata.deletionTimestamp != null) {
                continue;
            }
            String node = DaemonPods.targetNodeName(pod);
            if (node != null) {
                out.computeIfAbsent(node, n -> new ArrayList<>()).add(pod);
            }
        }
        return out;
    }

    /** Scheduled pods first, then oldest first, then by name (podByCreationTimestampAndPhase). */
    static final Comparator<Pod> BY_CREATION_AND_PHASE = Comparator
            .comparing((Pod p) -> p.spec.nodeName == null || p.spec.nodeName.isEmpty())
            .thenComparing(p -> p.metadata.creationTimestamp == null ? "" : p.metadata.creationTimestamp)
            .thenComparing(p -> p.metadata.name);

    /** Creates missing daemon pods and deletes the ones that must go (manage). */
    private Result manage(DaemonSet ds, List<Node> nodeList, List<Pod> claimed, String hash) {
        Map<String, List<Pod>> nodeToDaemonPods = nodesToDaemonPods(claimed, false);
        List<String> nodesNeedingDaemonPods = new ArrayList<>();
        List<String> podsToDelete = new ArrayList<>();
        Result requeue = Result.done();
        for (Node node : nodeList) {
            requeue = requeue.and(podsShouldBeOnNode(node, nodeToDaemonPods, ds, hash, nodesNeedingDaemonPods, podsToDelete));
        }
        // pods for nodes that no longer exist and were never scheduled: pod GC would never see them
        Set<String> existing = new HashSet<>();
        nodeList.forEach(n -> existing.add(n.metadata.name));
        nodeToDaemonPods.forEach((node, list) -> {
            if (!existing.contains(node)) {
                for (Pod p : list) {
                    if (p.spec.nodeName == null || p.spec.nodeName.isEmpty()) {
                        podsToDelete.add(p.metadata.name);
                    }
                }
            }
        });
        return requeue.and(syncNodes(ds, podsToDelete, nodesNeedingDaemonPods, hash));
    }

    /** What one node needs: a pod created, failed/surplus/misplaced pods deleted (podsShouldBeOnNode). */
    private Result podsShouldBeOnNode(Node node, Map<String, List<Pod>> nodeToDaemonPods, DaemonSet ds, String hash,
                                      List<String> nodesNeedingDaemonPods, List<String> podsToDelete) {
        NodeEligibility.Decision decision = NodeEligibility.of(node, ds);
        String nodeName = node.metadata.name;
        List<Pod> daemonPods = nodeToDaemonPods.get(nodeName);
        boolean exists = daemonPods != null;
        Result result = Result.done();
        if (decision.shouldRun() && !exists) {
            nodesNeedingDaemonPods.add(nodeName);
        } else if (decision.shouldContinueRunning()) {
            List<Pod> running = new ArrayList<>();
            Instant now = clock.instant();
            for (Pod pod : exists ? daemonPods : List.<Pod>of()) {
                if (pod.metadata.deletionTimestamp != null) {
                    continue;
                }
                String phase = pod.status == null ? null : pod.status.phase;
                if ("Failed".equals(phase)) {
                    String backoffKey = ds.metadata.uid + "/" + nodeName;
                    if (failedPodsBackoff.inBackoff(backoffKey, now)) {
                        result = result.and(Result.requeueAfter(failedPodsBackoff.get(backoffKey)));
                        continue;
                    }
                    failedPodsBackoff.next(backoffKey, now);
                    client.warningEvent(ds, "FailedDaemonPod", "Found failed daemon pod " + pod.metadata.namespace + "/" + pod.metadata.name
                            + " on node " + nodeName + ", will try to kill it");
                    podsToDelete.add(pod.metadata.name);
                } else if ("Succeeded".equals(phase)) {
                    client.normalEvent(ds, "SucceededDaemonPod", "Found succeeded daemon pod " + pod.metadata.namespace + "/" + pod.metadata.name
                            + " on node " + nodeName + ", will try to delete it");
                    podsToDelete.add(pod.metadata.name);
                } else {
                    running.add(pod);
                }
            }
            running.sort(BY_CREATION_AND_PHASE);
            if (!RollingUpdate.allowsSurge(ds)) {
                // without surge one pod per node: keep the oldest
                for (int i = 1; i < running.size(); i++) {
                    podsToDelete.add(running.get(i).metadata.name);
                }
            } else if (running.isEmpty() && decision.shouldRun()) {
                nodesNeedingDaemonPods.add(nodeName);
            } else if (running.size() > 1) {
                surplusWithSurge(ds, running, hash, now, podsToDelete);
            }
        } else if (exists) {
            // the pod may not stay here (a NoExecute taint it does not tolerate, labels that no longer match)
            for (Pod pod : daemonPods) {
                if (pod.metadata.deletionTimestamp == null) {
                    podsToDelete.add(pod.metadata.name);
                }
            }
        }
        return result;
    }

    /**
     * With surge two pods may share a node only while the oldest new one is not available yet and the
     * oldest old one is ready; every other pod goes.
     */
    private void surplusWithSurge(DaemonSet ds, List<Pod> running, String hash, Instant now, List<String> podsToDelete) {
        Long generation = DaemonPods.templateGeneration(ds);
        Pod oldestNew = null;
        Pod oldestOld = null;
        for (Pod pod : running) {
            if (DaemonPods.isPodUpdated(pod, hash, generation)) {
                if (oldestNew == null) {
                    oldestNew = pod;
                    continue;
                }
            } else if (oldestOld == null) {
                oldestOld = pod;
                continue;
            }
            podsToDelete.add(pod.metadata.name);
        }
        if (oldestNew != null && oldestOld != null) {
            int minReady = ds.spec.minReadySeconds == null ? 0 : ds.spec.minReadySeconds;
            if (!PodReadiness.isReady(oldestOld) || PodReadiness.isAvailable(oldestNew, minReady, now)) {
                podsToDelete.add(oldestOld.metadata.name);
            }
        }
    }

    /**
     * Creates daemon pods on {@code nodesNeedingDaemonPods} and deletes {@code podsToDelete} (syncNodes):
     * at most {@link #BURST_REPLICAS} of each, creations in slow-start batches (1, 2, 4, ...; a batch's
     * creations concurrently, {@link SlowStartBatch}) where a batch with a failure ends the creating and
     * the skipped creations are lowered from the expectations, then all deletions at once. Expectations
     * are set first. Failures are returned as a retry.
     */
    private Result syncNodes(DaemonSet ds, List<String> podsToDelete, List<String> nodesNeedingDaemonPods, String hash) {
        String key = ds.key();
        int createDiff = Math.min(nodesNeedingDaemonPods.size(), BURST_REPLICAS);
        int deleteDiff = Math.min(podsToDelete.size(), BURST_REPLICAS);
        expectations.set(key, createDiff, deleteDiff);
        List<String> errors = new ArrayList<>();
        if (createDiff > 0) {
            PodTemplateSpec template = DaemonPods.createPodTemplate(ds.spec.template == null ? new PodTemplateSpec() : ds.spec.template,
                    DaemonPods.templateGeneration(ds), hash);
            SlowStartBatch.Result<Pod> created = SlowStartBatch.run(createDiff, SlowStartBatch.INITIAL_BATCH_SIZE, Integer.MAX_VALUE, maxInFlight, i -> {
                try {
                    Pod pod = client.create(DaemonPods.podForNode(ds, template, nodesNeedingDaemonPods.get(i)));
                    client.normalEvent(ds, "SuccessfulCreate", "Created pod: " + (pod == null ? "" : pod.metadata.name));
                    return pod;
                } catch (ApiException e) {
                    if (NamespaceTerminating.refused(e)) {
                        // every later creation would fail the same way; not a failure (as Kubernetes)
                        return null;
                    }
                    // never observed: no longer expected
                    expectations.creationObserved(key);
                    client.warningEvent(ds, "FailedCreate", "Error creating: " + e.getMessage());
                    throw e;
                }
            });
            created.errors().forEach(e -> errors.add(e.getMessage()));
            int skipped = created.skipped(createDiff);
            if (skipped > 0) {
                // slow start: the rest would likely fail the same way; the next sync tries again
                expectations.lower(key, skipped, 0);
            }
        }
        // all at once, as Kubernetes (a goroutine per pod)
        List<ParallelCalls.Outcome<Boolean>> deleted = ParallelCalls.forEach(podsToDelete.subList(0, deleteDiff), maxInFlight, name -> {
            try {
                client.delete(Pod.class, ds.metadata.namespace, name, new DeleteOptions());
                client.normalEvent(ds, "SuccessfulDelete", "Deleted pod: " + name);
            } catch (ApiException e) {
                expectations.deletionObserved(key);
                if (!e.isNotFound()) {
                    client.warningEvent(ds, "FailedDelete", "Error deleting: " + e.getMessage());
                    throw e;
                }
            }
            return true;
        });
        deleted.stream().filter(o -> !o.ok()).forEach(o -> errors.add(o.error().getMessage()));
        return errors.isEmpty() ? Result.done() : Result.retry(String.join("; ", errors));
    }

    // ---- status ------------------------------------------------------------------------------

    /**
     * Counts nodes that should run the pod (desired), that do (current), that run it but should not
     * (misscheduled), and whose oldest daemon pod is ready, available and of the current revision
     * (updateDaemonSetStatus). With minReadySeconds and ready pods not yet available, looks again then.
     */
    private Result updateStatus(DaemonSet ds, List<Node> nodeList, List<Pod> claimed, String hash, boolean updateObservedGeneration) {
        Map<String, List<Pod>> nodeToDaemonPods = nodesToDaemonPods(claimed, false);
        int desired = 0;
        int current = 0;
        int misscheduled = 0;
        int ready = 0;
        int updated = 0;
        int available = 0;
        int minReady = ds.spec.minReadySeconds == null ? 0 : ds.spec.minReadySeconds;
        Long generation = DaemonPods.templateGeneration(ds);
        Instant now = clock.instant();
        for (Node node : nodeList) {
            boolean shouldRun = NodeEligibility.of(node, ds).shouldRun();
            List<Pod> daemonPods = nodeToDaemonPods.getOrDefault(node.metadata.name, List.of());
            boolean scheduled = !daemonPods.isEmpty();
            if (shouldRun) {
                desired++;
                if (!scheduled) {
                    continue;
                }
                current++;
                List<Pod> sorted = new ArrayList<>(daemonPods);
                sorted.sort(BY_CREATION_AND_PHASE);
                Pod pod = sorted.getFirst();
                if (PodReadiness.isReady(pod)) {
                    ready++;
                    if (PodReadiness.isAvailable(pod, minReady, now)) {
                        available++;
                    }
                }
                if (DaemonPods.isPodUpdated(pod, hash, generation)) {
                    updated++;
                }
            } else if (scheduled) {
                misscheduled++;
            }
        }
        int unavailable = desired - available;
        DaemonSet.DaemonSetStatus s = ds.status;
        boolean same = s.desiredNumberScheduled == desired && s.currentNumberScheduled == current
                && s.numberMisscheduled == misscheduled && s.numberReady == ready
                && Objects.equals(orZero(s.updatedNumberScheduled), updated) && Objects.equals(orZero(s.numberAvailable), available)
                && Objects.equals(orZero(s.numberUnavailable), unavailable)
                && s.observedGeneration != null && ds.metadata.generation != null && s.observedGeneration >= ds.metadata.generation;
        if (!same) {
            int[] counts = {desired, current, misscheduled, ready, updated, available, unavailable};
            StatusUpdates.updateStatus(client, ds, DaemonSet.class, next -> {
                if (updateObservedGeneration) {
                    next.status.observedGeneration = ds.metadata.generation;
                }
                next.status.desiredNumberScheduled = counts[0];
                next.status.currentNumberScheduled = counts[1];
                next.status.numberMisscheduled = counts[2];
                next.status.numberReady = counts[3];
                next.status.updatedNumberScheduled = counts[4];
                next.status.numberAvailable = counts[5];
                next.status.numberUnavailable = counts[6];
            });
        }
        if (minReady > 0 && ready != available) {
            // a last line of defence against clock skew: look again once the ready pods should be available
            return Result.requeueAfter(Duration.ofSeconds(minReady));
        }
        return Result.done();
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    // ---- history (ControllerRevisions) -------------------------------------------------------

    /** The revision of the current template and the older ones. */
    record History(ControllerRevision current, List<ControllerRevision> old) {
    }

    /**
     * Finds or creates the ControllerRevision of the DaemonSet's template (constructHistory): claims
     * revisions by selector, labels old ones with their name as hash, dedups current ones, and gives the
     * current one the highest revision number.
     */
    History constructHistory(DaemonSet ds, Selector selector) {
        List<ControllerRevision> histories = ControllerRefs.claim(ds, selector,
                SharedInformers.inNamespace(revisions.store(), ds.metadata.namespace), ControllerRevision.class, client);
        Map<String, Object> patch = ControllerHistory.templatePatch(ds);
        List<ControllerRevision> currents = new ArrayList<>();
        List<ControllerRevision> old = new ArrayList<>();
        for (ControllerRevision h : histories) {
            if (!h.metadata.labels.containsKey(ControllerHistory.CONTROLLER_REVISION_HASH)) {
                // revisions from before the label: the name is the hash (no hash to compute, no collision to fear)
                ControllerRevision copy = Json.copy(h);
                copy.metadata.labels.put(ControllerHistory.CONTROLLER_REVISION_HASH, copy.metadata.name);
                h = client.update(copy);
            }
            if (ControllerHistory.sameData(patch, h.data)) {
                currents.add(h);
            } else {
                old.add(h);
            }
        }
        long currRevision = ControllerHistory.maxRevision(old) + 1;
        ControllerRevision cur;
        if (currents.isEmpty()) {
            cur = snapshot(ds, currRevision, patch);
        } else {
            cur = dedupCurrent(ds, currents);
            if (cur.revision < currRevision) {
                ControllerRevision copy = Json.copy(cur);
                copy.revision = currRevision;
                cur = client.update(copy);
            }
        }
        return new History(cur, old);
    }

    /**
     * Creates the revision {@code <ds>-<hash>} (snapshot). If the name is taken by a revision of another
     * template, collisionCount is raised in status and the sync retried, so the next hash differs.
     */
    private ControllerRevision snapshot(DaemonSet ds, long revision, Map<String, Object> patch) {
        String hash = ControllerHistory.computeHash(ds.spec.template, ds.status.collisionCount);
        ControllerRevision h = new ControllerRevision();
        h.metadata.namespace = ds.metadata.namespace;
        h.metadata.name = ds.metadata.name + "-" + hash;
        if (ds.spec.template != null) {
            h.metadata.labels.putAll(ds.spec.template.metadata.labels);
        }
        h.metadata.labels.put(ControllerHistory.CONTROLLER_REVISION_HASH, hash);
        h.metadata.annotations.putAll(ds.metadata.annotations);
        h.metadata.ownerReferences.add(OwnerReference.controllerOf(ds));
        h.data = patch;
        h.revision = revision;
        try {
            return client.create(h);
        } catch (ApiException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
            ControllerRevision existing = client.find(ControllerRevision.class, h.metadata.namespace, h.metadata.name)
                    .orElseThrow(() -> e);
            if (ControllerHistory.sameData(patch, existing.data)) {
                return existing;
            }
            DaemonSet live = client.find(DaemonSet.class, ds.metadata.namespace, ds.metadata.name).orElseThrow(() -> e);
            if (!Objects.equals(live.status.collisionCount, ds.status.collisionCount)) {
                throw new IllegalStateException("found a stale collision count (" + ds.status.collisionCount + ", expected "
                        + live.status.collisionCount + ") of DaemonSet \"" + ds.metadata.name + "\" while processing; will retry until it is updated");
            }
            live.status.collisionCount = live.status.collisionCount == null ? 1 : live.status.collisionCount + 1;
            StatusUpdates.updateStatus(client, live);
            throw e;
        }
    }

    /** Of several revisions of the current template keeps the highest, relabels pods to its hash, deletes the rest (dedupCurHistories). */
    private ControllerRevision dedupCurrent(DaemonSet ds, List<ControllerRevision> currents) {
        if (currents.size() == 1) {
            return currents.getFirst();
        }
        ControllerRevision keep = null;
        for (ControllerRevision c : currents) {
            if (keep == null || c.revision >= keep.revision) {
                keep = c;
            }
        }
        String keepHash = keep.metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH);
        for (ControllerRevision c : currents) {
            if (c.metadata.name.equals(keep.metadata.name)) {
                continue;
            }
            for (Pod pod : claimPods(ds, Selector.from(ds.spec.selector))) {
                if (!Objects.equals(pod.metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH), keepHash)) {
                    client.mergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name,
                            "{\"metadata\":{\"labels\":{\"" + ControllerHistory.CONTROLLER_REVISION_HASH + "\":\"" + keepHash + "\"}}}");
                }
            }
            deleteRevision(c);
        }
        return keep;
    }

    /** Deletes the oldest old revisions beyond revisionHistoryLimit, sparing those a pod still runs (cleanupHistory). */
    private void cleanupHistory(DaemonSet ds, List<ControllerRevision> old, List<Pod> claimed) {
        int toKeep = ds.spec.revisionHistoryLimit == null ? DEFAULT_REVISION_HISTORY_LIMIT : ds.spec.revisionHistoryLimit;
        int toKill = old.size() - toKeep;
        if (toKill <= 0) {
            return;
        }
        Set<String> liveHashes = new HashSet<>();
        nodesToDaemonPods(claimed, true).values().forEach(list -> list.forEach(p -> {
            String h = p.metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH);
            if (h != null && !h.isEmpty()) {
                liveHashes.add(h);
            }
        }));
        List<ControllerRevision> sorted = new ArrayList<>(old);
        sorted.sort(ControllerHistory.BY_REVISION);
        for (ControllerRevision h : sorted) {
            if (toKill <= 0) {
                break;
            }
            if (liveHashes.contains(h.metadata.labels.get(ControllerHistory.CONTROLLER_REVISION_HASH))) {
                continue;
            }
            deleteRevision(h);
            toKill--;
        }
    }

    private void deleteRevision(ControllerRevision h) {
        try {
            client.delete(ControllerRevision.class, h.metadata.namespace, h.metadata.name, new DeleteOptions());
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /** Outstanding creations for {@code key} (for tests). */
    int pendingCreations(String key) {
        return expectations.pendingCreations(key);
    }
}
