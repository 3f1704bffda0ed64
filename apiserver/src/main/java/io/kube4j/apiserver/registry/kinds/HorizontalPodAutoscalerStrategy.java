package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.HorizontalPodAutoscaler;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

/**
 * HorizontalPodAutoscalers (autoscaling/v2): minReplicas 1 by default; maxReplicas at least 1 and not
 * below minReplicas; a scale target. Kubernetes: {@code pkg/apis/autoscaling/v2/defaults.go},
 * {@code pkg/apis/autoscaling/validation/validation.go}.
 */
@Component
public class HorizontalPodAutoscalerStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.HORIZONTALPODAUTOSCALERS;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        HorizontalPodAutoscaler hpa = (HorizontalPodAutoscaler) obj;
        if (hpa.spec.minReplicas == null) {
            hpa.spec.minReplicas = 1;
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        HorizontalPodAutoscaler.HorizontalPodAutoscalerSpec spec = ((HorizontalPodAutoscaler) obj).spec;
        if (spec.scaleTargetRef == null || spec.scaleTargetRef.kind == null || spec.scaleTargetRef.name == null) {
            errs.required("spec.scaleTargetRef", null);
        }
        if (spec.maxReplicas < 1) {
            errs.invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than 0");
        }
        if (spec.minReplicas != null && spec.maxReplicas < spec.minReplicas) {
            errs.invalid("spec.maxReplicas", spec.maxReplicas, "must be greater than or equal to `minReplicas`");
        }
    }
}
