package io.kube4j.apiserver.registry.subresources;

import io.kube4j.api.LabelSelector;
import io.kube4j.api.ResourceType;
import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.StorageErrors;
import io.kube4j.json.Json;
import io.kube4j.labels.Selector;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.function.UnaryOperator;

/**
 * The {@code scale} subresource ({@code autoscaling/v1} Scale) of every kind whose strategy lists it:
 * reads {@code spec.replicas}, {@code status.replicas} and the selector; writes a new replica count
 * through the main resource, so generation moves as for any spec change.
 * Kubernetes: {@code pkg/registry/apps/deployment/storage/storage.go} (ScaleREST).
 */
@Component
public class ScaleREST {
    private final Registry registry;

    public ScaleREST(Registry registry) {
        this.registry = registry;
    }

    /** The Scale of an object. */
    public static ObjectNode scaleOf(ObjectNode obj) {
        ObjectNode scale = Json.mapper().createObjectNode();
        scale.put("apiVersion", "autoscaling/v1");
        scale.put("kind", "Scale");
        ObjectNode m = scale.putObject("metadata");
        ObjectNode om = Registry.meta(obj);
        for (String f : List.of("name", "namespace", "uid", "resourceVersion", "creationTimestamp")) {
            if (om.has(f)) {
                m.set(f, om.get(f));
            }
        }
        scale.putObject("spec").put("replicas", obj.path("spec").path("replicas").asInt(0));
        ObjectNode st = scale.putObject("status");
        st.put("replicas", obj.path("status").path("replicas").asInt(0));
        JsonNode selector = obj.path("spec").path("selector");
        LabelSelector sel;
        if ("ReplicationController".equals(obj.path("kind").asString(""))) {
            // core/v1 ReplicationControllers select by a plain label map: Kubernetes' scale status is
            // labels.SelectorFromSet(rc.Spec.Selector).String() (pkg/registry/core/replicationcontroller/storage)
            sel = LabelSelector.of(selector.isObject() ? Json.convert(selector, java.util.LinkedHashMap.class) : java.util.Map.of());
        } else {
            sel = Json.convert(selector.isObject() ? selector : Json.mapper().createObjectNode(), LabelSelector.class);
        }
        st.put("selector", Selector.from(sel).toString());
        return scale;
    }

    /** GET .../scale. */
    public ObjectNode get(ResourceType rt, String namespace, String name) {
        return scaleOf(rt, registry.get(rt, namespace, name));
    }

    /**
     * The Scale of an object of {@code rt}: for a custom resource from its CRD's specReplicasPath,
     * statusReplicasPath and labelSelectorPath (apiextensions-apiserver registry/customresource/etcd.go
     * scaleFromCustomResource), otherwise from spec.replicas.
     */
    private ObjectNode scaleOf(ResourceType rt, ObjectNode obj) {
        if (!(registry.strategy(rt) instanceof io.kube4j.apiserver.crd.CustomResourceStrategy crs) || crs.scale() == null) {
            return scaleOf(obj);
        }
        ObjectNode scale = scaleOf(obj);
        var paths = crs.scale();
        ((ObjectNode) scale.get("spec")).put("replicas", io.kube4j.apiserver.crd.CustomResourceStrategy.at(obj, paths.specReplicasPath).asInt(0));
        ObjectNode st = (ObjectNode) scale.get("status");
        st.put("replicas", io.kube4j.apiserver.crd.CustomResourceStrategy.at(obj, paths.statusReplicasPath).asInt(0));
        st.remove("selector");
        if (paths.labelSelectorPath != null && !paths.labelSelectorPath.isEmpty()) {
            JsonNode sel = io.kube4j.apiserver.crd.CustomResourceStrategy.at(obj, paths.labelSelectorPath);
            if (sel.isString()) {
                st.put("selector", sel.asString());
            }
        }
        return scale;
    }

    /**
     * PUT or PATCH .../scale: {@code scaleChange} turns the current Scale into the wanted one; a stale
     * resourceVersion in it is 409, a missing or negative {@code spec.replicas} 422.
     */
    public ObjectNode update(ResourceType rt, String namespace, String name, UnaryOperator<ObjectNode> scaleChange, boolean dryRun) {
        ObjectNode updated = registry.guaranteedUpdate(rt, namespace, name, null, Registry.Part.MAIN, dryRun, current -> {
            ObjectNode scale = scaleChange.apply(scaleOf(rt, current));
            String rv = scale.path("metadata").path("resourceVersion").asString("");
            if (!rv.isEmpty() && !rv.equals(Registry.meta(current).path("resourceVersion").asString(""))) {
                throw ApiError.conflict(rt.group(), rt.resource(), name, StorageErrors.OPTIMISTIC_LOCK);
            }
            JsonNode replicas = scale.path("spec").path("replicas");
            if (!replicas.isIntegralNumber()) {
                throw ApiError.invalid("autoscaling", "Scale", name, List.of(new Status.Cause("FieldValueRequired", "Required value", "spec.replicas")));
            }
            if (replicas.asInt() < 0) {
                throw ApiError.invalid("autoscaling", "Scale", name, List.of(new Status.Cause("FieldValueInvalid", "Invalid value: " + replicas.asInt() + ": must be greater than or equal to 0", "spec.replicas")));
            }
            if (registry.strategy(rt) instanceof io.kube4j.apiserver.crd.CustomResourceStrategy crs && crs.scale() != null) {
                io.kube4j.apiserver.crd.CustomResourceStrategy.set(current, crs.scale().specReplicasPath, tools.jackson.databind.node.IntNode.valueOf(replicas.asInt()));
            } else {
                ((ObjectNode) current.get("spec")).put("replicas", replicas.asInt());
            }
            return current;
        });
        return scaleOf(rt, updated);
    }

    /** The subresource of scale writes, as managedFields name it. */
    public static final String SCALE = "scale";

    /**
     * Server-side apply through {@code .../scale} ({@code config} an autoscaling/v1 Scale): the applier
     * owns the parent's replica field (spec.replicas, or a CRD's specReplicasPath) in an entry with
     * subresource {@code scale}, as Kubernetes' scale handler records it on the parent; taking it from
     * another manager with another value is 409 unless {@code force}. The object must exist (404).
     *
     * @throws ApiError 400 without a fieldManager, 422 for a missing or negative spec.replicas
     */
    public ObjectNode apply(ResourceType rt, String namespace, String name, JsonNode config, String manager, boolean force, boolean dryRun) {
        if (manager == null || manager.isEmpty()) {
            throw ApiError.badRequest("PATCH, application/apply-patch+yaml requires the fieldManager parameter");
        }
        JsonNode replicas = config.path("spec").path("replicas");
        if (!replicas.isIntegralNumber()) {
            throw ApiError.invalid("autoscaling", "Scale", name, List.of(new Status.Cause("FieldValueRequired", "Required value", "spec.replicas")));
        }
        if (replicas.asInt() < 0) {
            throw ApiError.invalid("autoscaling", "Scale", name, List.of(new Status.Cause("FieldValueInvalid", "Invalid value: " + replicas.asInt() + ": must be greater than or equal to 0", "spec.replicas")));
        }
        io.kube4j.apiserver.registry.Strategy strategy = registry.strategy(rt);
        ObjectNode updated = registry.guaranteedUpdate(rt, namespace, name, null, Registry.Part.MAIN, dryRun, current -> {
            // the Scale configuration in the parent's terms: only its replica field
            ObjectNode parent = Json.mapper().createObjectNode();
            parent.put("apiVersion", rt.apiVersion());
            parent.put("kind", rt.kind());
            parent.putObject("metadata").put("name", name);
            if (strategy instanceof io.kube4j.apiserver.crd.CustomResourceStrategy crs && crs.scale() != null) {
                io.kube4j.apiserver.crd.CustomResourceStrategy.set(parent, crs.scale().specReplicasPath, tools.jackson.databind.node.IntNode.valueOf(replicas.asInt()));
            } else {
                parent.putObject("spec").put("replicas", replicas.asInt());
            }
            return io.kube4j.apiserver.apply.ManagedFields.apply(current, parent, manager, force, rt, io.kube4j.apiserver.apply.FieldModel.of(strategy), SCALE);
        });
        return scaleOf(rt, updated);
    }
}
