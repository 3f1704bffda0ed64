package io.kube4j.api;

/** A PodTemplate (core/v1): a stored pod template. */
public class PodTemplate extends KubeObject {
    public PodTemplateSpec template;

    public PodTemplate() {
        super("v1", "PodTemplate");
    }
}
