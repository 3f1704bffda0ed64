package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A Role (rbac.authorization.k8s.io/v1): permissions within one namespace. */
public class Role extends KubeObject {
    public List<PolicyRule> rules = new ArrayList<>();

    public Role() {
        super("rbac.authorization.k8s.io/v1", "Role");
    }

    /** Verbs allowed on resources of API groups (optionally only some names), or on non-resource URLs. */
    public static class PolicyRule {
        public List<String> verbs = new ArrayList<>();
        public List<String> apiGroups = new ArrayList<>();
        public List<String> resources = new ArrayList<>();
        public List<String> resourceNames = new ArrayList<>();
        public List<String> nonResourceURLs = new ArrayList<>();
    }
}
