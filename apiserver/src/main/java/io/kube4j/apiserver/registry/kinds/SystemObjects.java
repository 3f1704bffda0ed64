package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * Creates the objects every cluster has from its first start: the system namespaces (default,
 * kube-system, kube-public, kube-node-lease) and the system priority classes (system-cluster-critical,
 * system-node-critical), and the default StorageClass {@code local-path} (kube4j's hostPath provisioner in the
 * controller-manager; k3s ships the same), and API Priority and Fairness' mandatory {@code exempt} and
 * {@code catch-all} flow schemas and priority levels ({@link FlowControlBootstrap}). Kubernetes: the bootstrap controllers of the apiserver
 * ({@code pkg/controlplane/controller/systemnamespaces}, {@code pkg/registry/scheduling/rest} PostStartHook).
 */
@Component
public class SystemObjects {
    private final Registry registry;

    public SystemObjects(Registry registry) {
        this.registry = registry;
    }

    /** Creates each missing system object; idempotent, safe against another apiserver doing the same. */
    public void ensure() {
        for (String ns : NamespaceStrategy.SYSTEM_NAMESPACES) {
            ObjectNode obj = Json.mapper().createObjectNode();
            obj.putObject("metadata").put("name", ns);
            ensure(ResourceTypes.NAMESPACES, obj);
        }
        for (var pc : PriorityClassStrategy.SYSTEM_CLASSES.entrySet()) {
            ObjectNode obj = Json.mapper().createObjectNode();
            obj.putObject("metadata").put("name", pc.getKey());
            obj.put("value", pc.getValue());
            obj.put("description", pc.getKey().equals("system-node-critical")
                    ? "Used for system critical pods that must not be moved from their current node."
                    : "Used for system critical pods that must run in the cluster, but can be moved to another node if necessary.");
            ensure(ResourceTypes.PRIORITYCLASSES, obj);
        }
        // the default StorageClass, as k3s ships one: claims without a class get hostPath volumes
        ObjectNode sc = Json.mapper().createObjectNode();
        sc.putObject("metadata").put("name", "local-path").putObject("annotations").put("storageclass.kubernetes.io/is-default-class", "true");
        sc.put("provisioner", "kube4j.io/local-path");
        sc.put("reclaimPolicy", "Delete");
        sc.put("volumeBindingMode", "Immediate");
        ensure(ResourceTypes.STORAGECLASSES, sc);
        // API Priority and Fairness: the mandatory priority levels, then the flow schemas naming them
        for (var pl : FlowControlBootstrap.MANDATORY_PRIORITY_LEVELS.values()) {
            ensure(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, Json.toTree(pl));
        }
        for (var fs : FlowControlBootstrap.MANDATORY_FLOW_SCHEMAS.values()) {
            ensure(ResourceTypes.FLOWSCHEMAS, Json.toTree(fs));
        }
    }

    private void ensure(io.kube4j.api.ResourceType rt, ObjectNode obj) {
        String name = obj.path("metadata").path("name").asString();
        try {
            registry.get(rt, null, name);
            return;
        } catch (ApiError e) {
            if (e.code() != 404) {
                throw e;
            }
        }
        try {
            registry.create(rt, null, obj, false);
        } catch (ApiError e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }
}
