package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ClusterRoleBinding;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

/**
 * ClusterRoleBindings: a roleRef to a ClusterRole that never changes.
 * Kubernetes: {@code pkg/apis/rbac/validation/validation.go} ValidateClusterRoleBinding(Update).
 */
@Component
public class ClusterRoleBindingStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.CLUSTERROLEBINDINGS;
    }

    @Override
    public Validation.NameRule nameRule() {
        return Validation.NameRule.PATH_SEGMENT;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        RbacValidation.roleRef(errs, ((ClusterRoleBinding) obj).roleRef, false);
        RbacValidation.subjects(errs, ((ClusterRoleBinding) obj).subjects);
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        RbacValidation.immutableRoleRef(errs, ((ClusterRoleBinding) obj).roleRef, ((ClusterRoleBinding) old).roleRef);
    }
}
