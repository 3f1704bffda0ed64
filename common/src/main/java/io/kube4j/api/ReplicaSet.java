package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A ReplicaSet (apps/v1): keeps N copies of a pod template running. */
public class ReplicaSet extends KubeObject {
    public ReplicaSetSpec spec = new ReplicaSetSpec();
    public ReplicaSetStatus status = new ReplicaSetStatus();

    public ReplicaSet() {
        super("apps/v1", "ReplicaSet");
    }

    /** Desired replicas, selector and template. */
    public static class ReplicaSetSpec {
        public Integer replicas;
        public Integer minReadySeconds;
        public LabelSelector selector;
        public PodTemplateSpec template;
    }

    /** Observed counts. */
    public static class ReplicaSetStatus {
        public int replicas;
        public Integer fullyLabeledReplicas;
        public Integer readyReplicas;
        public Integer availableReplicas;
        public Long observedGeneration;
        public List<Deployment.Condition> conditions = new ArrayList<>();
    }
}
