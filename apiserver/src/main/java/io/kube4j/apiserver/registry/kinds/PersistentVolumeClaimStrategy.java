package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

/**
 * PersistentVolumeClaims: phase Pending on create, Filesystem by default, access modes and a storage
 * request required. Kubernetes: {@code pkg/registry/core/persistentvolumeclaim/strategy.go},
 * ValidatePersistentVolumeClaim.
 */
@Component
public class PersistentVolumeClaimStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.PERSISTENTVOLUMECLAIMS;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void prepareForCreate(ObjectNode obj) {
        obj.putObject("status").put("phase", "Pending");
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        PersistentVolumeClaim pvc = (PersistentVolumeClaim) obj;
        if (pvc.spec.volumeMode == null) {
            pvc.spec.volumeMode = "Filesystem";
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        validateClaimSpec(errs, "spec", (PersistentVolumeClaim) obj);
    }

    /** ValidatePersistentVolumeClaimSpec at {@code path} (claims and StatefulSet claim templates). */
    static void validateClaimSpec(FieldErrors errs, String path, PersistentVolumeClaim pvc) {
        if (pvc.spec.accessModes.isEmpty()) {
            errs.required(path + ".accessModes", "at least 1 access mode is required");
        }
        for (String m : pvc.spec.accessModes) {
            if (!PersistentVolumeStrategy.ACCESS_MODES.contains(m)) {
                errs.notSupported(path + ".accessModes", m, PersistentVolumeStrategy.ACCESS_MODES);
            }
        }
        if (pvc.spec.resources == null || pvc.spec.resources.requests.get("storage") == null) {
            errs.required(path + ".resources[storage]", null);
        }
    }
}
