package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import org.springframework.stereotype.Component;

/**
 * IngressClasses (networking.k8s.io/v1): no rules beyond ObjectMeta yet, but the kind keeps {@code metadata.generation}: 1 on create, one
 * more on each spec change. Kubernetes: {@code pkg/registry/networking/ingressclass/strategy.go}.
 */
@Component
public class IngressClassStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.INGRESSCLASSES;
    }

    @Override
    public boolean tracksGeneration() {
        return true;
    }
}
