package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/**
 * A PriorityLevelConfiguration (flowcontrol.apiserver.k8s.io/v1, cluster-scoped): a priority level of API
 * Priority and Fairness, Exempt or Limited (concurrency shares, queuing or rejecting beyond them).
 * Kubernetes: {@code k8s.io/api/flowcontrol/v1/types.go}. kube4j stores and validates it; it does not queue requests.
 */
public class PriorityLevelConfiguration extends KubeObject {
    public PriorityLevelConfigurationSpec spec = new PriorityLevelConfigurationSpec();
    public PriorityLevelConfigurationStatus status = new PriorityLevelConfigurationStatus();

    public PriorityLevelConfiguration() {
        super("flowcontrol.apiserver.k8s.io/v1", "PriorityLevelConfiguration");
    }

    /** Exempt or Limited, with the configuration of that type. */
    public static class PriorityLevelConfigurationSpec {
        public String type;
        public LimitedPriorityLevelConfiguration limited;
        public ExemptPriorityLevelConfiguration exempt;
    }

    /** Shares of the server's concurrency limit, what happens beyond them, lending and borrowing (percent). */
    public static class LimitedPriorityLevelConfiguration {
        public Integer nominalConcurrencyShares;
        public LimitResponse limitResponse = new LimitResponse();
        public Integer lendablePercent;
        public Integer borrowingLimitPercent;
    }

    /** Shares and lending of an exempt level (for borrowing by others). */
    public static class ExemptPriorityLevelConfiguration {
        public Integer nominalConcurrencyShares;
        public Integer lendablePercent;
    }

    /** Queue or Reject requests beyond the limit. */
    public static class LimitResponse {
        public String type;
        public QueuingConfiguration queuing;
    }

    /** Shuffle-sharded queues: how many, the hand size, each queue's length. */
    public static class QueuingConfiguration {
        public int queues;
        public int handSize;
        public int queueLengthLimit;
    }

    /** The conditions (ConcurrencyShared). */
    public static class PriorityLevelConfigurationStatus {
        public List<PriorityLevelConfigurationCondition> conditions = new ArrayList<>();
    }

    /** One condition. */
    public static class PriorityLevelConfigurationCondition {
        public String type;
        public String status;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }
}
