package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonAnyGetter;
import com.fasterxml.jackson.annotation.JsonAnySetter;

import java.util.LinkedHashMap;
import java.util.Map;

/** A pod volume; emptyDir and hostPath are modelled, other sources are kept as-is. */
public class Volume {
    public String name;
    public EmptyDir emptyDir;
    public HostPath hostPath;

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
}
