package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonInclude;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A PersistentVolumeClaim (core/v1): a request for storage, bound to a PersistentVolume. */
public class PersistentVolumeClaim extends KubeObject {
    public PersistentVolumeClaimSpec spec = new PersistentVolumeClaimSpec();
    public PersistentVolumeClaimStatus status = new PersistentVolumeClaimStatus();

    public PersistentVolumeClaim() {
        super("v1", "PersistentVolumeClaim");
    }

    /** Access modes, size, class and where the data comes from. */
    public static class PersistentVolumeClaimSpec {
        public List<String> accessModes = new ArrayList<>();
        public LabelSelector selector;
        public VolumeResourceRequirements resources;
        public String volumeName;
        /** {@code ""} (no class, bind a classless volume) differs from absent (the default class), so it is kept. */
        @JsonInclude(JsonInclude.Include.NON_NULL)
        public String storageClassName;
        public String volumeMode;
        public TypedLocalObjectReference dataSource;
        public TypedObjectReference dataSourceRef;
        public String volumeAttributesClassName;
    }

    /** The storage requested (requests) and the most it may grow to (limits). */
    public static class VolumeResourceRequirements {
        public Map<String, Quantity> limits = new LinkedHashMap<>();
        public Map<String, Quantity> requests = new LinkedHashMap<>();
    }

    /** Phase, what was bound and any resize or modify in progress. */
    public static class PersistentVolumeClaimStatus {
        public String phase;
        public List<String> accessModes = new ArrayList<>();
        public Map<String, Quantity> capacity = new LinkedHashMap<>();
        public List<PersistentVolumeClaimCondition> conditions = new ArrayList<>();
        public Map<String, Quantity> allocatedResources = new LinkedHashMap<>();
        public Map<String, String> allocatedResourceStatuses = new LinkedHashMap<>();
        public String currentVolumeAttributesClassName;
        public ModifyVolumeStatus modifyVolumeStatus;
    }

    /** Resizing, FileSystemResizePending, ModifyingVolume, ModifyVolumeError. */
    public static class PersistentVolumeClaimCondition {
        public String type;
        public String status;
        public String lastProbeTime;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }

    /** A change of volumeAttributesClassName in progress. */
    public static class ModifyVolumeStatus {
        public String targetVolumeAttributesClassName;
        public String status;
    }
}
