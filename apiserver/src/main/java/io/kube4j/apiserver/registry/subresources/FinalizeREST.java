package io.kube4j.apiserver.registry.subresources;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Registry;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

/**
 * {@code PUT namespaces/{name}/finalize}: replaces {@code spec.finalizers}; a terminating namespace with
 * none left is removed. Kubernetes: {@code pkg/registry/core/namespace/storage/storage.go} (FinalizeREST).
 */
@Component
public class FinalizeREST {
    private final Registry registry;

    public FinalizeREST(Registry registry) {
        this.registry = registry;
    }

    /** Sets the namespace's finalizers to {@code body.spec.finalizers}; returns the namespace as written. */
    public ObjectNode finalizeNamespace(String name, ObjectNode body) {
        JsonNode fins = body.path("spec").path("finalizers");
        return registry.retryOnConflict(ResourceTypes.NAMESPACES, null, name, cur -> {
            ObjectNode next = cur.object().deepCopy();
            ObjectNode spec = next.has("spec") ? (ObjectNode) next.get("spec") : next.putObject("spec");
            if (fins.isArray() && !fins.isEmpty()) {
                spec.set("finalizers", fins.deepCopy());
            } else {
                spec.remove("finalizers");
            }
            return registry.commit(ResourceTypes.NAMESPACES, null, name, next, cur);
        });
    }
}
