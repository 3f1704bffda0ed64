package io.kube4j.apiserver.registry.subresources;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code POST pods/{name}/eviction}: a delete with the Eviction's deleteOptions. kube4j has no
 * PodDisruptionBudgets yet, so every eviction is allowed.
 * Kubernetes: {@code pkg/registry/core/pod/storage/eviction.go}.
 */
@Component
public class EvictionREST {
    private final Registry registry;

    public EvictionREST(Registry registry) {
        this.registry = registry;
    }

    /** Evicts the pod; {@code dryRun} from the query or the Eviction's deleteOptions. */
    public void evict(String namespace, String name, ObjectNode eviction, boolean dryRun) {
        DeleteOptions opts;
        try {
            opts = eviction.path("deleteOptions").isObject() ? Json.convert(eviction.get("deleteOptions"), DeleteOptions.class) : new DeleteOptions();
        } catch (RuntimeException e) {
            throw ApiError.badRequest("the Eviction's deleteOptions could not be decoded: " + e.getMessage());
        }
        boolean dry = dryRun || (opts.dryRun != null && opts.dryRun.contains("All"));
        registry.delete(ResourceTypes.PODS, namespace, name, opts, dry);
    }
}
