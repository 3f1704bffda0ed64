package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * PodDisruptionBudgets (policy/v1): minAvailable or maxUnavailable, not both, each a non-negative
 * int or percentage. Kubernetes: {@code pkg/apis/policy/validation/validation.go} ValidatePodDisruptionBudgetSpec.
 */
@Component
public class PodDisruptionBudgetStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.PODDISRUPTIONBUDGETS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/policy/poddisruptionbudget/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        PodDisruptionBudget.PodDisruptionBudgetSpec spec = ((PodDisruptionBudget) obj).spec;
        if (spec.minAvailable != null && spec.maxUnavailable != null) {
            // Kubernetes prints the spec struct here; kube4j prints it as JSON rather than a Java object's name
            errs.invalid("spec", io.kube4j.json.Json.write(spec), "minAvailable and maxUnavailable cannot be both set");
        }
        Validation.labelSelector(errs, "spec.selector", spec.selector);
        Validation.nonNegativeIntOrPercent(errs, "spec.minAvailable", spec.minAvailable);
        Validation.nonNegativeIntOrPercent(errs, "spec.maxUnavailable", spec.maxUnavailable);
        if (spec.unhealthyPodEvictionPolicy != null && !List.of("IfHealthyBudget", "AlwaysAllow").contains(spec.unhealthyPodEvictionPolicy)) {
            errs.notSupported("spec.unhealthyPodEvictionPolicy", spec.unhealthyPodEvictionPolicy, List.of("AlwaysAllow", "IfHealthyBudget"));
        }
    }
}
