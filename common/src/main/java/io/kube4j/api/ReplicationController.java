package io.kube4j.api;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/** A ReplicationController (core/v1): the ReplicaSet's predecessor, with an equality-only selector. */
public class ReplicationController extends KubeObject {
    public ReplicationControllerSpec spec = new ReplicationControllerSpec();
    public ReplicationControllerStatus status = new ReplicationControllerStatus();

    public ReplicationController() {
        super("v1", "ReplicationController");
    }

    /** Desired replicas, the label map selector and template. */
    public static class ReplicationControllerSpec {
        public Integer replicas;
        public Integer minReadySeconds;
        public Map<String, String> selector = new LinkedHashMap<>();
        public PodTemplateSpec template;
    }

    /** Observed counts. */
    public static class ReplicationControllerStatus {
        public int replicas;
        public Integer fullyLabeledReplicas;
        public Integer readyReplicas;
        public Integer availableReplicas;
        public Long observedGeneration;
        public List<ReplicationControllerCondition> conditions = new ArrayList<>();
    }

    /** ReplicaFailure. */
    public static class ReplicationControllerCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }
}
