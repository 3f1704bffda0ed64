package io.kube4j.controllermanager.job;

import io.kube4j.api.Job;
import io.kube4j.json.Times;

import java.time.Instant;
import java.util.Objects;

/**
 * Job condition types and reasons of batch/v1 (1.32), and the helpers Kubernetes' job controller
 * uses on them: {@code IsJobFinished}, {@code findConditionByType}, {@code ensureJobConditionStatus}.
 */
public final class JobConditions {
    public static final String COMPLETE = "Complete";
    public static final String FAILED = "Failed";
    public static final String SUSPENDED = "Suspended";
    public static final String FAILURE_TARGET = "FailureTarget";
    public static final String SUCCESS_CRITERIA_MET = "SuccessCriteriaMet";

    public static final String REASON_POD_FAILURE_POLICY = "PodFailurePolicy";
    public static final String REASON_BACKOFF_LIMIT_EXCEEDED = "BackoffLimitExceeded";
    public static final String REASON_DEADLINE_EXCEEDED = "DeadlineExceeded";
    public static final String REASON_MAX_FAILED_INDEXES_EXCEEDED = "MaxFailedIndexesExceeded";
    public static final String REASON_FAILED_INDEXES = "FailedIndexes";
    public static final String REASON_SUCCESS_POLICY = "SuccessPolicy";
    public static final String REASON_COMPLETIONS_REACHED = "CompletionsReached";

    private JobConditions() {
    }

    /** A condition the controller is about to set: type, reason, message and when (status True). */
    public record Condition(String type, String reason, String message, Instant at) {
    }

    static Condition of(String type, String reason, String message, Instant at) {
        return new Condition(type, reason, message, at);
    }

    /** Complete or Failed is True: the Job is done for good. */
    public static boolean isFinished(Job job) {
        for (Job.JobCondition c : job.status.conditions) {
            if ((COMPLETE.equals(c.type) || FAILED.equals(c.type)) && "True".equals(c.status)) {
                return true;
            }
        }
        return false;
    }

    /** The condition of {@code type}, or null. */
    public static Job.JobCondition find(Job job, String type) {
        for (Job.JobCondition c : job.status.conditions) {
            if (type.equals(c.type)) {
                return c;
            }
        }
        return null;
    }

    /** The condition of {@code type} if it is True, else null. */
    static Condition trueCondition(Job job, String type) {
        Job.JobCondition c = find(job, type);
        if (c == null || !"True".equals(c.status)) {
            return null;
        }
        return new Condition(c.type, c.reason, c.message, JobPods.parse(c.lastTransitionTime));
    }

    static Job.JobCondition toApi(String type, String status, String reason, String message, Instant at) {
        Job.JobCondition c = new Job.JobCondition();
        c.type = type;
        c.status = status;
        c.reason = reason == null || reason.isEmpty() ? null : reason;
        c.message = message == null || message.isEmpty() ? null : message;
        c.lastProbeTime = Times.format(at);
        c.lastTransitionTime = Times.format(at);
        return c;
    }

    static void append(Job job, Condition c) {
        job.status.conditions.add(toApi(c.type(), "True", c.reason(), c.message(), c.at()));
    }

    /**
     * Sets the condition of {@code type} to {@code status}, reason and message (replacing it with fresh
     * times when any differs); a False condition is never added where none exists. Whether anything changed.
     */
    static boolean ensure(Job job, String type, String status, String reason, String message, Instant now) {
        Job.JobCondition c = find(job, type);
        if (c != null) {
            if (!Objects.equals(c.status, status) || !Objects.equals(nullToEmpty(c.reason), nullToEmpty(reason))
                    || !Objects.equals(nullToEmpty(c.message), nullToEmpty(message))) {
                job.status.conditions.set(job.status.conditions.indexOf(c), toApi(type, status, reason, message, now));
                return true;
            }
            return false;
        }
        if (!"False".equals(status)) {
            job.status.conditions.add(toApi(type, status, reason, message, now));
            return true;
        }
        return false;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
