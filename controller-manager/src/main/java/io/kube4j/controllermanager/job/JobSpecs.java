package io.kube4j.controllermanager.job;

import io.kube4j.api.Job;
import io.kube4j.api.LabelSelector;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A Job's spec as the controller reads it: every optional field with the value Kubernetes' apiserver
 * would have defaulted ({@code SetDefaults_Job} in {@code pkg/apis/batch/v1/defaults.go}) and the
 * selector it would have generated ({@code generateSelector} in {@code pkg/registry/batch/job/strategy.go}).
 * kube4j's apiserver serves Jobs through the generic strategy, which neither defaults nor generates,
 * so the controller applies both when reading; once a JobStrategy does, these are no-ops.
 */
public final class JobSpecs {
    /** The labels Kubernetes puts on a Job's pod template and selects by. */
    public static final String CONTROLLER_UID_LABEL = "batch.kubernetes.io/controller-uid";
    public static final String LEGACY_CONTROLLER_UID_LABEL = "controller-uid";
    public static final String JOB_NAME_LABEL = "batch.kubernetes.io/job-name";
    public static final String LEGACY_JOB_NAME_LABEL = "job-name";

    public static final String NON_INDEXED = "NonIndexed";
    public static final String INDEXED = "Indexed";

    private JobSpecs() {
    }

    /**
     * Defaults {@code job}'s spec in place (call on a copy): completions and parallelism 1 when both
     * are unset, parallelism 1, backoffLimit 6 (2147483647 with backoffLimitPerIndex), completionMode
     * NonIndexed, suspend false, manualSelector false, podReplacementPolicy Failed with a
     * podFailurePolicy else TerminatingOrFailed, onPodConditions status True; and without a manual
     * selector the generated selector and template labels.
     */
    public static void applyDefaults(Job job) {
        Job.JobSpec s = job.spec;
        if (s.completions == null && s.parallelism == null) {
            s.completions = 1;
            s.parallelism = 1;
        }
        if (s.parallelism == null) {
            s.parallelism = 1;
        }
        if (s.backoffLimit == null) {
            s.backoffLimit = s.backoffLimitPerIndex != null ? Integer.MAX_VALUE : 6;
        }
        if (s.completionMode == null) {
            s.completionMode = NON_INDEXED;
        }
        if (s.suspend == null) {
            s.suspend = false;
        }
        if (s.podFailurePolicy != null) {
            for (Job.PodFailurePolicyRule rule : s.podFailurePolicy.rules) {
                for (Job.PodFailurePolicyOnPodConditionsPattern p : rule.onPodConditions) {
                    if (p.status == null || p.status.isEmpty()) {
                        p.status = "True";
                    }
                }
            }
        }
        if (s.podReplacementPolicy == null) {
            s.podReplacementPolicy = s.podFailurePolicy != null ? "Failed" : "TerminatingOrFailed";
        }
        if (s.manualSelector == null) {
            s.manualSelector = false;
        }
        if (!s.manualSelector && s.template != null && job.metadata.uid != null) {
            generateSelector(job);
        }
    }

    /**
     * Kubernetes' generateSelector: the template gets {@code batch.kubernetes.io/controller-uid},
     * {@code batch.kubernetes.io/job-name}, {@code controller-uid} and {@code job-name} (unless set), and
     * the selector matches {@code batch.kubernetes.io/controller-uid=<uid>}.
     */
    static void generateSelector(Job job) {
        Map<String, String> labels = job.spec.template.metadata.labels;
        if (labels == null) {
            labels = new LinkedHashMap<>();
            job.spec.template.metadata.labels = labels;
        }
        labels.putIfAbsent(LEGACY_JOB_NAME_LABEL, job.metadata.name);
        labels.putIfAbsent(JOB_NAME_LABEL, job.metadata.name);
        labels.putIfAbsent(LEGACY_CONTROLLER_UID_LABEL, job.metadata.uid);
        labels.putIfAbsent(CONTROLLER_UID_LABEL, job.metadata.uid);
        if (job.spec.selector == null) {
            job.spec.selector = new LabelSelector();
        }
        if (job.spec.selector.matchLabels == null) {
            job.spec.selector.matchLabels = new LinkedHashMap<>();
        }
        job.spec.selector.matchLabels.putIfAbsent(CONTROLLER_UID_LABEL, job.metadata.uid);
    }

    public static boolean isIndexed(Job job) {
        return INDEXED.equals(job.spec.completionMode);
    }

    public static boolean isSuspended(Job job) {
        return Boolean.TRUE.equals(job.spec.suspend);
    }

    /** Whether backoffLimitPerIndex is set (JobBackoffLimitPerIndex is on in 1.32). */
    public static boolean hasBackoffLimitPerIndex(Job job) {
        return job.spec.backoffLimitPerIndex != null;
    }

    /**
     * Kubernetes' onlyReplaceFailedPods: with podReplacementPolicy Failed (or any podFailurePolicy) a
     * terminating pod is not replaced until it is Failed, and a deleted pod is not counted as failed.
     */
    public static boolean onlyReplaceFailedPods(Job job) {
        return "Failed".equals(job.spec.podReplacementPolicy) || job.spec.podFailurePolicy != null;
    }
}
