package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

/**
 * RoleBindings (rbac.authorization.k8s.io/v1): a roleRef to a Role or ClusterRole that never changes.
 * Kubernetes: {@code pkg/apis/rbac/validation/validation.go} ValidateRoleBinding(Update).
 */
@Component
public class RoleBindingStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.ROLEBINDINGS;
    }

    @Override
    public Validation.NameRule nameRule() {
        return Validation.NameRule.PATH_SEGMENT;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        RbacValidation.roleRef(errs, ((RoleBinding) obj).roleRef, true);
        RbacValidation.subjects(errs, ((RoleBinding) obj).subjects);
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        RbacValidation.immutableRoleRef(errs, ((RoleBinding) obj).roleRef, ((RoleBinding) old).roleRef);
    }
}
