package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.Endpoints;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

/** Endpoints: valid addresses and ports. Kubernetes: {@code pkg/registry/core/endpoint/strategy.go}. */
@Component
public class EndpointsStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.ENDPOINTS;
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Validation.endpoints(errs, (Endpoints) obj);
    }
}
