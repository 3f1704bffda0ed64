package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ReplicationController;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Set;

/**
 * ReplicationControllers (core/v1): the selector and the object's labels default to the template's labels
 * (SetDefaults_ReplicationController), one replica by default, scale subresource.
 * Kubernetes: {@code pkg/registry/core/replicationcontroller/strategy.go}.
 */
@Component
public class ReplicationControllerStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.REPLICATIONCONTROLLERS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/core/replicationcontroller/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        ReplicationController rc = (ReplicationController) obj;
        if (rc.spec.template != null && rc.spec.template.metadata.labels != null && !rc.spec.template.metadata.labels.isEmpty()) {
            if (rc.spec.selector == null || rc.spec.selector.isEmpty()) {
                rc.spec.selector = new LinkedHashMap<>(rc.spec.template.metadata.labels);
            }
            if (rc.metadata.labels == null || rc.metadata.labels.isEmpty()) {
                rc.metadata.labels = new LinkedHashMap<>(rc.spec.template.metadata.labels);
            }
        }
        if (rc.spec.replicas == null) {
            rc.spec.replicas = 1;
        }
        if (rc.spec.template != null) {
            Defaults.podSpec(rc.spec.template.spec);
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        ReplicationController rc = (ReplicationController) obj;
        Validation.replicas(errs, "spec.replicas", rc.spec.replicas);
        Validation.mapSelectorAndTemplate(errs, rc.spec.selector, rc.spec.template);
    }

    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("status.replicas");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }

    @Override
    public List<String> subresources() {
        return List.of("scale");
    }

    /** ValidateReplicationControllerStatusUpdate ({@link WorkloadStatusValidation}). */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        WorkloadStatusValidation.replicationController(errs, obj);
    }
}
