package io.kube4j.controllermanager.runtime;

import com.fasterxml.jackson.annotation.JsonIgnore;
import io.kube4j.api.KubeObject;
import io.kube4j.json.Json;

/**
 * An object of a resource with no Java class (a custom resource): apiVersion, kind and metadata are
 * typed, everything else (spec, status...) is kept in {@link #unknownFields}, so a read-modify-write
 * (PUT) loses nothing. {@link #resource} says where it lives; it is not serialized.
 */
public final class CustomObject extends KubeObject {
    /** The discovered resource this object was listed from. */
    @JsonIgnore
    public ApiResource resource;

    public CustomObject() {
        super(null, null);
    }

    /** Parses one object (JSON text) of {@code resource}. */
    public static CustomObject of(ApiResource resource, String json) {
        CustomObject o = Json.read(json, CustomObject.class);
        o.resource = resource;
        return o;
    }

    /** A deep copy, with the same {@link #resource}: cached objects are never mutated. */
    public CustomObject copy() {
        CustomObject o = Json.copy(this);
        o.resource = resource;
        return o;
    }
}
