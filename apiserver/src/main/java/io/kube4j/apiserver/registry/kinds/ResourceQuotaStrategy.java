package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import org.springframework.stereotype.Component;

/** ResourceQuotas: status (hard, used) written only through /status by the quota controller. Kubernetes: {@code pkg/registry/core/resourcequota/strategy.go}. */
@Component
public class ResourceQuotaStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.RESOURCEQUOTAS;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }
}
