package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A Job (batch/v1): runs pods until a number of them complete successfully. */
public class Job extends KubeObject {
    public JobSpec spec = new JobSpec();
    public JobStatus status = new JobStatus();

    public Job() {
        super("batch/v1", "Job");
    }

    /** Parallelism, completions, failure and success policies, and the pod template. */
    public static class JobSpec {
        public Integer parallelism;
        public Integer completions;
        public Long activeDeadlineSeconds;
        public PodFailurePolicy podFailurePolicy;
        public SuccessPolicy successPolicy;
        public Integer backoffLimit;
        public Integer backoffLimitPerIndex;
        public Integer maxFailedIndexes;
        public LabelSelector selector;
        public Boolean manualSelector;
        public PodTemplateSpec template;
        public Integer ttlSecondsAfterFinished;
        public String completionMode;
        public Boolean suspend;
        public String podReplacementPolicy;
        public String managedBy;
    }

    /** Rules that decide, per failed pod, whether to fail the job, fail the index, ignore or count it. */
    public static class PodFailurePolicy {
        public List<PodFailurePolicyRule> rules = new ArrayList<>();
    }

    /** An action for pods matching onExitCodes or onPodConditions. */
    public static class PodFailurePolicyRule {
        public String action;
        public PodFailurePolicyOnExitCodesRequirement onExitCodes;
        public List<PodFailurePolicyOnPodConditionsPattern> onPodConditions = new ArrayList<>();
    }

    /** Exit codes In / NotIn values, of one container or any. */
    public static class PodFailurePolicyOnExitCodesRequirement {
        public String containerName;
        public String operator;
        public List<Integer> values = new ArrayList<>();
    }

    /** A pod condition type and status, such as DisruptionTarget True. */
    public static class PodFailurePolicyOnPodConditionsPattern {
        public String type;
        public String status;
    }

    /** When an Indexed job counts as succeeded before all indexes complete. */
    public static class SuccessPolicy {
        public List<SuccessPolicyRule> rules = new ArrayList<>();
    }

    /** Succeeded once succeededIndexes (or succeededCount of them) have succeeded. */
    public static class SuccessPolicyRule {
        public String succeededIndexes;
        public Integer succeededCount;
    }

    /** Observed pods, indexes and times. */
    public static class JobStatus {
        public List<JobCondition> conditions = new ArrayList<>();
        public String startTime;
        public String completionTime;
        public Integer active;
        public Integer succeeded;
        public Integer failed;
        public Integer terminating;
        public String completedIndexes;
        public String failedIndexes;
        public UncountedTerminatedPods uncountedTerminatedPods;
        public Integer ready;
    }

    /** UIDs of finished pods not yet counted in succeeded / failed. */
    public static class UncountedTerminatedPods {
        public List<String> succeeded = new ArrayList<>();
        public List<String> failed = new ArrayList<>();
    }

    /** Complete, Failed, Suspended, FailureTarget, SuccessCriteriaMet. */
    public static class JobCondition {
        public String type;
        public String status;
        public String lastProbeTime;
        public String lastTransitionTime;
        public String reason;
        public String message;
    }

    /** The job a CronJob creates: metadata and spec. */
    public static class JobTemplateSpec {
        public ObjectMeta metadata = new ObjectMeta();
        public JobSpec spec = new JobSpec();
    }
}
