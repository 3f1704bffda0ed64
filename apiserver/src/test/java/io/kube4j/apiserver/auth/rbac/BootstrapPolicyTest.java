package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.ClusterRole;
import io.kube4j.api.ClusterRoleBinding;
import org.junit.jupiter.api.Test;

import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;

/** The bootstrap policy against Kubernetes' golden file (bootstrappolicy/testdata/cluster-roles.yaml). */
class BootstrapPolicyTest {
    static Map<String, ClusterRole> roles() {
        return BootstrapPolicy.clusterRoles().stream().collect(Collectors.toMap(r -> r.metadata.name, r -> r));
    }

    @Test
    void everyObjectIsLabelledAndAnnotatedForReconciliationAndNamedOnce() {
        List<ClusterRole> roles = BootstrapPolicy.clusterRoles();
        List<ClusterRoleBinding> bindings = BootstrapPolicy.clusterRoleBindings();
        Set<String> names = new HashSet<>();
        for (ClusterRole r : roles) {
            assertThat(names.add("role " + r.metadata.name)).as(r.metadata.name).isTrue();
            assertThat(r.metadata.labels).containsEntry("kubernetes.io/bootstrapping", "rbac-defaults");
            assertThat(r.metadata.annotations).containsEntry("rbac.authorization.kubernetes.io/autoupdate", "true");
        }
        for (ClusterRoleBinding b : bindings) {
            assertThat(names.add("binding " + b.metadata.name)).as(b.metadata.name).isTrue();
            assertThat(b.metadata.annotations).containsEntry("rbac.authorization.kubernetes.io/autoupdate", "true");
            assertThat(roles()).as("roleRef of " + b.metadata.name).containsKey(b.roleRef.name);
        }
    }

    @Test
    void namespacedRolesAndBindingsAreKubernetesNamespacePolicy() {
        var roles = BootstrapPolicy.roles().stream().map(r -> r.metadata.namespace + "/" + r.metadata.name).toList();
        assertThat(roles).containsExactly("kube-public/system:controller:bootstrap-signer", "kube-system/extension-apiserver-authentication-reader",
                "kube-system/system::leader-locking-kube-controller-manager", "kube-system/system::leader-locking-kube-scheduler",
                "kube-system/system:controller:bootstrap-signer", "kube-system/system:controller:cloud-provider", "kube-system/system:controller:token-cleaner");
        for (var b : BootstrapPolicy.roleBindings()) {
            assertThat(roles).as(b.metadata.name).contains(b.metadata.namespace + "/" + b.roleRef.name);
            assertThat(b.metadata.annotations).containsEntry("rbac.authorization.kubernetes.io/autoupdate", "true");
        }
        assertThat(BootstrapPolicy.roleBindings()).hasSize(7);
    }

    @Test
    void rulesAreKubernetes() {
        Map<String, ClusterRole> roles = roles();
        assertThat(RuleCoverage.compactString(roles.get("system:public-info-viewer").rules.getFirst()))
                .isEqualTo("{NonResourceURLs:[\"/healthz\" \"/livez\" \"/readyz\" \"/version\" \"/version/\"], Verbs:[\"get\"]}");
        assertThat(RuleCoverage.compactString(roles.get("system:discovery").rules.getFirst()))
                .isEqualTo("{NonResourceURLs:[\"/api\" \"/api/*\" \"/apis\" \"/apis/*\" \"/healthz\" \"/livez\" \"/openapi\" \"/openapi/*\" \"/readyz\" \"/version\" \"/version/\"], Verbs:[\"get\"]}");
        assertThat(roles.get("system:basic-user").rules).extracting(RuleCoverage::compactString).containsExactly(
                "{APIGroups:[\"authorization.k8s.io\"], Resources:[\"selfsubjectaccessreviews\" \"selfsubjectrulesreviews\"], Verbs:[\"create\"]}",
                "{APIGroups:[\"authentication.k8s.io\"], Resources:[\"selfsubjectreviews\"], Verbs:[\"create\"]}");
        assertThat(roles.get("cluster-admin").rules).extracting(RuleCoverage::compactString).containsExactly(
                "{APIGroups:[\"*\"], Resources:[\"*\"], Verbs:[\"*\"]}", "{NonResourceURLs:[\"*\"], Verbs:[\"*\"]}");
        // admin, edit and view are filled by the aggregation controller, edit into admin and view into edit
        assertThat(roles.get("admin").rules).isEmpty();
        assertThat(roles.get("admin").aggregationRule.clusterRoleSelectors.getFirst().matchLabels)
                .containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true");
        assertThat(roles.get("edit").metadata.labels).containsEntry("rbac.authorization.k8s.io/aggregate-to-admin", "true");
        assertThat(roles.get("view").metadata.labels).containsEntry("rbac.authorization.k8s.io/aggregate-to-edit", "true");
        assertThat(roles.get("system:aggregate-to-view").metadata.labels).containsEntry("rbac.authorization.k8s.io/aggregate-to-view", "true");
    }
}
