package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A Deployment (apps/v1): declarative rollouts over ReplicaSets. */
public class Deployment extends KubeObject {
    public DeploymentSpec spec = new DeploymentSpec();
    public DeploymentStatus status = new DeploymentStatus();

    public Deployment() {
        super("apps/v1", "Deployment");
    }

    /** Desired state. */
    public static class DeploymentSpec {
        public Integer replicas;
        public LabelSelector selector;
        public PodTemplateSpec template;
        public DeploymentStrategy strategy;
        public Integer minReadySeconds;
        public Integer revisionHistoryLimit;
        public Boolean paused;
        public Integer progressDeadlineSeconds;
    }

    /** RollingUpdate or Recreate. */
    public static class DeploymentStrategy {
        public String type;
        public RollingUpdate rollingUpdate;
    }

    /** maxSurge / maxUnavailable, as numbers or percentages. */
    public static class RollingUpdate {
        public IntOrString maxUnavailable;
        public IntOrString maxSurge;
    }

    /** Observed state; kubectl rollout status reads these. */
    public static class DeploymentStatus {
        public Long observedGeneration;
        public Integer replicas;
        public Integer updatedReplicas;
        public Integer readyReplicas;
        public Integer availableReplicas;
        public Integer unavailableReplicas;
        public List<Condition> conditions = new ArrayList<>();
        public Integer collisionCount;
    }

    /** Available, Progressing, ReplicaFailure. */
    public static class Condition {
        public String type;
        public String status;
        public String lastUpdateTime;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }
}
