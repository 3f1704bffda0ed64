package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.LimitRange;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * LimitRanges: for Container items, the default limit falls back to max, the default request to the
 * default limit, then to min (SetDefaults_LimitRangeItem); min ≤ defaultRequest ≤ default ≤ max.
 * Kubernetes: {@code pkg/apis/core/v1/defaults.go}, {@code pkg/apis/core/validation/validation.go} ValidateLimitRange.
 */
@Component
public class LimitRangeStrategy implements Strategy {
    private static final List<String> TYPES = List.of("Pod", "Container", "PersistentVolumeClaim");

    @Override
    public ResourceType type() {
        return ResourceTypes.LIMITRANGES;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        for (LimitRange.LimitRangeItem item : ((LimitRange) obj).spec.limits) {
            if (!"Container".equals(item.type)) {
                continue;
            }
            item.max.forEach((res, q) -> item.defaultLimits.putIfAbsent(res, q));
            item.defaultLimits.forEach((res, q) -> item.defaultRequest.putIfAbsent(res, q));
            item.min.forEach((res, q) -> item.defaultRequest.putIfAbsent(res, q));
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        List<LimitRange.LimitRangeItem> items = ((LimitRange) obj).spec.limits;
        for (int i = 0; i < items.size(); i++) {
            LimitRange.LimitRangeItem item = items.get(i);
            String path = "spec.limits[" + i + "]";
            if (item.type != null && !item.type.isEmpty() && !TYPES.contains(item.type)) {
                errs.notSupported(path + ".type", item.type, TYPES);
            }
            for (var e : item.min.entrySet()) {
                var max = item.max.get(e.getKey());
                if (max != null && e.getValue().compareTo(max) > 0) {
                    errs.invalid(path + ".min[" + e.getKey() + "]", e.getValue().toString(), "min value " + e.getValue() + " is greater than max value " + max);
                }
            }
            for (var e : item.defaultRequest.entrySet()) {
                var def = item.defaultLimits.get(e.getKey());
                if (def != null && e.getValue().compareTo(def) > 0) {
                    errs.invalid(path + ".defaultRequest[" + e.getKey() + "]", e.getValue().toString(), "default request value " + e.getValue() + " is greater than default limit value " + def);
                }
            }
        }
    }
}
