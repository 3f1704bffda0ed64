package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/** Creates the namespaces the cluster cannot work without (default, kube-system, kube-public, kube-node-lease) at startup. */
@Component
public class SystemNamespaces {
    private final Registry registry;

    public SystemNamespaces(Registry registry) {
        this.registry = registry;
    }

    /** Creates each missing system namespace; idempotent, safe against another apiserver doing the same. */
    public void ensure() {
        for (String ns : NamespaceStrategy.SYSTEM_NAMESPACES) {
            try {
                registry.get(ResourceTypes.NAMESPACES, null, ns);
                continue;
            } catch (ApiError e) {
                if (e.code() != 404) {
                    throw e;
                }
            }
            ObjectNode obj = Json.mapper().createObjectNode();
            obj.putObject("metadata").put("name", ns);
            try {
                registry.create(ResourceTypes.NAMESPACES, null, obj, false);
            } catch (ApiError e) {
                if (e.code() != 409) {
                    throw e;
                }
            }
        }
    }
}
