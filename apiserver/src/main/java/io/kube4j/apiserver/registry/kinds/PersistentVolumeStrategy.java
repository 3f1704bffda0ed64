package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.KubeObject;
import io.kube4j.api.PersistentVolume;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

/**
 * PersistentVolumes (cluster-scoped): phase Pending on create, Retain and Filesystem by default,
 * capacity and access modes required. Kubernetes: {@code pkg/registry/core/persistentvolume/strategy.go},
 * {@code pkg/apis/core/v1/defaults.go} SetDefaults_PersistentVolume, ValidatePersistentVolume.
 */
@Component
public class PersistentVolumeStrategy implements Strategy {
    static final List<String> ACCESS_MODES = List.of("ReadWriteOnce", "ReadOnlyMany", "ReadWriteMany", "ReadWriteOncePod");

    @Override
    public ResourceType type() {
        return ResourceTypes.PERSISTENTVOLUMES;
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
        PersistentVolume pv = (PersistentVolume) obj;
        if (pv.spec.persistentVolumeReclaimPolicy == null) {
            pv.spec.persistentVolumeReclaimPolicy = "Retain";
        }
        if (pv.spec.volumeMode == null) {
            pv.spec.volumeMode = "Filesystem";
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        PersistentVolume pv = (PersistentVolume) obj;
        if (pv.spec.accessModes.isEmpty()) {
            errs.required("spec.accessModes", null);
        }
        for (String m : pv.spec.accessModes) {
            if (!ACCESS_MODES.contains(m)) {
                errs.notSupported("spec.accessModes", m, ACCESS_MODES);
            }
        }
        if (pv.spec.capacity.get("storage") == null) {
            errs.required("spec.capacity", null);
        }
        if (!List.of("Retain", "Delete", "Recycle").contains(pv.spec.persistentVolumeReclaimPolicy)) {
            errs.notSupported("spec.persistentVolumeReclaimPolicy", pv.spec.persistentVolumeReclaimPolicy, List.of("Delete", "Recycle", "Retain"));
        }
    }
}
