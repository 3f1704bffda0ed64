package io.kube4j.quota;

import io.kube4j.api.Container;
import io.kube4j.api.KubeObject;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceQuota;
import io.kube4j.api.ResourceType;
import io.kube4j.api.Service;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * What one object counts against a ResourceQuota, and whether a quota's scopes cover it: shared by the
 * apiserver's ResourceQuota admission (the delta of a create) and the controller-manager's quota
 * controller (the sum over a namespace). Resource names as Kubernetes' quota evaluators use them:
 * {@code pods}, {@code requests.cpu} (also {@code cpu}), {@code requests.memory} ({@code memory}),
 * {@code limits.cpu}, {@code limits.memory}, {@code requests.storage}, {@code persistentvolumeclaims},
 * {@code services}, {@code services.nodeports}, {@code services.loadbalancers}, and
 * {@code count/<resource>[.<group>]} for every kind.
 * Kubernetes: {@code pkg/quota/v1/evaluator/core/pods.go}, {@code persistent_volume_claims.go}, {@code services.go}.
 */
public final class QuotaUsage {
    private QuotaUsage() {
    }

    /** The usage of {@code obj} (a {@code rt} object); empty for a terminal pod, which no longer counts. */
    public static Map<String, Quantity> of(ResourceType rt, KubeObject obj) {
        Map<String, Quantity> usage = new LinkedHashMap<>();
        usage.put("count/" + rt.resource() + (rt.group().isEmpty() ? "" : "." + rt.group()), Quantity.of(1));
        switch (obj) {
            case Pod pod -> {
                if (isTerminal(pod)) {
                    return Map.of();
                }
                usage.put("pods", Quantity.of(1));
                Map<String, Quantity> requests = podResources(pod, true);
                Map<String, Quantity> limits = podResources(pod, false);
                requests.forEach((res, q) -> {
                    usage.put("requests." + res, q);
                    if (res.equals("cpu") || res.equals("memory") || res.equals("ephemeral-storage")) {
                        usage.put(res, q);
                    }
                });
                limits.forEach((res, q) -> usage.put("limits." + res, q));
            }
            case PersistentVolumeClaim pvc -> {
                usage.put("persistentvolumeclaims", Quantity.of(1));
                Quantity storage = pvc.spec.resources == null ? null : pvc.spec.resources.requests.get("storage");
                if (storage != null) {
                    usage.put("requests.storage", storage);
                    if (pvc.spec.storageClassName != null) {
                        usage.put(pvc.spec.storageClassName + ".storageclass.storage.k8s.io/requests.storage", storage);
                        usage.put(pvc.spec.storageClassName + ".storageclass.storage.k8s.io/persistentvolumeclaims", Quantity.of(1));
                    }
                }
            }
            case Service svc -> {
                usage.put("services", Quantity.of(1));
                String type = svc.spec.type == null ? "ClusterIP" : svc.spec.type;
                if (type.equals("NodePort") || type.equals("LoadBalancer")) {
                    usage.put("services.nodeports", Quantity.of(svc.spec.ports.size()));
                }
                if (type.equals("LoadBalancer")) {
                    usage.put("services.loadbalancers", Quantity.of(1));
                }
            }
            default -> {
                // plain object counts: the legacy names for the kinds that have one
                switch (rt.resource()) {
                    case "configmaps", "secrets", "replicationcontrollers", "resourcequotas" -> usage.put(rt.resource(), Quantity.of(1));
                    default -> {
                    }
                }
            }
        }
        return usage;
    }

    /** Whether a pod has finished (Succeeded or Failed) and so stops counting. */
    public static boolean isTerminal(Pod pod) {
        String phase = pod.status == null ? null : pod.status.phase;
        return "Succeeded".equals(phase) || "Failed".equals(phase);
    }

    /**
     * A pod's effective requests or limits per resource: the sum over its containers, or the largest
     * init container's if that is more (PodRequests/PodLimits).
     */
    public static Map<String, Quantity> podResources(Pod pod, boolean requests) {
        Map<String, Quantity> sum = new LinkedHashMap<>();
        for (Container c : pod.spec.containers) {
            resources(c, requests).forEach((k, v) -> sum.merge(k, v, Quantity::add));
        }
        for (Container c : pod.spec.initContainers) {
            resources(c, requests).forEach((k, v) -> sum.merge(k, v, (a, b) -> a.compareTo(b) >= 0 ? a : b));
        }
        return sum;
    }

    private static Map<String, Quantity> resources(Container c, boolean requests) {
        if (c.resources == null) {
            return Map.of();
        }
        Map<String, Quantity> m = requests ? c.resources.requests : c.resources.limits;
        return m == null ? Map.of() : m;
    }

    /** Whether {@code quota}'s scopes and scope selector cover {@code obj} (pods only; other kinds are never scoped). */
    public static boolean matchesScopes(ResourceQuota quota, KubeObject obj) {
        List<String[]> requirements = new ArrayList<>();
        for (String scope : quota.spec.scopes) {
            requirements.add(new String[]{scope, "Exists"});
        }
        if (quota.spec.scopeSelector != null) {
            for (var req : quota.spec.scopeSelector.matchExpressions) {
                if (!scopeMatches(req.scopeName, req.operator, req.values, obj)) {
                    return false;
                }
            }
        }
        for (String[] r : requirements) {
            if (!scopeMatches(r[0], r[1], List.of(), obj)) {
                return false;
            }
        }
        return true;
    }

    private static boolean scopeMatches(String scope, String operator, List<String> values, KubeObject obj) {
        if (!(obj instanceof Pod pod)) {
            return false;
        }
        boolean matches = switch (scope) {
            case "Terminating" -> pod.spec.activeDeadlineSeconds != null && pod.spec.activeDeadlineSeconds >= 0;
            case "NotTerminating" -> pod.spec.activeDeadlineSeconds == null || pod.spec.activeDeadlineSeconds < 0;
            case "BestEffort" -> isBestEffort(pod);
            case "NotBestEffort" -> !isBestEffort(pod);
            case "PriorityClass" -> {
                String pc = pod.spec.priorityClassName;
                yield switch (operator) {
                    case "In" -> pc != null && values.contains(pc);
                    case "NotIn" -> pc == null || !values.contains(pc);
                    case "Exists" -> pc != null && !pc.isEmpty();
                    case "DoesNotExist" -> pc == null || pc.isEmpty();
                    default -> false;
                };
            }
            case "CrossNamespacePodAffinity" -> false;
            default -> false;
        };
        // PriorityClass applied its operator above; the other scopes take Exists or DoesNotExist
        return scope.equals("PriorityClass") || !operator.equals("DoesNotExist") ? matches : !matches;
    }

    /** A pod with no requests and no limits on any container. */
    public static boolean isBestEffort(Pod pod) {
        List<Container> all = new ArrayList<>(pod.spec.containers);
        all.addAll(pod.spec.initContainers);
        for (Container c : all) {
            if (c.resources != null && ((c.resources.requests != null && !c.resources.requests.isEmpty())
                    || (c.resources.limits != null && !c.resources.limits.isEmpty()))) {
                return false;
            }
        }
        return true;
    }

    /** The resources of {@code hard} that {@code usage} touches. */
    public static List<String> constrained(Map<String, Quantity> hard, Map<String, Quantity> usage) {
        List<String> out = new ArrayList<>();
        for (String res : hard.keySet()) {
            if (usage.containsKey(res)) {
                out.add(res);
            }
        }
        return out;
    }

    /** Adds {@code delta} into {@code into} (resource by resource). */
    public static void add(Map<String, Quantity> into, Map<String, Quantity> delta) {
        delta.forEach((k, v) -> into.merge(k, v, Quantity::add));
    }

    /** Whether two usage maps are equal by value. */
    public static boolean sameUsage(Map<String, Quantity> a, Map<String, Quantity> b) {
        if (!Objects.equals(a.keySet(), b.keySet())) {
            return false;
        }
        for (var e : a.entrySet()) {
            if (e.getValue().compareTo(b.get(e.getKey())) != 0) {
                return false;
            }
        }
        return true;
    }
}
