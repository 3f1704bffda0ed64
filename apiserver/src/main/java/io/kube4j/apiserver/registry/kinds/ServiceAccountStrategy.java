package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * ServiceAccounts: no rules beyond ObjectMeta, and the {@code token} subresource (TokenRequest, served by
 * {@link io.kube4j.apiserver.registry.subresources.TokenRequestREST}). Kubernetes:
 * {@code pkg/registry/core/serviceaccount/storage/storage.go}.
 */
@Component
public class ServiceAccountStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.SERVICEACCOUNTS;
    }

    @Override
    public List<String> subresources() {
        return List.of("token");
    }
}
