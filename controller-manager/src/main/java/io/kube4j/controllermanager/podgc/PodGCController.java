package io.kube4j.controllermanager.podgc;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PodStatus;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ParallelCalls;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Deletes pods nothing else will delete, as Kubernetes' PodGC ({@code pkg/controller/podgc/gc_controller.go}),
 * every check period (20 s) over the pod and node caches:
 * <ol>
 *   <li><b>terminated</b>: when more than {@code terminatedPodThreshold} pods (12500) are terminated
 *       (phase neither Pending, Running nor Unknown), the surplus, evicted ones first, then oldest;</li>
 *   <li><b>terminating on an out-of-service node</b>: pods being deleted on a node that is not Ready and
 *       has the {@code node.kubernetes.io/out-of-service} taint;</li>
 *   <li><b>orphaned</b>: pods bound to a node that does not exist: the node name is quarantined for
 *       {@code quarantineTime} (40 s) in case the node cache lags, then a live GET confirms it is gone;
 *       such pods get {@code DisruptionTarget=True} (reason {@code DeletionByPodGC}, message
 *       {@code PodGC: node no longer exists});</li>
 *   <li><b>unscheduled terminating</b>: pods being deleted that were never bound to a node.</li>
 * </ol>
 * Each pod not yet Succeeded or Failed is first marked {@code Failed} (there is no kubelet left to do it),
 * then deleted with grace period 0. A failure costs only that pod, which is tried again next period.
 * Unlike the other controllers this one has no object to reconcile: its queue holds one key,
 * {@link #GC_KEY}, that requeues itself every period (Kubernetes: {@code wait.UntilWithContext}).
 */
public final class PodGCController implements Controller {
    private static final Logger log = LoggerFactory.getLogger(PodGCController.class);

    /** The only key in the queue: one pass over all pods. */
    public static final String GC_KEY = "gc";
    /** Kubernetes' {@code gcCheckPeriod}. */
    public static final Duration DEFAULT_CHECK_PERIOD = Duration.ofSeconds(20);
    /** Kubernetes' {@code quarantineTime}. */
    public static final Duration DEFAULT_QUARANTINE_TIME = Duration.ofSeconds(40);
    /** kube-controller-manager's {@code --terminated-pod-gc-threshold} default. */
    public static final int DEFAULT_TERMINATED_POD_THRESHOLD = 12500;
    /** Kubernetes' {@code v1.TaintNodeOutOfService}. */
    static final String OUT_OF_SERVICE_TAINT = "node.kubernetes.io/out-of-service";
    /** The condition an orphaned pod gets before it is deleted (Kubernetes 1.32). */
    static final String DISRUPTION_TARGET = "DisruptionTarget";
    static final String REASON_DELETION_BY_POD_GC = "DeletionByPodGC";
    static final String MESSAGE_NODE_GONE = "PodGC: node no longer exists";
    // Kubernetes' eviction.Reason: a Failed pod with this status.reason was evicted by a kubelet
    private static final String EVICTED = "Evicted";
    // parallel force deletions in flight (Kubernetes: one goroutine per pod)
    private static final int MAX_IN_FLIGHT = 50;

    // metric reasons, as Kubernetes' pkg/controller/podgc/metrics
    static final String GC_TERMINATED = "terminated";
    static final String GC_TERMINATING_OUT_OF_SERVICE = "out-of-service";
    static final String GC_ORPHANED = "orphaned";
    static final String GC_TERMINATING_UNSCHEDULED = "unscheduled";

    // reads: all pods and nodes, never mutated
    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    // writes (status, delete) and live node GETs
    private final ControllerClient client;
    // time for the quarantine and condition timestamps
    private final Clock clock;
    // terminated pods kept; 0 or less: keep all
    private final int terminatedPodThreshold;
    // time between two passes
    private final Duration checkPeriod;
    // grace for a node missing from the cache before its pods count as orphans
    private final Duration quarantineTime;
    // for the force-delete counters
    private final MeterRegistry metrics;
    // holds GC_KEY only
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // node names seen on pods but not in the cache -> when their quarantine ends (Kubernetes' delaying nodeQueue);
    // only the single GC worker touches it
    private final Map<String, Instant> quarantine = new HashMap<>();

    /**
     * @param terminatedPodThreshold terminated pods kept before the oldest are deleted; 0 or less turns that part off
     * @param checkPeriod            time between two passes
     * @param quarantineTime         how long a node missing from the cache is given to show up before its pods are orphans
     * @param metrics                for {@code pod_gc_collector_force_delete_pods_total} and {@code ..._errors_total}
     */
    public PodGCController(SharedInformers informers, ControllerClient client, Clock clock, int terminatedPodThreshold,
                           Duration checkPeriod, Duration quarantineTime, MeterRegistry metrics) {
        this.pods = informers.informer(Pod.class);
        this.nodes = informers.informer(Node.class);
        this.client = client;
        this.clock = clock;
        this.terminatedPodThreshold = terminatedPodThreshold;
        this.checkPeriod = checkPeriod;
        this.quarantineTime = quarantineTime;
        this.metrics = metrics;
        // the first pass runs as soon as the caches have synced, then every period
        queue.add(GC_KEY);
    }

    @Override
    public String name() {
        return "podgc";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(pods, nodes);
    }

    /** One pass over all pods (whatever the key); always looks again after the check period. */
    @Override
    public Result reconcile(String key) {
        List<Pod> all = pods.store().list();
        if (terminatedPodThreshold > 0) {
            gcTerminated(all);
        }
        gcTerminating(all);
        gcOrphaned(all, nodes.store().list());
        gcUnscheduledTerminating(all);
        return Result.requeueAfter(checkPeriod);
    }

    // ---- the four kinds of garbage ---------------------------------------------------------------

    private void gcTerminated(List<Pod> all) {
        List<Pod> terminated = new ArrayList<>();
        for (Pod p : all) {
            if (isTerminated(p)) {
                terminated.add(p);
            }
        }
        int deleteCount = terminated.size() - terminatedPodThreshold;
        if (deleteCount <= 0) {
            return;
        }
        log.info("garbage collecting {} terminated pods (threshold {})", deleteCount, terminatedPodThreshold);
        terminated.sort(BY_EVICTION_AND_CREATION);
        forceDeleteAll(terminated.subList(0, deleteCount), GC_TERMINATED);
    }

    private void gcTerminating(List<Pod> all) {
        List<Pod> terminating = new ArrayList<>();
        for (Pod p : all) {
            if (p.metadata.deletionTimestamp == null) {
                continue;
            }
            Node node = p.spec.nodeName == null || p.spec.nodeName.isEmpty() ? null : nodes.store().get(p.spec.nodeName);
            if (node == null) {
                // unscheduled, or the node is gone: the other passes deal with those
                continue;
            }
            if (!isNodeReady(node) && node.spec.taints.stream().anyMatch(t -> OUT_OF_SERVICE_TAINT.equals(t.key))) {
                terminating.add(p);
            }
        }
        if (terminating.isEmpty()) {
            return;
        }
        log.info("garbage collecting {} pods terminating on nodes tainted {}", terminating.size(), OUT_OF_SERVICE_TAINT);
        terminating.sort(BY_EVICTION_AND_CREATION);
        forceDeleteAll(terminating, GC_TERMINATING_OUT_OF_SERVICE);
    }

    private void gcOrphaned(List<Pod> all, List<Node> nodeList) {
        Set<String> existing = new HashSet<>();
        nodeList.forEach(n -> existing.add(n.metadata.name));
        Instant now = clock.instant();
        for (Pod p : all) {
            String node = p.spec.nodeName;
            if (node != null && !node.isEmpty() && !existing.contains(node)) {
                // as a delaying queue's AddAfter: a name already waiting keeps its earlier time
                quarantine.putIfAbsent(node, now.plus(quarantineTime));
            }
        }
        Set<String> deleted = discoverDeletedNodes(existing, now);
        if (deleted.isEmpty()) {
            return;
        }
        for (Pod p : all) {
            if (p.spec.nodeName == null || !deleted.contains(p.spec.nodeName)) {
                continue;
            }
            log.info("found orphaned pod {} assigned to the non-existent node {}, deleting", p.key(), p.spec.nodeName);
            PodCondition condition = new PodCondition(DISRUPTION_TARGET, "True", REASON_DELETION_BY_POD_GC, MESSAGE_NODE_GONE, null);
            if (forceDelete(p, condition, GC_ORPHANED)) {
                log.info("forced deletion of orphaned pod {} succeeded", p.key());
            }
        }
    }

    /** The quarantined names whose time is up and that a live GET does not find either; those are done with. */
    private Set<String> discoverDeletedNodes(Set<String> existing, Instant now) {
        Set<String> deleted = new HashSet<>();
        for (var it = quarantine.entrySet().iterator(); it.hasNext(); ) {
            Map.Entry<String, Instant> e = it.next();
            if (e.getValue().isAfter(now)) {
                continue;
            }
            // done with it either way; if its pods are still there next pass, it is quarantined again
            it.remove();
            String name = e.getKey();
            if (existing.contains(name)) {
                continue;
            }
            try {
                Optional<Node> live = client.find(Node.class, null, name);
                if (live.isEmpty()) {
                    deleted.add(name);
                }
            } catch (ApiException ex) {
                log.warn("podgc: could not get node {}: {}", name, ex.getMessage());
            }
        }
        return deleted;
    }

    private void gcUnscheduledTerminating(List<Pod> all) {
        for (Pod p : all) {
            if (p.metadata.deletionTimestamp == null || (p.spec.nodeName != null && !p.spec.nodeName.isEmpty())) {
                continue;
            }
            log.info("found unscheduled terminating pod {} not assigned to any node, deleting", p.key());
            if (forceDelete(p, null, GC_TERMINATING_UNSCHEDULED)) {
                log.info("forced deletion of unscheduled terminating pod {} succeeded", p.key());
            }
        }
    }

    // ---- marking Failed and deleting -------------------------------------------------------------

    private void forceDeleteAll(List<Pod> victims, String reason) {
        ParallelCalls.forEach(victims, MAX_IN_FLIGHT, p -> forceDelete(p, null, reason));
    }

    /**
     * Kubernetes' {@code markFailedAndDeletePodWithCondition}: a pod not yet Succeeded/Failed is written
     * Failed (with {@code condition}, if any) through {@code pods/{name}/status}, then it is deleted with
     * grace period 0. True when the pod is gone; a failure is logged and counted, never thrown.
     */
    private boolean forceDelete(Pod pod, PodCondition condition, String reason) {
        counter("pod.gc.collector.force.delete.pods", pod, reason).increment();
        log.info("PodGC is force deleting pod {}", pod.key());
        try {
            if (!isSucceededOrFailed(pod)) {
                markFailed(pod, condition);
            }
            DeleteOptions options = new DeleteOptions();
            options.gracePeriodSeconds = 0L;
            client.delete(Pod.class, pod.metadata.namespace, pod.metadata.name, options);
            return true;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                // gone already: what we wanted
                return true;
            }
            log.warn("podgc: could not force-delete pod {}: {}", pod.key(), e.getMessage());
            counter("pod.gc.collector.force.delete.pod.errors", pod, reason).increment();
            return false;
        } catch (RuntimeException e) {
            log.warn("podgc: could not force-delete pod {}", pod.key(), e);
            counter("pod.gc.collector.force.delete.pod.errors", pod, reason).increment();
            return false;
        }
    }

    /**
     * Writes phase Failed (and the condition) from the cached pod; on a conflict (the cache was stale)
     * reads the pod live and tries again, at most three times. Kubernetes sends a patch with the pod's
     * uid instead; a PUT of the whole status with its resourceVersion is as safe against overwriting a
     * newer status or another pod of the same name.
     */
    private void markFailed(Pod cached, PodCondition condition) {
        Pod current = cached;
        for (int attempt = 0; ; attempt++) {
            Pod next = Json.copy(current);
            if (next.status == null) {
                next.status = new PodStatus();
            }
            next.status.phase = "Failed";
            if (condition != null) {
                updatePodCondition(next.status, Json.copy(condition), clock.instant());
            }
            try {
                client.updateStatus(next);
                return;
            } catch (ApiException e) {
                if (!e.isConflict() || attempt == 2) {
                    throw e;
                }
            }
            Pod live = client.find(Pod.class, cached.metadata.namespace, cached.metadata.name)
                    .orElseThrow(() -> new ApiException(404, null, "pod " + cached.key() + " is gone", null));
            if (!Objects.equals(live.metadata.uid, cached.metadata.uid)) {
                throw new ApiException(409, null, "pod " + cached.key() + " was replaced by another of the same name", null);
            }
            if (isSucceededOrFailed(live)) {
                return;
            }
            current = live;
        }
    }

    /**
     * Kubernetes' {@code UpdatePodCondition}: adds {@code condition}, or replaces the one of its type,
     * keeping that one's lastTransitionTime when the status did not change.
     */
    static void updatePodCondition(PodStatus status, PodCondition condition, Instant now) {
        condition.lastTransitionTime = Times.format(now);
        for (int i = 0; i < status.conditions.size(); i++) {
            PodCondition old = status.conditions.get(i);
            if (condition.type.equals(old.type)) {
                if (Objects.equals(condition.status, old.status)) {
                    condition.lastTransitionTime = old.lastTransitionTime;
                }
                status.conditions.set(i, condition);
                return;
            }
        }
        status.conditions.add(condition);
    }

    // pod_gc_collector_force_delete_pods_total and pod_gc_collector_force_delete_pod_errors_total, as Kubernetes
    private Counter counter(String name, Pod pod, String reason) {
        return Counter.builder(name).tag("namespace", String.valueOf(pod.metadata.namespace)).tag("reason", reason)
                .description(name.endsWith("errors") ? "errors force-deleting pods in the pod garbage collector"
                        : "pods the pod garbage collector force-deleted (or tried to)")
                .register(metrics);
    }

    // ---- predicates, as Kubernetes -------------------------------------------------------------

    /**
     * Kubernetes' {@code isPodTerminated}: any phase but Pending, Running and Unknown, so also a pod
     * without a phase (which no apiserver stores).
     */
    static boolean isTerminated(Pod pod) {
        String phase = pod.status == null ? null : pod.status.phase;
        return !"Pending".equals(phase) && !"Running".equals(phase) && !"Unknown".equals(phase);
    }

    private static boolean isSucceededOrFailed(Pod pod) {
        String phase = pod.status == null ? null : pod.status.phase;
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /** Kubernetes' {@code nodeutil.IsNodeReady}: the Ready condition is True. */
    static boolean isNodeReady(Node node) {
        Node.NodeCondition ready = node.status == null ? null : node.status.condition("Ready");
        return ready != null && "True".equals(ready.status);
    }

    /** Kubernetes' {@code eviction.PodIsEvicted}: Failed with reason Evicted. */
    static boolean isEvicted(Pod pod) {
        return pod.status != null && "Failed".equals(pod.status.phase) && EVICTED.equals(pod.status.reason);
    }

    /** Kubernetes' {@code byEvictionAndCreationTimestamp}: evicted pods first, then oldest, then by name. */
    static final Comparator<Pod> BY_EVICTION_AND_CREATION = Comparator
            .comparing((Pod p) -> !isEvicted(p))
            .thenComparing(PodGCController::created, Comparator.nullsLast(Comparator.naturalOrder()))
            .thenComparing(p -> p.metadata.name, Comparator.nullsLast(Comparator.naturalOrder()));

    private static Instant created(Pod p) {
        try {
            return Times.parse(p.metadata.creationTimestamp);
        } catch (RuntimeException e) {
            return null;
        }
    }
}
