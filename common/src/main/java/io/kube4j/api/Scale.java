package io.kube4j.api;

/** A Scale (autoscaling/v1): the scale subresource of deployments and replicasets. */
public class Scale extends KubeObject {
    public ScaleSpec spec = new ScaleSpec();
    public ScaleStatus status = new ScaleStatus();

    public Scale() {
        super("autoscaling/v1", "Scale");
    }

    /** Desired replicas. */
    public static class ScaleSpec {
        public Integer replicas;
    }

    /** Current replicas and the selector as a string. */
    public static class ScaleStatus {
        public int replicas;
        public String selector;
    }
}
