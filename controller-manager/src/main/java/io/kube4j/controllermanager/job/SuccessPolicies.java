package io.kube4j.controllermanager.job;

import io.kube4j.api.Job;

/**
 * Whether an Indexed Job's {@code spec.successPolicy} is met: the first rule whose
 * {@code succeededIndexes} all succeeded (or at least {@code succeededCount} of them), or, without
 * indexes, whose {@code succeededCount} indexes succeeded. The message names the rule:
 * {@code "Matched rules at index 0"}.
 *
 * <p>Kubernetes: {@code pkg/controller/job/success_policy.go} (JobSuccessPolicy beta, on, in 1.32).
 */
final class SuccessPolicies {
    private SuccessPolicies() {
    }

    /** The SuccessCriteriaMet message when a rule matches, else null. */
    static String match(Job.SuccessPolicy policy, int completions, Indexes succeeded) {
        if (policy == null || succeeded.isEmpty()) {
            return null;
        }
        for (int index = 0; index < policy.rules.size(); index++) {
            Job.SuccessPolicyRule rule = policy.rules.get(index);
            if (rule.succeededIndexes != null) {
                Indexes required = Indexes.parse(rule.succeededIndexes, completions);
                if (required.isEmpty()) {
                    // an unparsable rule matches nothing
                    continue;
                }
                int contained = 0;
                for (Indexes.Interval iv : required.intervals()) {
                    for (int ix = iv.first(); ix <= iv.last(); ix++) {
                        if (succeeded.has(ix)) {
                            contained++;
                        }
                    }
                }
                if (contained == required.total() || (rule.succeededCount != null && contained >= rule.succeededCount)) {
                    return "Matched rules at index " + index;
                }
            } else if (rule.succeededCount != null && succeeded.total() >= rule.succeededCount) {
                return "Matched rules at index " + index;
            }
        }
        return null;
    }
}
