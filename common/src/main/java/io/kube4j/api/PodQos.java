package io.kube4j.api;

import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A pod's quality-of-service class, {@code Guaranteed}, {@code Burstable} or {@code BestEffort}, as Kubernetes
 * 1.32's {@code pkg/apis/core/helper/qos/qos.go} ComputePodQOS: only {@code cpu} and {@code memory} count and only
 * quantities above zero; requests and limits are summed over containers and init containers; Guaranteed when
 * every container limits both cpu and memory and the summed requests equal the summed limits; BestEffort when
 * nothing is requested or limited; Burstable otherwise. Expects a defaulted pod (requests defaulted from limits).
 */
public final class PodQos {
    public static final String GUARANTEED = "Guaranteed";
    public static final String BURSTABLE = "Burstable";
    public static final String BEST_EFFORT = "BestEffort";
    private static final Set<String> QOS_RESOURCES = Set.of("cpu", "memory");

    private PodQos() {
    }

    /** GetPodQOS: the class already in {@code status.qosClass}, else the computed one. */
    public static String get(Pod pod) {
        if (pod.status != null && pod.status.qosClass != null && !pod.status.qosClass.isEmpty()) {
            return pod.status.qosClass;
        }
        return compute(pod);
    }

    /** ComputePodQOS. */
    public static String compute(Pod pod) {
        Map<String, Quantity> requests = new HashMap<>();
        Map<String, Quantity> limits = new HashMap<>();
        boolean guaranteed = true;
        List<Container> all = new ArrayList<>(pod.spec.containers);
        all.addAll(pod.spec.initContainers);
        for (Container c : all) {
            Map<String, Quantity> req = c.resources == null || c.resources.requests == null ? Map.of() : c.resources.requests;
            Map<String, Quantity> lim = c.resources == null || c.resources.limits == null ? Map.of() : c.resources.limits;
            req.forEach((name, q) -> {
                if (QOS_RESOURCES.contains(name) && q.compareTo(Quantity.ZERO) > 0) {
                    requests.merge(name, q, Quantity::add);
                }
            });
            Set<String> limitsFound = new HashSet<>();
            lim.forEach((name, q) -> {
                if (QOS_RESOURCES.contains(name) && q.compareTo(Quantity.ZERO) > 0) {
                    limitsFound.add(name);
                    limits.merge(name, q, Quantity::add);
                }
            });
            if (!limitsFound.containsAll(QOS_RESOURCES)) {
                guaranteed = false;
            }
        }
        if (requests.isEmpty() && limits.isEmpty()) {
            return BEST_EFFORT;
        }
        if (guaranteed) {
            for (var e : requests.entrySet()) {
                Quantity l = limits.get(e.getKey());
                if (l == null || l.compareTo(e.getValue()) != 0) {
                    guaranteed = false;
                    break;
                }
            }
        }
        return guaranteed && requests.size() == limits.size() ? GUARANTEED : BURSTABLE;
    }
}
