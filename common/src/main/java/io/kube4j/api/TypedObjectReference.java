package io.kube4j.api;

/** A reference to an object of any kind, possibly in another namespace (a PVC's dataSourceRef). */
public class TypedObjectReference {
    public String apiGroup;
    public String kind;
    public String name;
    public String namespace;
}
