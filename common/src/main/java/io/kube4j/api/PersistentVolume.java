package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A PersistentVolume (core/v1): a piece of cluster storage that a PersistentVolumeClaim binds to. */
public class PersistentVolume extends KubeObject {
    public PersistentVolumeSpec spec = new PersistentVolumeSpec();
    public PersistentVolumeStatus status = new PersistentVolumeStatus();

    public PersistentVolume() {
        super("v1", "PersistentVolume");
    }

    /**
     * Capacity, access modes, the claim it is bound to, and its source: hostPath, nfs, local and csi are
     * modelled, the other (mostly removed in-tree) sources are kept as-is.
     */
    public static class PersistentVolumeSpec {
        public Map<String, Quantity> capacity = new LinkedHashMap<>();
        public Volume.HostPath hostPath;
        public NFSVolumeSource nfs;
        public LocalVolumeSource local;
        public CSIPersistentVolumeSource csi;
        public List<String> accessModes = new ArrayList<>();
        public ObjectReference claimRef;
        public String persistentVolumeReclaimPolicy;
        public String storageClassName;
        public List<String> mountOptions = new ArrayList<>();
        public String volumeMode;
        public VolumeNodeAffinity nodeAffinity;
        public String volumeAttributesClassName;

        @JsonAnySetter
        @JsonAnyGetter
        public Map<String, Object> unknownFields = new LinkedHashMap<>();
    }

    /** An NFS export. */
    public static class NFSVolumeSource {
        public String server;
        public String path;
        public Boolean readOnly;
    }

    /** A disk, partition or directory of one node; needs nodeAffinity. */
    public static class LocalVolumeSource {
        public String path;
        public String fsType;
    }

    /** A volume of a CSI driver. */
    public static class CSIPersistentVolumeSource {
        public String driver;
        public String volumeHandle;
        public Boolean readOnly;
        public String fsType;
        public Map<String, String> volumeAttributes = new LinkedHashMap<>();
        public SecretReference controllerPublishSecretRef;
        public SecretReference nodeStageSecretRef;
        public SecretReference nodePublishSecretRef;
        public SecretReference controllerExpandSecretRef;
        public SecretReference nodeExpandSecretRef;
    }

    /** A Secret by name and namespace. */
    public static class SecretReference {
        public String name;
        public String namespace;
    }

    /** The nodes the volume can be reached from. */
    public static class VolumeNodeAffinity {
        public Affinity.NodeSelector required;
    }

    /** Pending, Available, Bound, Released or Failed. */
    public static class PersistentVolumeStatus {
        public String phase;
        public String message;
        public String reason;
        public String lastPhaseTransitionTime;
    }
}
