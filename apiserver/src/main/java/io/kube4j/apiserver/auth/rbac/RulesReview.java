package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.Role;
import io.kube4j.apiserver.auth.UserInfo;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;

/**
 * The rules a user holds in a namespace, for SelfSubjectRulesReview ({@code kubectl auth can-i --list}):
 * Kubernetes' {@code RulesFor} of RBAC (every rule of every binding that applies, cluster-wide then in the
 * namespace, one after the other with no merging or deduplication: {@code pkg/registry/rbac/validation/rule.go}
 * {@code RulesFor} and {@code plugin/pkg/auth/authorizer/rbac/rbac.go}). The privileged-group authorizer that
 * allows {@code system:masters} everything is not a rule resolver ({@code pkg/kubeapiserver/authorizer/reload.go}
 * adds it to the authorizers only), so a member of {@code system:masters} sees what RBAC binds to that group:
 * cluster-admin's two rules once, not a second copy of them.
 *
 * @param resourceRules    rules on resources, in binding order
 * @param nonResourceRules rules on paths
 * @param incomplete       true when a binding names a missing role (its rules could not be listed)
 * @param evaluationError  the missing roles, "" when none
 */
public record RulesReview(List<Role.PolicyRule> resourceRules, List<Role.PolicyRule> nonResourceRules, boolean incomplete, String evaluationError) {

    /** The rules {@code user} holds in {@code namespace}. */
    public static RulesReview of(RbacState state, UserInfo user, String namespace) {
        List<Role.PolicyRule> resources = new ArrayList<>();
        List<Role.PolicyRule> paths = new ArrayList<>();
        LinkedHashSet<String> errors = new LinkedHashSet<>();
        state.visitRulesFor(user, namespace, (source, rule, error) -> {
            if (error != null) {
                errors.add(error);
            } else {
                if (rule.resources != null && !rule.resources.isEmpty()) resources.add(rule);
                if (rule.nonResourceURLs != null && !rule.nonResourceURLs.isEmpty()) paths.add(rule);
            }
            return true;
        });
        String err = errors.isEmpty() ? "" : RbacAuthorizer.aggregate(new ArrayList<>(errors));
        return new RulesReview(resources, paths, !errors.isEmpty(), err);
    }
}
