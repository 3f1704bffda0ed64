package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A pod volume; emptyDir, hostPath, secret, persistentVolumeClaim, downwardAPI, configMap, projected and
 * ephemeral are modelled, other sources are kept as-is.
 */
public class Volume {
    public String name;
    public EmptyDir emptyDir;
    public HostPath hostPath;
    public SecretVolumeSource secret;
    public PersistentVolumeClaimVolumeSource persistentVolumeClaim;
    public DownwardAPIVolumeSource downwardAPI;
    public ConfigMapVolumeSource configMap;
    public ProjectedVolumeSource projected;
    public EphemeralVolumeSource ephemeral;

    @JsonAnySetter
    @JsonAnyGetter
    public Map<String, Object> unknownFields = new LinkedHashMap<>();

    /** A scratch directory that lives as long as the pod. */
    public static class EmptyDir {
        public String medium;
        public io.kube4j.quantity.Quantity sizeLimit;
    }

    /** A directory of the node. */
    public static class HostPath {
        public String path;
        public String type;
    }

    /** The keys of a Secret as files. */
    public static class SecretVolumeSource {
        public String secretName;
        public List<KeyToPath> items = new ArrayList<>();
        public Integer defaultMode;
        public Boolean optional;
    }

    /** A PersistentVolumeClaim of the pod's namespace. */
    public static class PersistentVolumeClaimVolumeSource {
        public String claimName;
        public Boolean readOnly;
    }

    /** Pod fields and container resources as files. */
    public static class DownwardAPIVolumeSource {
        public List<DownwardAPIVolumeFile> items = new ArrayList<>();
        public Integer defaultMode;
    }

    /** One downward API file: a pod field or a container resource. */
    public static class DownwardAPIVolumeFile {
        public String path;
        public ObjectFieldSelector fieldRef;
        public ResourceFieldSelector resourceFieldRef;
        public Integer mode;
    }

    /** The keys of a ConfigMap as files. */
    public static class ConfigMapVolumeSource {
        public String name;
        public List<KeyToPath> items = new ArrayList<>();
        public Integer defaultMode;
        public Boolean optional;
    }

    /** A key of a ConfigMap or Secret projected to a relative path, with an optional file mode. */
    public static class KeyToPath {
        public String key;
        public String path;
        public Integer mode;
    }

    /** Several sources (configMap, secret, downwardAPI, serviceAccountToken, clusterTrustBundle) in one directory. */
    public static class ProjectedVolumeSource {
        public List<VolumeProjection> sources = new ArrayList<>();
        public Integer defaultMode;
    }

    /** One source of a projected volume; exactly one is set. */
    public static class VolumeProjection {
        public SecretProjection secret;
        public DownwardAPIProjection downwardAPI;
        public ConfigMapProjection configMap;
        public ServiceAccountTokenProjection serviceAccountToken;
        public ClusterTrustBundleProjection clusterTrustBundle;
    }

    /** The keys of a Secret, projected. */
    public static class SecretProjection {
        public String name;
        public List<KeyToPath> items = new ArrayList<>();
        public Boolean optional;
    }

    /** Downward API files, projected. */
    public static class DownwardAPIProjection {
        public List<DownwardAPIVolumeFile> items = new ArrayList<>();
    }

    /** The keys of a ConfigMap, projected. */
    public static class ConfigMapProjection {
        public String name;
        public List<KeyToPath> items = new ArrayList<>();
        public Boolean optional;
    }

    /** A bound service account token for the given audience, written to path. */
    public static class ServiceAccountTokenProjection {
        public String audience;
        public Long expirationSeconds;
        public String path;
    }

    /** The certificates of ClusterTrustBundles picked by name or by signerName and labelSelector. */
    public static class ClusterTrustBundleProjection {
        public String name;
        public String signerName;
        public LabelSelector labelSelector;
        public Boolean optional;
        public String path;
    }

    /** A volume backed by a PersistentVolumeClaim created for the pod and deleted with it. */
    public static class EphemeralVolumeSource {
        public PersistentVolumeClaimTemplate volumeClaimTemplate;
    }

    /** The claim an ephemeral volume creates: metadata and spec of a PersistentVolumeClaim. */
    public static class PersistentVolumeClaimTemplate {
        public ObjectMeta metadata = new ObjectMeta();
        public PersistentVolumeClaim.PersistentVolumeClaimSpec spec = new PersistentVolumeClaim.PersistentVolumeClaimSpec();
    }
}
