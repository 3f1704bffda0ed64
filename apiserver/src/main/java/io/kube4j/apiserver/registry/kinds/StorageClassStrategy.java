package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.StorageClass;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

import java.util.List;
import java.util.Objects;

/**
 * StorageClasses (storage.k8s.io/v1): reclaimPolicy Delete and volumeBindingMode Immediate by default;
 * provisioner required; provisioner, parameters, reclaimPolicy and volumeBindingMode immutable.
 * Kubernetes: {@code pkg/apis/storage/v1/defaults.go}, {@code pkg/apis/storage/validation/validation.go}.
 */
@Component
public class StorageClassStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.STORAGECLASSES;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        StorageClass sc = (StorageClass) obj;
        if (sc.reclaimPolicy == null) {
            sc.reclaimPolicy = "Delete";
        }
        if (sc.volumeBindingMode == null) {
            sc.volumeBindingMode = "Immediate";
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        StorageClass sc = (StorageClass) obj;
        if (sc.provisioner == null || sc.provisioner.isEmpty()) {
            errs.required("provisioner", null);
        }
        if (!List.of("Delete", "Retain").contains(sc.reclaimPolicy)) {
            errs.notSupported("reclaimPolicy", sc.reclaimPolicy, List.of("Delete", "Retain"));
        }
        if (!List.of("Immediate", "WaitForFirstConsumer").contains(sc.volumeBindingMode)) {
            errs.notSupported("volumeBindingMode", sc.volumeBindingMode, List.of("Immediate", "WaitForFirstConsumer"));
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        StorageClass now = (StorageClass) obj;
        StorageClass before = (StorageClass) old;
        if (!Objects.equals(now.parameters, before.parameters)) {
            errs.forbidden("parameters", "updates to parameters are forbidden.");
        }
        if (!Objects.equals(now.provisioner, before.provisioner)) {
            errs.forbidden("provisioner", "updates to provisioner are forbidden.");
        }
        if (!Objects.equals(now.reclaimPolicy, before.reclaimPolicy)) {
            errs.forbidden("reclaimPolicy", "updates to reclaimPolicy are forbidden.");
        }
        if (!Objects.equals(now.volumeBindingMode, before.volumeBindingMode)) {
            errs.forbidden("volumeBindingMode", "field is immutable");
        }
    }
}
