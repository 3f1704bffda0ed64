package io.kube4j.api;

/** A field of the pod, such as {@code metadata.name} or {@code status.podIP}, for env vars and downward API files. */
public class ObjectFieldSelector {
    public String apiVersion;
    public String fieldPath;
}
