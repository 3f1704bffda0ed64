package io.kube4j.api;

/**
 * One entry of {@code spec.schedulingGates}: a named condition some controller must clear (by removing
 * the entry) before the scheduler considers the pod (Kubernetes' {@code PodSchedulingGate}).
 */
public class PodSchedulingGate {
    /** The gate's name, e.g. {@code example.com/quota}; unique within the pod. */
    public String name;

    public PodSchedulingGate() {
    }

    public PodSchedulingGate(String name) {
        this.name = name;
    }
}
