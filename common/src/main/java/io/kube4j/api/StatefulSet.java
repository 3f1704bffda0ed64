package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A StatefulSet (apps/v1): pods with stable names and per-pod PersistentVolumeClaims. */
public class StatefulSet extends KubeObject {
    public StatefulSetSpec spec = new StatefulSetSpec();
    public StatefulSetStatus status = new StatefulSetStatus();

    public StatefulSet() {
        super("apps/v1", "StatefulSet");
    }

    /** Replicas, selector, template, claim templates, governing service and update policy. */
    public static class StatefulSetSpec {
        public Integer replicas;
        public LabelSelector selector;
        public PodTemplateSpec template;
        public List<PersistentVolumeClaim> volumeClaimTemplates = new ArrayList<>();
        public String serviceName;
        public String podManagementPolicy;
        public StatefulSetUpdateStrategy updateStrategy;
        public Integer revisionHistoryLimit;
        public Integer minReadySeconds;
        public StatefulSetPersistentVolumeClaimRetentionPolicy persistentVolumeClaimRetentionPolicy;
        public StatefulSetOrdinals ordinals;
    }

    /** RollingUpdate or OnDelete. */
    public static class StatefulSetUpdateStrategy {
        public String type;
        public RollingUpdateStatefulSetStrategy rollingUpdate;
    }

    /** Only ordinals at or above partition are updated, at most maxUnavailable at a time. */
    public static class RollingUpdateStatefulSetStrategy {
        public Integer partition;
        public IntOrString maxUnavailable;
    }

    /** Whether claims are kept (Retain) or deleted (Delete) when the set is deleted or scaled down. */
    public static class StatefulSetPersistentVolumeClaimRetentionPolicy {
        public String whenDeleted;
        public String whenScaled;
    }

    /** The first ordinal of the pods' names. */
    public static class StatefulSetOrdinals {
        public int start;
    }

    /** Observed counts and revisions. */
    public static class StatefulSetStatus {
        public Long observedGeneration;
        public int replicas;
        public Integer readyReplicas;
        public Integer currentReplicas;
        public Integer updatedReplicas;
        public String currentRevision;
        public String updateRevision;
        public Integer collisionCount;
        public List<StatefulSetCondition> conditions = new ArrayList<>();
        public int availableReplicas;
    }

    /** A StatefulSet condition. */
    public static class StatefulSetCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }
}
