package io.kube4j.apiserver.registry.subresources;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.json.Times;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * {@code POST pods/{name}/binding}: sets {@code spec.nodeName} once and the PodScheduled=True condition.
 * 409 when the pod is already bound, being deleted, or its UID differs from the Binding's.
 * Kubernetes: {@code pkg/registry/core/pod/storage/storage.go} (BindingREST.assignPod).
 */
@Component
public class BindingREST {
    private final Registry registry;

    public BindingREST(Registry registry) {
        this.registry = registry;
    }

    /** Binds pod {@code namespace/podName} to {@code binding.target.name}. */
    public void bind(String namespace, String podName, ObjectNode binding) {
        String node = binding.path("target").path("name").asString("");
        if (node.isEmpty()) {
            throw ApiError.invalid("", "Binding", podName, List.of(new Status.Cause("FieldValueRequired", "Required value", "target.name")));
        }
        ResourceType rt = ResourceTypes.PODS;
        String uid = binding.path("metadata").path("uid").asString("");
        registry.retryOnConflict(rt, namespace, podName, cur -> {
            ObjectNode pod = cur.object().deepCopy();
            ObjectNode meta = Registry.meta(pod);
            if (!uid.isEmpty() && !uid.equals(meta.path("uid").asString(""))) {
                throw ApiError.conflict("", "pods", podName, "the pod's UID has changed");
            }
            if (meta.has("deletionTimestamp")) {
                throw ApiError.conflict("", "pods", podName, "pod " + podName + " is being deleted, cannot be assigned to a host");
            }
            // Kubernetes returns this as an untyped error (500); a client error is a 409 here
            if (!pod.path("spec").path("schedulingGates").isEmpty()) {
                throw ApiError.conflict("", "pods", podName, "pod " + podName + " has non-empty .spec.schedulingGates");
            }
            String bound = pod.path("spec").path("nodeName").asString("");
            if (!bound.isEmpty()) {
                throw ApiError.conflict("", "pods", podName, "pod " + podName + " is already assigned to node \"" + bound + "\"");
            }
            ((ObjectNode) pod.get("spec")).put("nodeName", node);
            ObjectNode status = pod.has("status") ? (ObjectNode) pod.get("status") : pod.putObject("status");
            ArrayNode conditions = status.has("conditions") ? (ArrayNode) status.get("conditions") : status.putArray("conditions");
            for (int i = conditions.size() - 1; i >= 0; i--) {
                if ("PodScheduled".equals(conditions.get(i).path("type").asString(""))) {
                    conditions.remove(i);
                }
            }
            ObjectNode c = conditions.addObject();
            c.put("type", "PodScheduled");
            c.put("status", "True");
            c.put("lastTransitionTime", Times.now());
            meta.remove("resourceVersion");
            return registry.commit(rt, namespace, podName, pod, cur);
        });
    }
}
