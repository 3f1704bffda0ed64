package io.kube4j.controllermanager.nodelifecycle;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Lease;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.json.Times;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Watches node heartbeats (the node's Lease in {@code kube-node-lease} and its Ready condition): a
 * node silent for longer than the grace period gets Ready=Unknown; a node that is Unknown or
 * NotReady gets the {@code unreachable} or {@code not-ready} taints (NoSchedule and NoExecute), which
 * go again once it is Ready. Pods on a node with NoExecute taints are evicted (deleted) once their
 * tolerationSeconds have passed since the taint was added, or at once without a toleration. Each node
 * is reconciled again every monitor period, so silence is noticed without any event.
 */
public final class NodeLifecycleController implements Controller {
    static final String UNREACHABLE = "node.kubernetes.io/unreachable";
    static final String NOT_READY = "node.kubernetes.io/not-ready";
    static final String LEASE_NAMESPACE = "kube-node-lease";
    static final String BY_NODE = "nodeName";
    private static final Set<String> MANAGED = Set.of(UNREACHABLE, NOT_READY);

    /** What a node's heartbeat looked like when this controller last saw it change, by the local clock. */
    private record Heartbeat(String signature, Instant observedAt) {
    }

    // reads: nodes, their leases, pods by node
    private final Informer<Node> nodes;
    private final Informer<Lease> leases;
    private final Informer<Pod> pods;
    // writes and events
    private final ControllerClient client;
    private final Clock clock;
    private final Duration monitorPeriod;
    private final Duration gracePeriod;
    private final long defaultTolerationSeconds;
    // node name -> last heartbeat change seen; local time so that clock skew between machines does not matter
    private final Map<String, Heartbeat> heartbeats = new ConcurrentHashMap<>();
    // nodes whose pods could not all be marked not ready (Kubernetes' nodesToRetry)
    private final Set<String> nodesToRetry = ConcurrentHashMap.newKeySet();
    // node names
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public NodeLifecycleController(SharedInformers informers, ControllerClient client, Clock clock,
                                   Duration monitorPeriod, Duration gracePeriod, long defaultTolerationSeconds) {
        this.nodes = informers.informer(Node.class);
        this.leases = informers.informer(Lease.class, LEASE_NAMESPACE);
        this.pods = informers.informer(Pod.class);
        informers.index(pods, BY_NODE, p -> p.spec.nodeName == null || p.spec.nodeName.isEmpty() ? List.of() : List.of(p.spec.nodeName));
        this.client = client;
        this.clock = clock;
        this.monitorPeriod = monitorPeriod;
        this.gracePeriod = gracePeriod;
        this.defaultTolerationSeconds = defaultTolerationSeconds;
        nodes.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                queue.add(n.key());
            }

            @Override
            public void onUpdate(Node old, Node n) {
                if (!Objects.equals(old.metadata.resourceVersion, n.metadata.resourceVersion)) {
                    queue.add(n.key());
                }
            }

            @Override
            public void onDelete(Node n) {
                queue.add(n.key());
            }
        });
        leases.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Lease l) {
                queue.add(l.metadata.name);
            }

            @Override
            public void onUpdate(Lease old, Lease l) {
                queue.add(l.metadata.name);
            }
        });
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                // a pod bound to a tainted node may have to go
                if (p.spec.nodeName != null && !p.spec.nodeName.isEmpty()) {
                    queue.add(p.spec.nodeName);
                }
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                if (p.spec.nodeName != null && !p.spec.nodeName.isEmpty() && !Objects.equals(old.spec.nodeName, p.spec.nodeName)) {
                    queue.add(p.spec.nodeName);
                }
            }
        });
    }

    @Override
    public String name() {
        return "nodelifecycle";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(nodes, leases, pods);
    }

    @Override
    public Result reconcile(String key) {
        Node cached = nodes.store().get(key);
        if (cached == null) {
            heartbeats.remove(key);
            nodesToRetry.remove(key);
            return Result.done();
        }
        Instant now = clock.instant();
        Node node = cached;
        Lease lease = leases.store().get(LEASE_NAMESPACE, key);
        Node.NodeCondition ready = node.status.condition("Ready");
        String signature = (lease == null ? "" : lease.spec.renewTime) + "|" + (ready == null ? "" : ready.lastHeartbeatTime);
        Heartbeat hb = heartbeats.compute(key, (k, old) -> old == null || !old.signature.equals(signature) ? new Heartbeat(signature, now) : old);

        String readyStatus = ready == null ? null : ready.status;
        boolean silent = Duration.between(hb.observedAt, now).compareTo(gracePeriod) > 0;
        Result marked = Result.done();
        if (silent && !"Unknown".equals(readyStatus)) {
            boolean wasReady = "True".equals(readyStatus);
            node = markUnknown(node, now, ready == null);
            readyStatus = "Unknown";
            if (wasReady) {
                // monitorNodeHealth: Ready went from True to not True, so the pods on the node are not ready either
                marked = markPodsNotReady(node.metadata.name, now);
            }
        } else if (nodesToRetry.contains(key) && !"True".equals(readyStatus)) {
            marked = markPodsNotReady(node.metadata.name, now);
        }
        node = reconcileTaints(node, readyStatus, now);
        Result evictions = evictPods(node, now).and(marked);
        // look again one monitor period from now, or when the next eviction is due if that is sooner
        Result next = Result.requeueAfter(silent ? monitorPeriod : minDuration(monitorPeriod, Duration.between(now, hb.observedAt.plus(gracePeriod)).plusMillis(100)));
        return evictions.and(next);
    }

    private static Duration minDuration(Duration a, Duration b) {
        return b.isNegative() || b.compareTo(a) >= 0 ? a : b;
    }

    /** Sets the kubelet's conditions to Unknown: nobody knows the node's state any more. */
    private Node markUnknown(Node node, Instant now, boolean never) {
        Node next = Json.copy(node);
        String ts = Times.format(now);
        boolean found = false;
        for (Node.NodeCondition c : next.status.conditions) {
            if (List.of("Ready", "MemoryPressure", "DiskPressure", "PIDPressure").contains(c.type) && !"Unknown".equals(c.status)) {
                c.status = "Unknown";
                c.reason = "NodeStatusUnknown";
                c.message = "Kubelet stopped posting node status.";
                c.lastTransitionTime = ts;
            }
            found |= "Ready".equals(c.type);
        }
        if (!found) {
            Node.NodeCondition c = new Node.NodeCondition();
            c.type = "Ready";
            c.status = "Unknown";
            c.reason = "NodeStatusNeverUpdated";
            c.message = "Kubelet never posted node status.";
            c.lastTransitionTime = ts;
            c.lastHeartbeatTime = ts;
            next.status.conditions.add(c);
        }
        Node written = client.updateStatus(next);
        client.normalEvent(node, "NodeNotReady", "Node " + node.metadata.name + " status is now: NodeNotReady");
        return written == null ? next : written;
    }

    /**
     * Kubernetes' MarkPodsNotReady ({@code pkg/controller/util/node/controller_utils.go}): each pod on the node with a
     * Ready condition that is not False gets it False through {@code pods/status} (UpdatePodCondition: the transition
     * time is now, reason and message stay as they were), then a Warning event {@code NodeNotReady} "Node is not
     * ready" on the pod. A pod already gone is skipped; other failures are retried.
     */
    private Result markPodsNotReady(String nodeName, Instant now) {
        Result result = Result.done();
        for (Pod cached : pods.store().byIndex(BY_NODE, nodeName)) {
            if (!nodeName.equals(cached.spec.nodeName)) {
                continue;
            }
            io.kube4j.api.PodCondition readyCondition = cached.status == null ? null
                    : cached.status.conditions.stream().filter(c -> "Ready".equals(c.type)).findFirst().orElse(null);
            if (readyCondition == null || "False".equals(readyCondition.status)) {
                continue;
            }
            Pod pod = Json.copy(cached);
            for (io.kube4j.api.PodCondition c : pod.status.conditions) {
                if ("Ready".equals(c.type)) {
                    c.status = "False";
                    c.lastTransitionTime = Times.format(now);
                }
            }
            try {
                client.updateStatus(pod);
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    result = result.and(Result.retry("marking pod " + pod.key() + " not ready failed: " + e.getMessage()));
                }
                continue;
            }
            client.warningEvent(pod, "NodeNotReady", "Node is not ready");
        }
        if (result.kind() == Result.Kind.RETRY) {
            nodesToRetry.add(nodeName);
        } else {
            nodesToRetry.remove(nodeName);
        }
        return result;
    }

    /** unreachable for Unknown, not-ready for False, neither for True (or no condition yet). */
    private Node reconcileTaints(Node node, String readyStatus, Instant now) {
        String wanted = "Unknown".equals(readyStatus) ? UNREACHABLE : "False".equals(readyStatus) ? NOT_READY : null;
        List<Taint> next = new ArrayList<>();
        boolean changed = false;
        for (Taint t : node.spec.taints) {
            if (MANAGED.contains(t.key) && !t.key.equals(wanted)) {
                changed = true;
                continue;
            }
            next.add(t);
        }
        if (wanted != null) {
            for (String effect : List.of("NoSchedule", "NoExecute")) {
                boolean present = next.stream().anyMatch(t -> wanted.equals(t.key) && effect.equals(t.effect));
                if (!present) {
                    Taint t = new Taint(wanted, null, effect);
                    t.timeAdded = Times.format(now);
                    next.add(t);
                    changed = true;
                }
            }
        }
        if (!changed) {
            return node;
        }
        Node copy = Json.copy(node);
        copy.spec.taints = new ArrayList<>(next.stream().map(Json::copy).toList());
        Node written = client.update(copy);
        return written == null ? copy : written;
    }

    /** Deletes the pods whose tolerations of the node's NoExecute taints have run out; says when the next is due. */
    private Result evictPods(Node node, Instant now) {
        List<Taint> noExecute = node.spec.taints.stream().filter(t -> "NoExecute".equals(t.effect)).toList();
        if (noExecute.isEmpty()) {
            return Result.done();
        }
        Result result = Result.done();
        for (Pod pod : pods.store().byIndex(BY_NODE, node.metadata.name)) {
            if (!PodReadiness.isActive(pod)) {
                continue;
            }
            Instant due = evictionTime(pod, noExecute, now);
            if (due == null) {
                continue;
            }
            if (!due.isAfter(now)) {
                try {
                    client.delete(Pod.class, pod.metadata.namespace, pod.metadata.name, new DeleteOptions());
                    client.normalEvent(pod, "TaintManagerEviction", "Marking for deletion Pod " + pod.key());
                } catch (ApiException e) {
                    if (!e.isNotFound()) {
                        result = result.and(Result.retry("eviction of " + pod.key() + " failed: " + e.getMessage()));
                    }
                }
            } else {
                result = result.and(Result.requeueAfter(Duration.between(now, due).plusMillis(100)));
            }
        }
        return result;
    }

    /**
     * When the pod must go: the time each taint was added plus the shortest tolerationSeconds of the
     * tolerations matching it, the earliest over all taints; null when it tolerates them all forever.
     * A pod without a toleration for the not-ready/unreachable taints gets the configured default
     * (what Kubernetes' DefaultTolerationSeconds admission would have given it); for other taints, now.
     */
    Instant evictionTime(Pod pod, List<Taint> noExecute, Instant now) {
        Instant earliest = null;
        for (Taint taint : noExecute) {
            Instant added = taint.timeAdded == null ? now : Times.parse(taint.timeAdded);
            // as Kubernetes' getMinTolerationTime: the shortest limit wins; only unlimited ones mean forever
            Long seconds = null;
            boolean tolerated = false;
            for (Toleration t : pod.spec.tolerations) {
                if (t.tolerates(taint)) {
                    tolerated = true;
                    if (t.tolerationSeconds != null) {
                        seconds = seconds == null ? t.tolerationSeconds : Math.min(seconds, t.tolerationSeconds);
                    }
                }
            }
            Instant due;
            if (!tolerated) {
                due = MANAGED.contains(taint.key) ? added.plusSeconds(defaultTolerationSeconds) : now;
            } else if (seconds != null) {
                due = added.plusSeconds(Math.max(0, seconds));
            } else {
                continue;
            }
            earliest = earliest == null || due.isBefore(earliest) ? due : earliest;
        }
        return earliest;
    }
}
