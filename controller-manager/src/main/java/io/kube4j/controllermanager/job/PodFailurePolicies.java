package io.kube4j.controllermanager.job;

import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Job;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;

import java.util.List;

/**
 * Matches a failed pod against a Job's {@code spec.podFailurePolicy}: the first rule whose
 * {@code onExitCodes} (a terminated container, exit code not 0, In / NotIn the values, of the named
 * container or any, app containers before init containers) or {@code onPodConditions} (a condition
 * of that type and status) matches decides the action.
 *
 * <p>Kubernetes: {@code pkg/controller/job/pod_failure_policy.go} (1.32, JobBackoffLimitPerIndex on).
 */
public final class PodFailurePolicies {
    /** The rule actions of batch/v1. */
    public static final String FAIL_JOB = "FailJob";
    public static final String FAIL_INDEX = "FailIndex";
    public static final String IGNORE = "Ignore";
    public static final String COUNT = "Count";

    private PodFailurePolicies() {
    }

    /**
     * What the policy says about one failed pod.
     *
     * @param failJobMessage the Job's failure message when a FailJob rule matched, else null
     * @param countFailed    whether the failure counts towards backoffLimit (false for Ignore)
     * @param action         the matched rule's action, null when no rule matched
     */
    public record Match(String failJobMessage, boolean countFailed, String action) {
        static final Match NONE = new Match(null, true, null);
    }

    /** Kubernetes' matchPodFailurePolicy; {@link Match#NONE} without a policy or a matching rule. */
    public static Match match(Job.PodFailurePolicy policy, Pod failed) {
        if (policy == null) {
            return Match.NONE;
        }
        for (int index = 0; index < policy.rules.size(); index++) {
            Job.PodFailurePolicyRule rule = policy.rules.get(index);
            String action = rule.action == null ? "" : rule.action;
            if (rule.onExitCodes != null) {
                ContainerStatus cs = matchOnExitCodes(failed, rule.onExitCodes);
                if (cs != null) {
                    Match m = act(action, index, String.format("Container %s for pod %s/%s failed with exit code %d matching %s rule at index %d",
                            cs.name, failed.metadata.namespace, failed.metadata.name, cs.state.terminated.exitCode, action, index));
                    if (m != null) {
                        return m;
                    }
                }
            } else if (rule.onPodConditions != null && !rule.onPodConditions.isEmpty()) {
                PodCondition c = matchOnPodConditions(failed, rule.onPodConditions);
                if (c != null) {
                    Match m = act(action, index, String.format("Pod %s/%s has condition %s matching %s rule at index %d",
                            failed.metadata.namespace, failed.metadata.name, c.type, action, index));
                    if (m != null) {
                        return m;
                    }
                }
            }
        }
        return Match.NONE;
    }

    // an unknown action matches nothing, so the next rule is tried (Go's switch without a case)
    private static Match act(String action, int index, String failJobMessage) {
        return switch (action) {
            case IGNORE -> new Match(null, false, IGNORE);
            case FAIL_INDEX -> new Match(null, true, FAIL_INDEX);
            case COUNT -> new Match(null, true, COUNT);
            case FAIL_JOB -> new Match(failJobMessage, true, FAIL_JOB);
            default -> null;
        };
    }

    private static ContainerStatus matchOnExitCodes(Pod pod, Job.PodFailurePolicyOnExitCodesRequirement req) {
        ContainerStatus cs = matchingContainer(pod.status.containerStatuses, req);
        return cs != null ? cs : matchingContainer(pod.status.initContainerStatuses, req);
    }

    private static ContainerStatus matchingContainer(List<ContainerStatus> statuses, Job.PodFailurePolicyOnExitCodesRequirement req) {
        for (ContainerStatus cs : statuses) {
            if (cs.state == null || cs.state.terminated == null) {
                // still terminating: no exit code to match yet
                continue;
            }
            if (req.containerName == null || req.containerName.equals(cs.name)) {
                int code = cs.state.terminated.exitCode;
                if (code != 0 && operatorMatches(code, req)) {
                    return cs;
                }
            }
        }
        return null;
    }

    private static boolean operatorMatches(int exitCode, Job.PodFailurePolicyOnExitCodesRequirement req) {
        return switch (req.operator == null ? "" : req.operator) {
            case "In" -> req.values.contains(exitCode);
            case "NotIn" -> !req.values.contains(exitCode);
            default -> false;
        };
    }

    private static PodCondition matchOnPodConditions(Pod pod, List<Job.PodFailurePolicyOnPodConditionsPattern> patterns) {
        for (PodCondition c : pod.status.conditions) {
            for (Job.PodFailurePolicyOnPodConditionsPattern p : patterns) {
                // an unset status is defaulted to True by the apiserver (SetDefaults_Job)
                String status = p.status == null || p.status.isEmpty() ? "True" : p.status;
                if (c.type != null && c.type.equals(p.type) && status.equals(c.status)) {
                    return c;
                }
            }
        }
        return null;
    }
}
