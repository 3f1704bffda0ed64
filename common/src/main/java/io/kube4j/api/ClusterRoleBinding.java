package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A ClusterRoleBinding (rbac.authorization.k8s.io/v1): grants a ClusterRole to subjects cluster-wide. */
public class ClusterRoleBinding extends KubeObject {
    public List<RoleBinding.Subject> subjects = new ArrayList<>();
    public RoleBinding.RoleRef roleRef;

    public ClusterRoleBinding() {
        super("rbac.authorization.k8s.io/v1", "ClusterRoleBinding");
    }
}
