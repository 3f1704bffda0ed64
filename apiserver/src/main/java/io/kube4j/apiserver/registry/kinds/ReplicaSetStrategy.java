package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Set;

/** ReplicaSets (apps/v1): selector matching the template, immutable selector, scale. Kubernetes: {@code pkg/registry/apps/replicaset/strategy.go}. */
@Component
public class ReplicaSetStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.REPLICASETS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/apps/replicaset/strategy.go}). */
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
        Defaults.replicaSet((ReplicaSet) obj);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Validation.replicaSet(errs, (ReplicaSet) obj);
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Validation.immutableSelector(errs, ((ReplicaSet) obj).spec.selector, ((ReplicaSet) old).spec.selector);
    }

    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("status.replicas");
    }

    @Override
    public List<String> subresources() {
        return List.of("scale");
    }

    /** ValidateReplicaSetStatusUpdate ({@link WorkloadStatusValidation}). */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        WorkloadStatusValidation.replicaSet(errs, obj);
    }
}
