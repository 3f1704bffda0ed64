package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A ClusterRole (rbac.authorization.k8s.io/v1): cluster-wide permissions, possibly aggregated from other ClusterRoles. */
public class ClusterRole extends KubeObject {
    public List<Role.PolicyRule> rules = new ArrayList<>();
    public AggregationRule aggregationRule;

    public ClusterRole() {
        super("rbac.authorization.k8s.io/v1", "ClusterRole");
    }

    /** The ClusterRoles whose rules are aggregated into this one (the controller then owns rules). */
    public static class AggregationRule {
        public List<LabelSelector> clusterRoleSelectors = new ArrayList<>();
    }
}
