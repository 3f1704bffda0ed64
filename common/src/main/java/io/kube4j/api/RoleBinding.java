package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A RoleBinding (rbac.authorization.k8s.io/v1): grants a Role or ClusterRole to subjects within one namespace. */
public class RoleBinding extends KubeObject {
    public List<Subject> subjects = new ArrayList<>();
    public RoleRef roleRef;

    public RoleBinding() {
        super("rbac.authorization.k8s.io/v1", "RoleBinding");
    }

    /** A User, Group or ServiceAccount. */
    public static class Subject {
        public String kind;
        public String apiGroup;
        public String name;
        public String namespace;
    }

    /** The Role or ClusterRole granted. */
    public static class RoleRef {
        public String apiGroup;
        public String kind;
        public String name;
    }
}
