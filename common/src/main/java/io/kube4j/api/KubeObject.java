package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;
import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.LinkedHashMap;
import java.util.Map;

/** Any top-level API object: apiVersion, kind and metadata, plus whatever the concrete kind adds. */
@JsonPropertyOrder({"apiVersion", "kind", "metadata", "spec", "status"})
public abstract class KubeObject {
    public String apiVersion;
    public String kind;
    public ObjectMeta metadata = new ObjectMeta();

    /** Fields this version of kube4j does not model; kept so a read-modify-write loses nothing. */
    @JsonAnySetter
    @JsonAnyGetter
    public Map<String, Object> unknownFields = new LinkedHashMap<>();

    protected KubeObject(String apiVersion, String kind) {
        this.apiVersion = apiVersion;
        this.kind = kind;
    }

    /** The store key of this object: {@code namespace/name}, or {@code name} when cluster-scoped. */
    public String key() {
        return ObjectMeta.key(metadata.namespace, metadata.name);
    }

    public String name() {
        return metadata.name;
    }

    public String namespace() {
        return metadata.namespace;
    }
}
