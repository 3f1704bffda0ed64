package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.Deployment;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/** Deployments (apps/v1): strategy rules, immutable selector, scale. Kubernetes: {@code pkg/registry/apps/deployment/strategy.go}. */
@Component
public class DeploymentStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.DEPLOYMENTS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/apps/deployment/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    /**
     * The spec and the annotations: PrepareForUpdate also moves generation on an annotation change, "because
     * annotations are copied from deployments to their replica sets".
     */
    @Override
    public JsonNode specOf(ObjectNode obj) {
        ObjectNode counted = Json.mapper().createObjectNode();
        counted.set("spec", obj.path("spec"));
        counted.set("annotations", obj.path("metadata").path("annotations"));
        return counted;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        Defaults.deployment((Deployment) obj);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Validation.deployment(errs, (Deployment) obj);
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Validation.immutableSelector(errs, ((Deployment) obj).spec.selector, ((Deployment) old).spec.selector);
    }

    @Override
    public List<String> subresources() {
        return List.of("scale");
    }

    /** ValidateDeploymentStatusUpdate ({@link WorkloadStatusValidation}). */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        WorkloadStatusValidation.deployment(errs, obj, old);
    }
}
