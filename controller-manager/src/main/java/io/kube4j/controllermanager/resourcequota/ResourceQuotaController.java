package io.kube4j.controllermanager.resourcequota;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceQuota;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;
import io.kube4j.quota.QuotaUsage;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps each ResourceQuota's {@code status}: {@code hard} as in the spec and {@code used} as the sum,
 * over the namespace's objects the quota's scopes cover, of what each counts ({@link QuotaUsage}).
 * The apiserver's admission charges creates to {@code used} as they happen; this controller is what
 * brings usage back down after deletes and pods finishing, and corrects drift (a charged create
 * whose write then failed). Recomputed when a quota is created or its spec changes, when an object of
 * a counted kind is deleted or a pod finishes (replenishment), and every {@link #RESYNC} regardless.
 * Kubernetes: {@code pkg/controller/resourcequota/resource_quota_controller.go}.
 */
public final class ResourceQuotaController implements Controller {
    /** Kinds with usage beyond their object count; other kinds count only through count/... */
    static final List<ResourceType> COUNTED = List.of(ResourceTypes.PODS, ResourceTypes.SERVICES, ResourceTypes.PERSISTENTVOLUMECLAIMS,
            ResourceTypes.CONFIGMAPS, ResourceTypes.SECRETS, ResourceTypes.REPLICATIONCONTROLLERS, ResourceTypes.RESOURCEQUOTAS,
            ResourceTypes.DEPLOYMENTS, ResourceTypes.REPLICASETS, ResourceTypes.STATEFULSETS, ResourceTypes.DAEMONSETS, ResourceTypes.JOBS,
            ResourceTypes.CRONJOBS, ResourceTypes.SERVICEACCOUNTS);
    /** Kubernetes' --resource-quota-sync-period: a full recount corrects drift, rarely, since it races creates in flight. */
    static final Duration RESYNC = Duration.ofMinutes(5);

    // reads: the quotas, and one informer per counted kind
    private final Informer<ResourceQuota> quotas;
    private final Map<ResourceType, Informer<? extends KubeObject>> counted = new LinkedHashMap<>();
    // writes: quota status
    private final ControllerClient client;
    // keys of ResourceQuotas
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public ResourceQuotaController(SharedInformers informers, ControllerClient client) {
        this.client = client;
        this.quotas = informers.informer(ResourceQuota.class);
        quotas.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(ResourceQuota q) {
                queue.add(q.key());
            }

            @Override
            public void onUpdate(ResourceQuota old, ResourceQuota q) {
                // a status write by admission or by us changes nothing to recompute; a spec change does
                if (!Json.write(old.spec).equals(Json.write(q.spec))) {
                    queue.add(q.key());
                }
            }
        });
        for (ResourceType rt : COUNTED) {
            watch(informers, rt);
        }
    }

    private <T extends KubeObject> void watch(SharedInformers informers, ResourceType rt) {
        @SuppressWarnings("unchecked") Class<T> type = (Class<T>) rt.type();
        Informer<T> informer = informers.informer(type);
        counted.put(rt, informer);
        // replenishment only, as Kubernetes' quota controller: usage goes down when an object goes away or a pod
        // finishes. Creates are charged by admission; recomputing on them from a cache that has not seen the
        // other creates in flight would undo those charges and let a quota be overrun.
        informer.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onUpdate(T old, T obj) {
                if (old instanceof io.kube4j.api.Pod before && obj instanceof io.kube4j.api.Pod after
                        && !QuotaUsage.isTerminal(before) && QuotaUsage.isTerminal(after)) {
                    namespaceChanged(obj.metadata.namespace);
                }
            }

            @Override
            public void onDelete(T obj) {
                namespaceChanged(obj.metadata.namespace);
            }
        });
    }

    private void namespaceChanged(String namespace) {
        for (ResourceQuota q : SharedInformers.inNamespace(quotas.store(), namespace)) {
            queue.add(q.key());
        }
    }

    @Override
    public String name() {
        return "resourcequota";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        List<Informer<?>> all = new ArrayList<>(counted.values());
        all.add(quotas);
        return all;
    }

    @Override
    public Result reconcile(String key) {
        ResourceQuota quota = quotas.store().get(key);
        if (quota == null) {
            return Result.done();
        }
        Map<String, Quantity> used = usage(quota);
        if (QuotaUsage.sameUsage(used, quota.status.used) && QuotaUsage.sameUsage(quota.spec.hard, quota.status.hard)) {
            return Result.requeueAfter(RESYNC);
        }
        ResourceQuota copy = Json.copy(quota);
        copy.status.hard = new LinkedHashMap<>(quota.spec.hard);
        copy.status.used = used;
        client.updateStatus(copy);
        return Result.requeueAfter(RESYNC);
    }

    /** The quota's used resources now: every resource of its hard spec, summed over the objects it covers. */
    Map<String, Quantity> usage(ResourceQuota quota) {
        Map<String, Quantity> sum = new LinkedHashMap<>();
        for (String res : quota.spec.hard.keySet()) {
            sum.put(res, Quantity.ZERO);
        }
        boolean scoped = !quota.spec.scopes.isEmpty() || quota.spec.scopeSelector != null;
        for (var e : counted.entrySet()) {
            for (KubeObject obj : SharedInformers.inNamespace(e.getValue().store(), quota.metadata.namespace)) {
                if (scoped && !QuotaUsage.matchesScopes(quota, obj)) {
                    continue;
                }
                QuotaUsage.of(e.getKey(), obj).forEach((res, q) -> {
                    if (sum.containsKey(res)) {
                        sum.put(res, sum.get(res).add(q));
                    }
                });
            }
        }
        return sum;
    }
}
