package io.kube4j.api;

/** A reference to another object, as in events and endpoints. */
public class ObjectReference {
    public String apiVersion;
    public String kind;
    public String namespace;
    public String name;
    public String uid;
    public String resourceVersion;
    public String fieldPath;

    public ObjectReference() {
    }

    /** A reference to {@code obj}. */
    public static ObjectReference to(KubeObject obj) {
        ObjectReference ref = new ObjectReference();
        ref.apiVersion = obj.apiVersion;
        ref.kind = obj.kind;
        ref.namespace = obj.metadata.namespace;
        ref.name = obj.metadata.name;
        ref.uid = obj.metadata.uid;
        ref.resourceVersion = obj.metadata.resourceVersion;
        return ref;
    }
}
