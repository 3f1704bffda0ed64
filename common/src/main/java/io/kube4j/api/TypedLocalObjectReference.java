package io.kube4j.api;

/** A reference to an object of any kind in the same namespace (a PVC's dataSource, an Ingress resource backend). */
public class TypedLocalObjectReference {
    public String apiGroup;
    public String kind;
    public String name;
}
