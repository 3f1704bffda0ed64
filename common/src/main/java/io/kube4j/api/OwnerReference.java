package io.kube4j.api;

/** Points from a dependent to its owner; the garbage collector follows these. */
public class OwnerReference {
    public String apiVersion;
    public String kind;
    public String name;
    public String uid;
    public Boolean controller;
    public Boolean blockOwnerDeletion;

    public OwnerReference() {
    }

    /** A controller reference to {@code owner}, as ReplicaSet and Deployment controllers set it. */
    public static OwnerReference controllerOf(KubeObject owner) {
        OwnerReference ref = new OwnerReference();
        ref.apiVersion = owner.apiVersion;
        ref.kind = owner.kind;
        ref.name = owner.metadata.name;
        ref.uid = owner.metadata.uid;
        ref.controller = true;
        ref.blockOwnerDeletion = true;
        return ref;
    }
}
