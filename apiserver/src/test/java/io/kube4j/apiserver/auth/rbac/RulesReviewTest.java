package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.KubeObject;
import io.kube4j.apiserver.auth.UserInfo;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * SelfSubjectRulesReview's rules against Kubernetes' resolver: RBAC's {@code RulesFor} only (the privileged-group
 * authorizer resolves no rules, {@code pkg/kubeapiserver/authorizer/reload.go}), rules in binding order, kept as
 * they are even when two bindings grant the same ({@code pkg/registry/rbac/validation/rule.go}).
 */
class RulesReviewTest {
    static RbacState bootstrap() {
        List<KubeObject> all = new ArrayList<>();
        all.addAll(BootstrapPolicy.clusterRoles());
        all.addAll(BootstrapPolicy.clusterRoleBindings());
        all.addAll(BootstrapPolicy.roles());
        all.addAll(BootstrapPolicy.roleBindings());
        return RbacState.of(all);
    }

    @Test
    void systemMastersHoldsClusterAdminsRulesOnceFromRbacAlone() {
        UserInfo admin = new UserInfo("kubernetes-admin", "", List.of("system:masters", "system:authenticated"), Map.of());
        RulesReview review = RulesReview.of(bootstrap(), admin, "default");
        assertThat(review.incomplete()).isFalse();
        assertThat(review.resourceRules()).extracting(RuleCoverage::compactString).filteredOn(r -> r.contains("\"*\""))
                .containsExactly("{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}");
        assertThat(review.nonResourceRules()).extracting(RuleCoverage::compactString).filteredOn(r -> r.contains("NonResourceURLs:[\"*\"]"))
                .containsExactly("{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}");
    }

    @Test
    void aUserOutsideSystemMastersGetsNoWildcardAndBindingsAreNotMerged() {
        UserInfo alice = new UserInfo("alice", "", List.of("system:authenticated"), Map.of());
        RulesReview review = RulesReview.of(bootstrap(), alice, "default");
        assertThat(review.resourceRules()).extracting(RuleCoverage::compactString).containsExactly(
                "{APIGroups:[\"authorization.k8s.io\"], Resources:[\"selfsubjectaccessreviews\" \"selfsubjectrulesreviews\"], Verbs:[\"create\"]}",
                "{APIGroups:[\"authentication.k8s.io\"], Resources:[\"selfsubjectreviews\"], Verbs:[\"create\"]}");
        // system:discovery and system:public-info-viewer both grant /healthz, /livez, /readyz and /version: both rules stay
        assertThat(review.nonResourceRules()).hasSize(2);
    }
}
