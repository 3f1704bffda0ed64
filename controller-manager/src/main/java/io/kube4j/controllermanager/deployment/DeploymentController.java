package io.kube4j.controllermanager.deployment;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Deployment;
import io.kube4j.api.KubeObject;
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
import io.kube4j.json.Times;
import io.kube4j.labels.Selector;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;

/**
 * Rolls Deployments out over ReplicaSets: one ReplicaSet per pod template (named and labelled with
 * its {@code pod-template-hash}), RollingUpdate within maxSurge / maxUnavailable or Recreate,
 * revision annotations (a rollback re-applies an old template, whose ReplicaSet becomes the newest
 * revision), revisionHistoryLimit, pause, and status with the Available and Progressing conditions.
 * Each reconcile takes at most one scaling step; the resulting ReplicaSet events bring it back.
 */
public final class DeploymentController implements Controller {
    static final String REVISION = "deployment.kubernetes.io/revision";
    static final String DESIRED_REPLICAS = "deployment.kubernetes.io/desired-replicas";
    static final String MAX_REPLICAS = "deployment.kubernetes.io/max-replicas";
    /** Deployment annotations that are not copied to its ReplicaSets (as Kubernetes' skipCopyAnnotation). */
    static final java.util.Set<String> NOT_COPIED = java.util.Set.of(REVISION, DESIRED_REPLICAS, MAX_REPLICAS,
            "kubectl.kubernetes.io/last-applied-configuration", "deployment.kubernetes.io/revision-history");

    // reads: Deployments, their ReplicaSets, and pods (Recreate waits for old pods to go)
    private final Informer<Deployment> deployments;
    private final Informer<ReplicaSet> replicaSets;
    private final Informer<Pod> pods;
    // writes and events
    private final ControllerClient client;
    // time for conditions and the progress deadline
    private final Clock clock;
    // keys of Deployments to sync
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public DeploymentController(SharedInformers informers, ControllerClient client, Clock clock) {
        this.deployments = informers.informer(Deployment.class);
        this.replicaSets = informers.informer(ReplicaSet.class);
        this.pods = informers.informer(Pod.class);
        this.client = client;
        this.clock = clock;
        deployments.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Deployment d) {
                queue.add(d.key());
            }

            @Override
            public void onUpdate(Deployment old, Deployment d) {
                if (!Objects.equals(old.metadata.resourceVersion, d.metadata.resourceVersion)) {
                    queue.add(d.key());
                }
            }

            @Override
            public void onDelete(Deployment d) {
                queue.add(d.key());
            }
        });
        replicaSets.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ReplicaSet rs) {
                replicaSetChanged(rs);
            }

            @Override
            public void onUpdate(ReplicaSet old, ReplicaSet rs) {
                if (Objects.equals(old.metadata.resourceVersion, rs.metadata.resourceVersion)) {
                    return;
                }
                OwnerReference oldRef = ControllerRefs.controllerOf(old);
                OwnerReference newRef = ControllerRefs.controllerOf(rs);
                if (oldRef != null && (newRef == null || !Objects.equals(oldRef.uid, newRef.uid))) {
                    replicaSetChanged(old);
                }
                replicaSetChanged(rs);
            }

            @Override
            public void onDelete(ReplicaSet rs) {
                replicaSetChanged(rs);
            }
        });
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(Pod pod) {
                // only Recreate cares: it waits until the old pods are gone
                ReplicaSet rs = ownerReplicaSet(pod);
                Deployment d = rs == null ? null : ownerDeployment(rs);
                if (d != null && !RolloutMath.isRollingUpdate(d)) {
                    queue.add(d.key());
                }
            }
        });
    }

    @Override
    public String name() {
        return "deployment";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(deployments, replicaSets, pods);
    }

    void replicaSetChanged(ReplicaSet rs) {
        Deployment owner = ownerDeployment(rs);
        if (owner != null) {
            queue.add(owner.key());
            return;
        }
        if (ControllerRefs.controllerOf(rs) == null) {
            for (Deployment d : SharedInformers.inNamespace(deployments.store(), rs.metadata.namespace)) {
                if (selects(d, rs)) {
                    queue.add(d.key());
                }
            }
        }
    }

    private static boolean selects(Deployment d, KubeObject obj) {
        try {
            Selector s = Selector.from(d.spec.selector);
            return !s.isEverything() && s.matches(obj.metadata.labels);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private Deployment ownerDeployment(ReplicaSet rs) {
        OwnerReference ref = ControllerRefs.controllerOf(rs);
        if (ref == null || !"Deployment".equals(ref.kind)) {
            return null;
        }
        Deployment d = deployments.store().get(rs.metadata.namespace, ref.name);
        return d != null && Objects.equals(d.metadata.uid, ref.uid) ? d : null;
    }

    private ReplicaSet ownerReplicaSet(Pod pod) {
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        if (ref == null || !"ReplicaSet".equals(ref.kind)) {
            return null;
        }
        ReplicaSet rs = replicaSets.store().get(pod.metadata.namespace, ref.name);
        return rs != null && Objects.equals(rs.metadata.uid, ref.uid) ? rs : null;
    }

    // ---- reconcile ---------------------------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        Deployment cached = deployments.store().get(key);
        if (cached == null) {
            return Result.done();
        }
        Deployment d = Json.copy(cached);
        Selector selector;
        try {
            selector = Selector.from(d.spec.selector);
        } catch (IllegalArgumentException e) {
            client.warningEvent(d, "InvalidSelector", "invalid selector: " + e.getMessage());
            return Result.done();
        }
        if (selector.isEverything()) {
            // permanent: a Deployment selecting every pod would adopt everything in the namespace
            client.warningEvent(d, "SelectingAll", "This deployment is selecting all pods. A non-empty selector is required.");
            return Result.done();
        }
        List<ReplicaSet> owned = new ArrayList<>(ControllerRefs.claim(d, selector,
                SharedInformers.inNamespace(replicaSets.store(), d.metadata.namespace), ReplicaSet.class, client));
        owned.sort(Comparator.comparing((ReplicaSet rs) -> rs.metadata.creationTimestamp == null ? "" : rs.metadata.creationTimestamp)
                .thenComparing(rs -> rs.metadata.name));

        if (d.metadata.deletionTimestamp != null) {
            return syncStatus(d, owned, findNew(d, owned), false);
        }
        if (Boolean.TRUE.equals(d.spec.paused) || isScalingEvent(d, owned)) {
            return syncScale(d, owned);
        }
        return RolloutMath.isRollingUpdate(d) ? rollRolling(d, owned) : rollRecreate(d, owned);
    }

    /** The ReplicaSet whose template is the Deployment's (the oldest if several). */
    private static ReplicaSet findNew(Deployment d, List<ReplicaSet> owned) {
        for (ReplicaSet rs : owned) {
            if (PodTemplateHash.equalIgnoringHash(rs.spec.template, d.spec.template)) {
                return rs;
            }
        }
        return null;
    }

    private static List<ReplicaSet> olds(List<ReplicaSet> owned, ReplicaSet newRs) {
        List<ReplicaSet> out = new ArrayList<>();
        for (ReplicaSet rs : owned) {
            if (newRs == null || !Objects.equals(rs.metadata.uid, newRs.metadata.uid)) {
                out.add(rs);
            }
        }
        return out;
    }

    private static List<ReplicaSet> with(List<ReplicaSet> olds, ReplicaSet newRs) {
        List<ReplicaSet> all = new ArrayList<>(olds);
        if (newRs != null) {
            all.add(newRs);
        }
        return all;
    }

    private Result rollRolling(Deployment d, List<ReplicaSet> owned) {
        ReplicaSet existing = findNew(d, owned);
        List<ReplicaSet> olds = olds(owned, existing);
        NewReplicaSet found = ensureNew(d, olds, existing, true);
        if (found.retry() != null) {
            return found.retry();
        }
        ReplicaSet newRs = found.rs();
        d = found.deployment();
        List<ReplicaSet> all = with(olds, newRs);

        // 1. scale the new ReplicaSet up (or down to replicas) within the surge
        int newSize = RolloutMath.replicas(newRs) > RolloutMath.replicas(d)
                ? RolloutMath.replicas(d)
                : RolloutMath.newReplicaSetReplicas(d, all, newRs);
        if (newSize != RolloutMath.replicas(newRs)) {
            scale(d, newRs, newSize);
            return syncStatus(d, all, newRs, true);
        }
        // 2. scale old ReplicaSets down as far as availability allows
        if (scaleDownOld(d, olds, newRs)) {
            return syncStatus(d, all, newRs, true);
        }
        if (complete(d, newRs, olds)) {
            cleanupHistory(d, olds);
        }
        return syncStatus(d, all, newRs, false);
    }

    /** The bounds maxUnavailable sets on scaling old ReplicaSets down; true if anything was scaled. */
    private boolean scaleDownOld(Deployment d, List<ReplicaSet> olds, ReplicaSet newRs) {
        if (RolloutMath.specSum(olds) == 0) {
            return false;
        }
        List<ReplicaSet> all = with(olds, newRs);
        int minAvailable = RolloutMath.replicas(d) - RolloutMath.maxUnavailable(d);
        int newUnavailable = RolloutMath.replicas(newRs) - RolloutMath.available(newRs);
        int maxScaledDown = RolloutMath.specSum(all) - minAvailable - newUnavailable;
        if (maxScaledDown <= 0) {
            return false;
        }
        // first the old pods that are not available anyway: removing them costs no availability
        int cleaned = 0;
        for (ReplicaSet rs : olds) {
            if (cleaned >= maxScaledDown) {
                break;
            }
            int spec = RolloutMath.replicas(rs);
            int unhealthy = spec - RolloutMath.available(rs);
            if (spec == 0 || unhealthy <= 0) {
                continue;
            }
            int down = Math.min(maxScaledDown - cleaned, unhealthy);
            scale(d, rs, spec - down);
            cleaned += down;
        }
        if (cleaned > 0) {
            return true;
        }
        // then available old pods, as long as minAvailable stays available
        int available = RolloutMath.availableSum(all);
        int total = available - minAvailable;
        if (total <= 0) {
            return false;
        }
        int done = 0;
        for (ReplicaSet rs : olds) {
            if (done >= total) {
                break;
            }
            int spec = RolloutMath.replicas(rs);
            if (spec == 0) {
                continue;
            }
            int down = Math.min(spec, total - done);
            scale(d, rs, spec - down);
            done += down;
        }
        return done > 0;
    }

    private Result rollRecreate(Deployment d, List<ReplicaSet> owned) {
        ReplicaSet existing = findNew(d, owned);
        List<ReplicaSet> olds = olds(owned, existing);
        boolean scaledDown = false;
        for (ReplicaSet rs : olds) {
            if (RolloutMath.replicas(rs) > 0) {
                scale(d, rs, 0);
                scaledDown = true;
            }
        }
        if (scaledDown || oldPodsRemain(olds)) {
            // all old pods must be gone before a new one starts
            return syncStatus(d, owned, existing, scaledDown);
        }
        NewReplicaSet found = ensureNew(d, olds, existing, true);
        if (found.retry() != null) {
            return found.retry();
        }
        d = found.deployment();
        ReplicaSet newRs = found.rs();
        if (RolloutMath.replicas(newRs) != RolloutMath.replicas(d)) {
            scale(d, newRs, RolloutMath.replicas(d));
            return syncStatus(d, with(olds, newRs), newRs, true);
        }
        if (complete(d, newRs, olds)) {
            cleanupHistory(d, olds);
        }
        return syncStatus(d, with(olds, newRs), newRs, false);
    }

    private boolean oldPodsRemain(List<ReplicaSet> olds) {
        if (olds.isEmpty()) {
            return false;
        }
        for (ReplicaSet rs : olds) {
            if (rs.status.replicas > 0) {
                return true;
            }
            for (Pod p : SharedInformers.inNamespace(pods.store(), rs.metadata.namespace)) {
                if (ControllerRefs.isControlledBy(p, rs) && !PodReadiness.isTerminal(p)) {
                    return true;
                }
            }
        }
        return false;
    }

    /**
     * spec.replicas changed while ReplicaSets carry the old size in their desired-replicas annotation
     * (Kubernetes' isScalingEvent): resize them before rolling on.
     */
    private static boolean isScalingEvent(Deployment d, List<ReplicaSet> owned) {
        for (ReplicaSet rs : owned) {
            String desired = rs.metadata.annotations.get(DESIRED_REPLICAS);
            if (RolloutMath.replicas(rs) > 0 && desired != null && !desired.equals(Integer.toString(RolloutMath.replicas(d)))) {
                return true;
            }
        }
        return false;
    }

    /** Paused or a scaling event: no rollout step, only sizes (Kubernetes' sync). */
    private Result syncScale(Deployment d, List<ReplicaSet> owned) {
        ReplicaSet newRs = findNew(d, owned);
        boolean scaled = scaleProportionally(d, newRs, olds(owned, newRs));
        return syncStatus(d, owned, newRs, scaled);
    }

    /**
     * Kubernetes' scale(): a single active ReplicaSet takes spec.replicas; a saturated new one retires
     * the old ones; otherwise, in a rolling update, the difference to replicas + maxSurge is shared
     * out in proportion to each active ReplicaSet's size, leftovers to the largest.
     */
    private boolean scaleProportionally(Deployment d, ReplicaSet newRs, List<ReplicaSet> olds) {
        List<ReplicaSet> active = new ArrayList<>();
        for (ReplicaSet rs : with(olds, newRs)) {
            if (RolloutMath.replicas(rs) > 0) {
                active.add(rs);
            }
        }
        ReplicaSet only = active.size() == 1 ? active.getFirst()
                : active.isEmpty() ? (newRs != null ? newRs : olds.isEmpty() ? null : olds.getLast()) : null;
        if (only != null) {
            if (RolloutMath.replicas(only) == RolloutMath.replicas(d) && !annotationsStale(d, only)) {
                return false;
            }
            scale(d, only, RolloutMath.replicas(d));
            return true;
        }
        if (active.isEmpty()) {
            return false;
        }
        if (newRs != null && RolloutMath.replicas(newRs) == RolloutMath.replicas(d)
                && Integer.toString(RolloutMath.replicas(d)).equals(newRs.metadata.annotations.get(DESIRED_REPLICAS))
                && RolloutMath.available(newRs) == RolloutMath.replicas(d)) {
            boolean scaled = false;
            for (ReplicaSet rs : olds) {
                if (RolloutMath.replicas(rs) > 0) {
                    scale(d, rs, 0);
                    scaled = true;
                }
            }
            return scaled;
        }
        if (!RolloutMath.isRollingUpdate(d)) {
            return false;
        }
        int allowed = RolloutMath.replicas(d) > 0 ? RolloutMath.replicas(d) + RolloutMath.maxSurge(d) : 0;
        int toAdd = allowed - RolloutMath.specSum(active);
        // growing: largest first, newer before older on ties; shrinking: largest first, older first
        Comparator<ReplicaSet> bySize = Comparator.comparingInt((ReplicaSet rs) -> RolloutMath.replicas(rs)).reversed();
        Comparator<ReplicaSet> byAge = Comparator.comparing((ReplicaSet rs) -> rs.metadata.creationTimestamp == null ? "" : rs.metadata.creationTimestamp);
        active.sort(bySize.thenComparing(toAdd > 0 ? byAge.reversed() : byAge));
        int[] sizes = new int[active.size()];
        int added = 0;
        for (int i = 0; i < active.size(); i++) {
            ReplicaSet rs = active.get(i);
            int share = toAdd == 0 ? 0 : proportion(rs, d, toAdd, added);
            sizes[i] = RolloutMath.replicas(rs) + share;
            added += share;
        }
        if (toAdd != 0) {
            sizes[0] = Math.max(0, sizes[0] + toAdd - added);
        }
        boolean scaled = false;
        for (int i = 0; i < active.size(); i++) {
            ReplicaSet rs = active.get(i);
            if (sizes[i] != RolloutMath.replicas(rs) || annotationsStale(d, rs)) {
                scale(d, rs, sizes[i]);
                scaled = true;
            }
        }
        return scaled;
    }

    /** A ReplicaSet's share of {@code toAdd}: its size scaled from its max-replicas annotation to the new maximum. */
    private static int proportion(ReplicaSet rs, Deployment d, int toAdd, int added) {
        if (RolloutMath.replicas(rs) == 0 || toAdd == added) {
            return 0;
        }
        int fraction;
        if (RolloutMath.replicas(d) == 0) {
            fraction = -RolloutMath.replicas(rs);
        } else {
            int annotated;
            try {
                annotated = Integer.parseInt(rs.metadata.annotations.getOrDefault(MAX_REPLICAS, ""));
            } catch (NumberFormatException e) {
                annotated = d.status.replicas == null ? 0 : d.status.replicas;
            }
            if (annotated <= 0) {
                return 0;
            }
            int newMax = RolloutMath.replicas(d) + RolloutMath.maxSurge(d);
            fraction = (int) Math.round((double) RolloutMath.replicas(rs) * newMax / annotated) - RolloutMath.replicas(rs);
        }
        int allowed = toAdd - added;
        return toAdd > 0 ? Math.min(fraction, allowed) : Math.max(fraction, allowed);
    }

    /** The outcome of looking for (and maybe creating) the new ReplicaSet. */
    private record NewReplicaSet(ReplicaSet rs, Deployment deployment, Result retry) {
    }

    /**
     * The new ReplicaSet, created if missing; an existing one gets the next revision when it is not
     * the newest (a rollback), and the Deployment carries the revision of its new ReplicaSet.
     */
    private NewReplicaSet ensureNew(Deployment d, List<ReplicaSet> olds, ReplicaSet existing, boolean create) {
        long maxOld = 0;
        for (ReplicaSet rs : olds) {
            maxOld = Math.max(maxOld, revision(rs));
        }
        String nextRevision = Long.toString(maxOld + 1);
        ReplicaSet newRs = existing;
        if (existing != null) {
            if (revision(existing) < maxOld + 1 || annotationsStale(d, existing)) {
                ReplicaSet copy = Json.copy(existing);
                if (revision(existing) < maxOld + 1) {
                    copy.metadata.annotations.put(REVISION, nextRevision);
                }
                setReplicaAnnotations(d, copy);
                newRs = client.update(copy);
            }
        } else if (create) {
            int collisions = d.status.collisionCount == null ? 0 : d.status.collisionCount;
            ReplicaSet rs = newReplicaSet(d, collisions, nextRevision, RolloutMath.newReplicaSetReplicas(d, olds, null));
            try {
                newRs = client.create(rs);
            } catch (ApiException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                ReplicaSet clash = client.find(ReplicaSet.class, rs.metadata.namespace, rs.metadata.name).orElse(null);
                if (clash != null && ControllerRefs.isControlledBy(clash, d) && PodTemplateHash.equalIgnoringHash(clash.spec.template, d.spec.template)) {
                    // ours, the cache just had not shown it yet
                    return new NewReplicaSet(clash, d, Result.retry("new ReplicaSet not in cache yet"));
                }
                // a hash collision: another template produced the same name; the next count gives a new one
                Deployment next = Json.copy(d);
                next.status.collisionCount = collisions + 1;
                client.updateStatus(next);
                return new NewReplicaSet(null, d, Result.retry("hash collision on " + rs.metadata.name));
            }
            client.normalEvent(d, "ScalingReplicaSet", "Scaled up replica set " + newRs.metadata.name + " to " + RolloutMath.replicas(newRs));
            setProgressing(d, "True", "NewReplicaSetCreated", "Created new replica set \"" + newRs.metadata.name + "\"");
        }
        if (newRs != null) {
            String rev = newRs.metadata.annotations.get(REVISION);
            if (rev != null && !rev.equals(d.metadata.annotations.get(REVISION))) {
                Deployment copy = Json.copy(d);
                copy.metadata.annotations.put(REVISION, rev);
                Deployment updated = client.update(copy);
                // keep the conditions computed so far; the server copy has the old status
                if (updated != null) {
                    updated.status = d.status;
                    d = updated;
                }
            }
        }
        return new NewReplicaSet(newRs, d, null);
    }

    private static boolean annotationsStale(Deployment d, ReplicaSet rs) {
        return !Integer.toString(RolloutMath.replicas(d)).equals(rs.metadata.annotations.get(DESIRED_REPLICAS))
                || !Integer.toString(RolloutMath.replicas(d) + RolloutMath.maxSurge(d)).equals(rs.metadata.annotations.get(MAX_REPLICAS));
    }

    private static void setReplicaAnnotations(Deployment d, ReplicaSet rs) {
        rs.metadata.annotations.put(DESIRED_REPLICAS, Integer.toString(RolloutMath.replicas(d)));
        rs.metadata.annotations.put(MAX_REPLICAS, Integer.toString(RolloutMath.replicas(d) + RolloutMath.maxSurge(d)));
    }

    /** The ReplicaSet for the Deployment's current template. */
    static ReplicaSet newReplicaSet(Deployment d, int collisionCount, String revision, int replicas) {
        Deployment copy = Json.copy(d);
        String hash = PodTemplateHash.of(copy.spec.template, collisionCount);
        ReplicaSet rs = new ReplicaSet();
        rs.metadata.name = d.metadata.name + "-" + hash;
        rs.metadata.namespace = d.metadata.namespace;
        rs.metadata.labels.putAll(copy.spec.template.metadata.labels);
        rs.metadata.labels.put(PodTemplateHash.LABEL, hash);
        // the Deployment's own annotations travel along (kubectl rollout history shows change-cause from here)
        copy.metadata.annotations.forEach((k, v) -> {
            if (!NOT_COPIED.contains(k)) {
                rs.metadata.annotations.put(k, v);
            }
        });
        rs.metadata.annotations.put(REVISION, revision);
        setReplicaAnnotations(d, rs);
        rs.metadata.ownerReferences.add(OwnerReference.controllerOf(d));
        rs.spec.replicas = replicas;
        rs.spec.minReadySeconds = d.spec.minReadySeconds;
        rs.spec.selector = copy.spec.selector;
        rs.spec.selector.matchLabels.put(PodTemplateHash.LABEL, hash);
        rs.spec.template = copy.spec.template;
        rs.spec.template.metadata.labels.put(PodTemplateHash.LABEL, hash);
        return rs;
    }

    private void scale(Deployment d, ReplicaSet rs, int replicas) {
        int from = RolloutMath.replicas(rs);
        ReplicaSet copy = Json.copy(rs);
        copy.spec.replicas = replicas;
        setReplicaAnnotations(d, copy);
        // a PUT with the cached resourceVersion: if the cache was stale we get a conflict and retry, never a double scale
        client.update(copy);
        client.normalEvent(d, "ScalingReplicaSet", "Scaled " + (replicas > from ? "up" : "down") + " replica set " + rs.metadata.name + " to " + replicas + " from " + from);
    }

    static long revision(KubeObject obj) {
        String r = obj.metadata.annotations.get(REVISION);
        if (r == null) {
            return 0;
        }
        try {
            return Long.parseLong(r);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /** Deletes the oldest scaled-down ReplicaSets beyond revisionHistoryLimit. */
    private void cleanupHistory(Deployment d, List<ReplicaSet> olds) {
        if (d.spec.revisionHistoryLimit == null) {
            return;
        }
        List<ReplicaSet> cleanable = new ArrayList<>();
        for (ReplicaSet rs : olds) {
            if (rs.metadata.deletionTimestamp == null) {
                cleanable.add(rs);
            }
        }
        int excess = cleanable.size() - d.spec.revisionHistoryLimit;
        if (excess <= 0) {
            return;
        }
        cleanable.sort(Comparator.comparingLong(DeploymentController::revision));
        for (ReplicaSet rs : cleanable) {
            if (excess <= 0) {
                break;
            }
            if (RolloutMath.replicas(rs) != 0 || rs.status.replicas != 0
                    || !Objects.equals(rs.status.observedGeneration, rs.metadata.generation)) {
                continue;
            }
            try {
                client.delete(ReplicaSet.class, rs.metadata.namespace, rs.metadata.name, new DeleteOptions());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
            excess--;
        }
    }

    private static boolean complete(Deployment d, ReplicaSet newRs, List<ReplicaSet> olds) {
        int want = RolloutMath.replicas(d);
        int updated = newRs == null ? 0 : newRs.status.replicas;
        int available = newRs == null || newRs.status.availableReplicas == null ? 0 : newRs.status.availableReplicas;
        int total = updated;
        for (ReplicaSet rs : olds) {
            total += rs.status.replicas;
        }
        return updated == want && total == want && available == want;
    }

    // ---- status ------------------------------------------------------------------------------

    /**
     * Writes status from the ReplicaSets: counts, observedGeneration, the Available condition and
     * the Progressing condition (progress, completion, paused, or the deadline passed). Asks to be
     * run again before the progress deadline, so a stuck rollout is reported.
     */
    private Result syncStatus(Deployment d, List<ReplicaSet> all, ReplicaSet newRs, boolean progressed) {
        Deployment.DeploymentStatus before = Json.copy(d.status);
        Deployment.DeploymentStatus s = d.status;
        int replicas = 0;
        int ready = 0;
        int available = 0;
        for (ReplicaSet rs : all) {
            replicas += rs.status.replicas;
            ready += rs.status.readyReplicas == null ? 0 : rs.status.readyReplicas;
            available += rs.status.availableReplicas == null ? 0 : rs.status.availableReplicas;
        }
        int want = RolloutMath.replicas(d);
        s.observedGeneration = d.metadata.generation;
        s.replicas = replicas;
        s.updatedReplicas = newRs == null ? 0 : newRs.status.replicas;
        s.readyReplicas = ready;
        s.availableReplicas = available;
        s.unavailableReplicas = Math.max(0, Math.max(RolloutMath.specSum(all), want) - available);
        if (available >= want - RolloutMath.maxUnavailable(d)) {
            setCondition(d, "Available", "True", "MinimumReplicasAvailable", "Deployment has minimum availability.");
        } else {
            setCondition(d, "Available", "False", "MinimumReplicasUnavailable", "Deployment does not have minimum availability.");
        }
        Result result = Result.done();
        String rsName = newRs == null ? d.metadata.name : newRs.metadata.name;
        boolean complete = newRs != null && s.updatedReplicas == want && replicas == want && available >= want;
        if (Boolean.TRUE.equals(d.spec.paused)) {
            setProgressing(d, "Unknown", "DeploymentPaused", "Deployment is paused");
        } else if (complete) {
            setProgressing(d, "True", "NewReplicaSetAvailable", "ReplicaSet \"" + rsName + "\" has successfully progressed.");
        } else {
            Deployment.Condition p = condition(d, "Progressing");
            boolean moved = progressed
                    || !Objects.equals(before.updatedReplicas, s.updatedReplicas)
                    || !Objects.equals(before.availableReplicas, s.availableReplicas)
                    || !Objects.equals(before.readyReplicas, s.readyReplicas);
            if (p == null) {
                setProgressing(d, "True", "FoundNewReplicaSet", "Found new replica set \"" + rsName + "\"");
            } else if (moved || "DeploymentPaused".equals(p.reason) || "NewReplicaSetAvailable".equals(p.reason)) {
                setProgressing(d, "True", "ReplicaSetUpdated", "ReplicaSet \"" + rsName + "\" is progressing.");
            } else if ("True".equals(p.status) && d.spec.progressDeadlineSeconds != null) {
                Instant last = Times.parse(p.lastUpdateTime);
                Instant deadline = (last == null ? clock.instant() : last).plusSeconds(d.spec.progressDeadlineSeconds);
                if (!clock.instant().isBefore(deadline)) {
                    setProgressing(d, "False", "ProgressDeadlineExceeded", "ReplicaSet \"" + rsName + "\" has timed out progressing.");
                    client.warningEvent(d, "ProgressDeadlineExceeded", "ReplicaSet \"" + rsName + "\" has timed out progressing.");
                }
            }
            Deployment.Condition now = condition(d, "Progressing");
            if ("True".equals(now.status) && d.spec.progressDeadlineSeconds != null) {
                // look again when the deadline passes, in case nothing else happens until then
                Instant last = Times.parse(now.lastUpdateTime);
                Instant deadline = (last == null ? clock.instant() : last).plusSeconds(d.spec.progressDeadlineSeconds);
                result = Result.requeueAfter(Duration.between(clock.instant(), deadline).plusSeconds(1));
            }
        }
        if (!Json.write(before).equals(Json.write(s))) {
            client.updateStatus(d);
        }
        return result;
    }

    private static Deployment.Condition condition(Deployment d, String type) {
        for (Deployment.Condition c : d.status.conditions) {
            if (type.equals(c.type)) {
                return c;
            }
        }
        return null;
    }

    private void setProgressing(Deployment d, String status, String reason, String message) {
        Deployment.Condition c = condition(d, "Progressing");
        String now = Times.format(clock.instant());
        if (c != null && status.equals(c.status) && reason.equals(c.reason) && message.equals(c.message)
                && !"ReplicaSetUpdated".equals(reason)) {
            return;
        }
        setCondition(d, "Progressing", status, reason, message);
        condition(d, "Progressing").lastUpdateTime = now;
    }

    /** Sets a condition; lastTransitionTime moves only when the status changes. */
    private void setCondition(Deployment d, String type, String status, String reason, String message) {
        String now = Times.format(clock.instant());
        Deployment.Condition c = condition(d, type);
        if (c == null) {
            c = new Deployment.Condition();
            c.type = type;
            c.lastTransitionTime = now;
            c.lastUpdateTime = now;
            d.status.conditions.add(c);
        } else if (!status.equals(c.status)) {
            c.lastTransitionTime = now;
            c.lastUpdateTime = now;
        } else if (!reason.equals(c.reason) || !message.equals(c.message)) {
            c.lastUpdateTime = now;
        }
        c.status = status;
        c.reason = reason;
        c.message = message;
    }
}
