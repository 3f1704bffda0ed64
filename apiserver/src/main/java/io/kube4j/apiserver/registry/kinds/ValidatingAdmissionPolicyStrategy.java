package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import org.springframework.stereotype.Component;

/**
 * ValidatingAdmissionPolicies (admissionregistration.k8s.io/v1): no rules beyond ObjectMeta yet, but the kind keeps {@code metadata.generation}: 1 on create, one
 * more on each spec change. Kubernetes: {@code pkg/registry/admissionregistration/validatingadmissionpolicy/strategy.go}.
 */
@Component
public class ValidatingAdmissionPolicyStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.VALIDATINGADMISSIONPOLICIES;
    }

    @Override
    public boolean tracksGeneration() {
        return true;
    }
}
