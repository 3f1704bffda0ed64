package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

/** Roles (rbac.authorization.k8s.io/v1): names are path segments ({@code system:...}). Kubernetes: {@code pkg/apis/rbac/validation/validation.go}. */
@Component
public class RoleStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.ROLES;
    }

    @Override
    public Validation.NameRule nameRule() {
        return Validation.NameRule.PATH_SEGMENT;
    }
}
