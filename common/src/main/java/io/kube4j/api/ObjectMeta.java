package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** metadata of every stored object. */
public class ObjectMeta {
    public String name;
    public String generateName;
    public String namespace;
    public String uid;
    public String resourceVersion;
    public Long generation;
    public String creationTimestamp;
    public String deletionTimestamp;
    public Long deletionGracePeriodSeconds;
    public Map<String, String> labels = new LinkedHashMap<>();
    public Map<String, String> annotations = new LinkedHashMap<>();
    public List<OwnerReference> ownerReferences = new ArrayList<>();
    public List<String> finalizers = new ArrayList<>();
    public List<Map<String, Object>> managedFields = new ArrayList<>();

    @JsonAnySetter
    @JsonAnyGetter
    public Map<String, Object> unknownFields = new LinkedHashMap<>();

    public ObjectMeta() {
    }

    public ObjectMeta(String namespace, String name) {
        this.namespace = namespace;
        this.name = name;
    }

    /** The one key function: {@code namespace/name}, or just {@code name} for cluster-scoped objects. */
    public static String key(String namespace, String name) {
        return namespace == null || namespace.isEmpty() ? name : namespace + "/" + name;
    }

    /** The controller owner reference, if any. */
    public OwnerReference controllerRef() {
        for (OwnerReference ref : ownerReferences) {
            if (Boolean.TRUE.equals(ref.controller)) {
                return ref;
            }
        }
        return null;
    }
}
