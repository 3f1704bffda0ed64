package io.kube4j.controllermanager.disruption;

import io.kube4j.api.Condition;
import io.kube4j.api.Deployment;
import io.kube4j.api.IntOrString;
import io.kube4j.api.KubeObject;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.ReplicationController;
import io.kube4j.api.StatefulSet;
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
import io.kube4j.labels.Selector;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps each PodDisruptionBudget's status: the pods it selects ({@code expectedPods}), how many are
 * healthy (Ready, not being deleted), how many must stay healthy, and so how many may be disrupted
 * now ({@code disruptionsAllowed}), with the DisruptionAllowed condition. With {@code maxUnavailable}
 * or a percentage the expected count is the scale of the pods' controllers (ReplicaSet, Deployment,
 * StatefulSet, ReplicationController), as Kubernetes does; with an integer {@code minAvailable} it is
 * the number of selected pods. The apiserver's eviction subresource reads this status and records
 * pods it evicts in {@code disruptedPods}; entries older than {@link #DELETION_TIMEOUT} are dropped.
 * Kubernetes: {@code pkg/controller/disruption/disruption.go}.
 */
public final class DisruptionController implements Controller {
    /** How long an evicted pod counts as disrupted before it is counted again (DeletionTimeout). */
    static final Duration DELETION_TIMEOUT = Duration.ofMinutes(2);

    // reads
    private final Informer<PodDisruptionBudget> budgets;
    private final Informer<Pod> pods;
    private final Informer<ReplicaSet> replicaSets;
    private final Informer<Deployment> deployments;
    private final Informer<StatefulSet> statefulSets;
    private final Informer<ReplicationController> replicationControllers;
    // writes: PDB status
    private final ControllerClient client;
    private final Clock clock;
    // keys of PodDisruptionBudgets
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public DisruptionController(SharedInformers informers, ControllerClient client, Clock clock) {
        this.client = client;
        this.clock = clock;
        this.budgets = informers.informer(PodDisruptionBudget.class);
        this.pods = informers.informer(Pod.class);
        this.replicaSets = informers.informer(ReplicaSet.class);
        this.deployments = informers.informer(Deployment.class);
        this.statefulSets = informers.informer(StatefulSet.class);
        this.replicationControllers = informers.informer(ReplicationController.class);
        budgets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(PodDisruptionBudget pdb) {
                queue.add(pdb.key());
            }

            @Override
            public void onUpdate(PodDisruptionBudget old, PodDisruptionBudget pdb) {
                if (!Objects.equals(old.metadata.resourceVersion, pdb.metadata.resourceVersion)) {
                    queue.add(pdb.key());
                }
            }
        });
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                podChanged(p);
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                if (!Objects.equals(old.metadata.resourceVersion, p.metadata.resourceVersion)) {
                    podChanged(old);
                    podChanged(p);
                }
            }

            @Override
            public void onDelete(Pod p) {
                podChanged(p);
            }
        });
    }

    private void podChanged(Pod pod) {
        for (PodDisruptionBudget pdb : SharedInformers.inNamespace(budgets.store(), pod.metadata.namespace)) {
            if (selects(pdb, pod)) {
                queue.add(pdb.key());
            }
        }
    }

    static boolean selects(PodDisruptionBudget pdb, Pod pod) {
        // a nil selector selects nothing in policy/v1, an empty one everything
        return pdb.spec.selector != null && Selector.from(pdb.spec.selector).matches(pod.metadata.labels == null ? Map.of() : pod.metadata.labels);
    }

    @Override
    public String name() {
        return "disruption";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(budgets, pods, replicaSets, deployments, statefulSets, replicationControllers);
    }

    @Override
    public Result reconcile(String key) {
        PodDisruptionBudget pdb = budgets.store().get(key);
        if (pdb == null) {
            return Result.done();
        }
        List<Pod> selected = new ArrayList<>();
        for (Pod p : SharedInformers.inNamespace(pods.store(), pdb.metadata.namespace)) {
            if (selects(pdb, p) && !PodReadiness.isTerminal(p)) {
                selected.add(p);
            }
        }
        Instant now = clock.instant();
        Map<String, String> disrupted = new LinkedHashMap<>();
        Instant nextExpiry = null;
        for (var e : pdb.status.disruptedPods.entrySet()) {
            Instant at = Times.parse(e.getValue());
            Pod p = selected.stream().filter(x -> x.metadata.name.equals(e.getKey())).findFirst().orElse(null);
            // still present and not yet being deleted, within the timeout: keep counting it as disrupted
            if (p != null && p.metadata.deletionTimestamp == null && at.plus(DELETION_TIMEOUT).isAfter(now)) {
                disrupted.put(e.getKey(), e.getValue());
                Instant expiry = at.plus(DELETION_TIMEOUT);
                nextExpiry = nextExpiry == null || expiry.isBefore(nextExpiry) ? expiry : nextExpiry;
            }
        }
        int healthy = 0;
        for (Pod p : selected) {
            if (p.metadata.deletionTimestamp == null && PodReadiness.isReady(p) && !disrupted.containsKey(p.metadata.name)) {
                healthy++;
            }
        }
        int expected;
        int desired;
        IntOrString min = pdb.spec.minAvailable;
        IntOrString max = pdb.spec.maxUnavailable;
        if (max == null && min != null && min.isInt()) {
            expected = selected.size();
            desired = min.intValue();
        } else {
            expected = expectedScale(selected);
            if (max != null) {
                desired = Math.max(0, expected - max.scaledValue(expected, true));
            } else if (min != null) {
                desired = min.scaledValue(expected, true);
            } else {
                // policy/v1 defaults minAvailable to 1 when neither is set
                desired = Math.min(1, expected);
            }
        }
        int allowed = Math.max(0, healthy - desired);
        PodDisruptionBudget next = Json.copy(pdb);
        next.status.observedGeneration = pdb.metadata.generation;
        next.status.disruptedPods = disrupted;
        next.status.disruptionsAllowed = allowed;
        next.status.currentHealthy = healthy;
        next.status.desiredHealthy = desired;
        next.status.expectedPods = expected;
        setCondition(next, allowed > 0, now);
        if (!Json.write(next.status).equals(Json.write(pdb.status))) {
            client.updateStatus(next);
        }
        return nextExpiry == null ? Result.done() : Result.requeueAfter(Duration.between(now, nextExpiry).plusSeconds(1));
    }

    /** The sum of the scale of the controllers owning the pods (getExpectedScale); a pod without a known controller counts as 1. */
    int expectedScale(List<Pod> selected) {
        Set<String> seen = new HashSet<>();
        int sum = 0;
        for (Pod p : selected) {
            OwnerReference ref = p.metadata.ownerReferences.stream().filter(r -> Boolean.TRUE.equals(r.controller)).findFirst().orElse(null);
            if (ref == null) {
                sum++;
                continue;
            }
            if (!seen.add(ref.kind + "/" + ref.name)) {
                continue;
            }
            String key = p.metadata.namespace + "/" + ref.name;
            Integer scale = switch (ref.kind) {
                case "ReplicaSet" -> {
                    ReplicaSet rs = replicaSets.store().get(key);
                    if (rs == null) {
                        yield null;
                    }
                    // a ReplicaSet of a Deployment counts with the Deployment's scale
                    OwnerReference dref = rs.metadata.ownerReferences.stream().filter(r -> "Deployment".equals(r.kind) && Boolean.TRUE.equals(r.controller)).findFirst().orElse(null);
                    if (dref != null) {
                        Deployment d = deployments.store().get(p.metadata.namespace + "/" + dref.name);
                        if (d != null) {
                            yield seen.add("Deployment/" + dref.name) ? d.spec.replicas : 0;
                        }
                    }
                    yield rs.spec.replicas;
                }
                case "StatefulSet" -> {
                    StatefulSet s = statefulSets.store().get(key);
                    yield s == null ? null : s.spec.replicas;
                }
                case "ReplicationController" -> {
                    ReplicationController rc = replicationControllers.store().get(key);
                    yield rc == null ? null : rc.spec.replicas;
                }
                default -> null;
            };
            sum += scale == null ? 1 : scale;
        }
        return sum;
    }

    private static void setCondition(PodDisruptionBudget pdb, boolean allowed, Instant now) {
        String status = allowed ? "True" : "False";
        String reason = allowed ? "SufficientPods" : "InsufficientPods";
        Condition existing = pdb.status.conditions.stream().filter(c -> "DisruptionAllowed".equals(c.type)).findFirst().orElse(null);
        if (existing != null && status.equals(existing.status) && reason.equals(existing.reason)) {
            existing.observedGeneration = pdb.metadata.generation;
            return;
        }
        pdb.status.conditions.removeIf(c -> "DisruptionAllowed".equals(c.type));
        Condition c = new Condition();
        c.type = "DisruptionAllowed";
        c.status = status;
        c.reason = reason;
        c.message = "";
        c.observedGeneration = pdb.metadata.generation;
        c.lastTransitionTime = Times.format(now);
        pdb.status.conditions.add(c);
    }
}
