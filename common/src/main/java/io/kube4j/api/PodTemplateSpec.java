package io.kube4j.api;

/** The pod a controller stamps out: metadata (labels) and spec. */
public class PodTemplateSpec {
    public ObjectMeta metadata = new ObjectMeta();
    public PodSpec spec = new PodSpec();
}
