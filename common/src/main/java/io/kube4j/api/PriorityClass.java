package io.kube4j.api;

/** A PriorityClass (scheduling.k8s.io/v1): a named pod priority value, optionally the default. */
public class PriorityClass extends KubeObject {
    public int value;
    public Boolean globalDefault;
    public String description;
    public String preemptionPolicy;

    public PriorityClass() {
        super("scheduling.k8s.io/v1", "PriorityClass");
    }
}
