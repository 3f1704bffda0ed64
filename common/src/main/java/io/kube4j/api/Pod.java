package io.kube4j.api;

/** A Pod: one or more containers scheduled together onto a node. */
public class Pod extends KubeObject {
    public PodSpec spec = new PodSpec();
    public PodStatus status = new PodStatus();

    public Pod() {
        super("v1", "Pod");
    }
}
