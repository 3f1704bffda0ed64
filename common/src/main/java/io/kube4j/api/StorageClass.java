package io.kube4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A StorageClass (storage.k8s.io/v1): a provisioner and its parameters for dynamically provisioned volumes. */
public class StorageClass extends KubeObject {
    public String provisioner;
    public Map<String, String> parameters = new LinkedHashMap<>();
    public String reclaimPolicy;
    public List<String> mountOptions = new ArrayList<>();
    public Boolean allowVolumeExpansion;
    public String volumeBindingMode;
    public List<TopologySelectorTerm> allowedTopologies = new ArrayList<>();

    public StorageClass() {
        super("storage.k8s.io/v1", "StorageClass");
    }

    /** Topology label requirements, all of which must match. */
    public static class TopologySelectorTerm {
        public List<TopologySelectorLabelRequirement> matchLabelExpressions = new ArrayList<>();
    }

    /** A label key and the values it may have. */
    public static class TopologySelectorLabelRequirement {
        public String key;
        public List<String> values = new ArrayList<>();
    }
}
