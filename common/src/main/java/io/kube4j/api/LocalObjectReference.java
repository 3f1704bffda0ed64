package io.kube4j.api;

/** A reference by name to an object in the same namespace (image pull secrets, configMap and secret refs). */
public class LocalObjectReference {
    public String name;

    public LocalObjectReference() {
    }

    public LocalObjectReference(String name) {
        this.name = name;
    }
}
