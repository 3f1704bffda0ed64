package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A DaemonSet (apps/v1): one pod on every (matching) node. */
public class DaemonSet extends KubeObject {
    public DaemonSetSpec spec = new DaemonSetSpec();
    public DaemonSetStatus status = new DaemonSetStatus();

    public DaemonSet() {
        super("apps/v1", "DaemonSet");
    }

    /** Selector, template and how pods are replaced on update. */
    public static class DaemonSetSpec {
        public LabelSelector selector;
        public PodTemplateSpec template;
        public DaemonSetUpdateStrategy updateStrategy;
        public Integer minReadySeconds;
        public Integer revisionHistoryLimit;
    }

    /** RollingUpdate or OnDelete. */
    public static class DaemonSetUpdateStrategy {
        public String type;
        public RollingUpdateDaemonSet rollingUpdate;
    }

    /** maxUnavailable / maxSurge, as numbers or percentages of the nodes. */
    public static class RollingUpdateDaemonSet {
        public IntOrString maxUnavailable;
        public IntOrString maxSurge;
    }

    /** Counts of nodes that run, should run, or wrongly run the daemon pod. */
    public static class DaemonSetStatus {
        public int currentNumberScheduled;
        public int numberMisscheduled;
        public int desiredNumberScheduled;
        public int numberReady;
        public Long observedGeneration;
        public Integer updatedNumberScheduled;
        public Integer numberAvailable;
        public Integer numberUnavailable;
        public Integer collisionCount;
        public List<DaemonSetCondition> conditions = new ArrayList<>();
    }

    /** A DaemonSet condition. */
    public static class DaemonSetCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }
}
