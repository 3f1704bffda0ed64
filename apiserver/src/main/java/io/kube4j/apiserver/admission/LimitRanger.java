package io.kube4j.apiserver.admission;

import io.kube4j.api.Container;
import io.kube4j.api.KubeObject;
import io.kube4j.api.LimitRange;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Admission;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;
import io.kube4j.quota.QuotaUsage;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The LimitRanger admission plugin: on create, containers without requests or limits get the
 * namespace's LimitRange defaults ({@code defaultRequest}, {@code default}); then each container, pod
 * and claim is held to the {@code min}, {@code max} and {@code maxLimitRequestRatio} of the ranges of
 * its type (403 with every violation). An item without a type is treated as {@code Container}.
 * Kubernetes: {@code plugin/pkg/admission/limitranger/admission.go}.
 */
@Component
@Order(400)
public class LimitRanger implements Admission {
    private final WatchCache cache;

    public LimitRanger(WatchCache cache) {
        this.cache = cache;
    }

    private List<LimitRange> ranges(String namespace) {
        List<LimitRange> out = new ArrayList<>();
        for (ObjectNode o : cache.snapshot(Registry.prefix(ResourceTypes.LIMITRANGES, namespace), x -> true).items()) {
            out.add(Json.convert(o, LimitRange.class));
        }
        return out;
    }

    private static boolean isType(LimitRange.LimitRangeItem item, String type) {
        return type.equals(item.type == null || item.type.isEmpty() ? "Container" : item.type);
    }

    @Override
    public void admit(Attributes a, KubeObject obj) {
        if (a.operation() != Operation.CREATE || !(obj instanceof Pod pod)) {
            return;
        }
        for (LimitRange lr : ranges(a.namespace())) {
            for (LimitRange.LimitRangeItem item : lr.spec.limits) {
                if (!isType(item, "Container")) {
                    continue;
                }
                List<Container> all = new ArrayList<>(pod.spec.initContainers);
                all.addAll(pod.spec.containers);
                for (Container c : all) {
                    applyDefaults(c, item);
                }
            }
        }
    }

    /** defaultContainerResourceRequirements + mergeContainerResources: only what the container left unset. */
    private static void applyDefaults(Container c, LimitRange.LimitRangeItem item) {
        if (c.resources == null) {
            c.resources = new ResourceRequirements();
        }
        if (c.resources.limits == null) {
            c.resources.limits = new LinkedHashMap<>();
        }
        if (c.resources.requests == null) {
            c.resources.requests = new LinkedHashMap<>();
        }
        item.defaultLimits.forEach((res, q) -> c.resources.limits.putIfAbsent(res, q));
        item.defaultRequest.forEach((res, q) -> c.resources.requests.putIfAbsent(res, q));
    }

    @Override
    public void validate(Attributes a) {
        if (a.operation() != Operation.CREATE) {
            return;
        }
        if (a.type() != ResourceTypes.PODS && a.type() != ResourceTypes.PERSISTENTVOLUMECLAIMS) {
            return;
        }
        List<LimitRange> ranges = ranges(a.namespace());
        if (ranges.isEmpty()) {
            // nothing to hold the object to: no need to decode it (most namespaces have no LimitRange)
            return;
        }
        List<String> errors = new ArrayList<>();
        if (a.type() == ResourceTypes.PODS) {
            Pod pod = Json.convert(a.object(), Pod.class);
            for (LimitRange lr : ranges) {
                for (LimitRange.LimitRangeItem item : lr.spec.limits) {
                    if (isType(item, "Container")) {
                        List<Container> all = new ArrayList<>(pod.spec.initContainers);
                        all.addAll(pod.spec.containers);
                        for (Container c : all) {
                            Map<String, Quantity> req = c.resources == null || c.resources.requests == null ? Map.of() : c.resources.requests;
                            Map<String, Quantity> lim = c.resources == null || c.resources.limits == null ? Map.of() : c.resources.limits;
                            check(item, "Container", req, lim, errors);
                        }
                    } else if (isType(item, "Pod")) {
                        check(item, "Pod", QuotaUsage.podResources(pod, true), QuotaUsage.podResources(pod, false), errors);
                    }
                }
            }
        } else if (a.type() == ResourceTypes.PERSISTENTVOLUMECLAIMS) {
            PersistentVolumeClaim pvc = Json.convert(a.object(), PersistentVolumeClaim.class);
            Map<String, Quantity> req = pvc.spec.resources == null ? Map.of() : pvc.spec.resources.requests;
            for (LimitRange lr : ranges) {
                for (LimitRange.LimitRangeItem item : lr.spec.limits) {
                    if (isType(item, "PersistentVolumeClaim")) {
                        // a claim has no limits: max applies to its request (PersistentVolumeClaimValidateLimitFunc)
                        checkClaim(item, req, errors);
                    }
                }
            }
        } else {
            return;
        }
        if (!errors.isEmpty()) {
            throw ApiError.forbidden(a.type().group(), a.type().resource(), a.name(),
                    errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]");
        }
    }

    /** minConstraint, maxConstraint, limitRequestRatioConstraint, with Kubernetes' messages. */
    private static void check(LimitRange.LimitRangeItem item, String type, Map<String, Quantity> req, Map<String, Quantity> lim, List<String> errors) {
        item.min.forEach((res, min) -> {
            Quantity r = req.get(res);
            if (r == null) {
                errors.add("minimum " + res + " usage per " + type + " is " + min.canonical() + ".  No request is specified");
            } else if (r.compareTo(min) < 0) {
                errors.add("minimum " + res + " usage per " + type + " is " + min.canonical() + ", but request is " + r.canonical());
            }
        });
        item.max.forEach((res, max) -> {
            Quantity l = lim.get(res);
            if (l == null) {
                errors.add("maximum " + res + " usage per " + type + " is " + max.canonical() + ".  No limit is specified");
            } else if (l.compareTo(max) > 0) {
                errors.add("maximum " + res + " usage per " + type + " is " + max.canonical() + ", but limit is " + l.canonical());
            }
        });
        item.maxLimitRequestRatio.forEach((res, ratio) -> {
            Quantity r = req.get(res);
            Quantity l = lim.get(res);
            if (r == null || l == null || r.isZero()) {
                errors.add(res + " max limit to request ratio per " + type + " is " + ratio + ", but no request is specified or request is 0");
                return;
            }
            BigDecimal actual = l.exact().divide(r.exact(), 6, RoundingMode.HALF_UP);
            if (actual.compareTo(ratio.exact()) > 0) {
                errors.add(res + " max limit to request ratio per " + type + " is " + ratio + ", but provided ratio is " + String.format("%f", actual));
            }
        });
    }

    private static void checkClaim(LimitRange.LimitRangeItem item, Map<String, Quantity> req, List<String> errors) {
        item.min.forEach((res, min) -> {
            Quantity r = req.get(res);
            if (r == null) {
                errors.add("minimum " + res + " usage per PersistentVolumeClaim is " + min.canonical() + ".  No request is specified");
            } else if (r.compareTo(min) < 0) {
                errors.add("minimum " + res + " usage per PersistentVolumeClaim is " + min.canonical() + ", but request is " + r.canonical());
            }
        });
        item.max.forEach((res, max) -> {
            Quantity r = req.get(res);
            if (r == null) {
                errors.add("maximum " + res + " usage per PersistentVolumeClaim is " + max.canonical() + ".  No request is specified");
            } else if (r.compareTo(max) > 0) {
                errors.add("maximum " + res + " usage per PersistentVolumeClaim is " + max.canonical() + ", but request is " + r.canonical());
            }
        });
    }
}
