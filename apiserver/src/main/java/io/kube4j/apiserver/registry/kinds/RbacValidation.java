package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.validation.FieldErrors;

import java.util.List;
import java.util.Objects;

/** The rules RoleBindings and ClusterRoleBindings share (pkg/apis/rbac/validation/validation.go). */
final class RbacValidation {
    private RbacValidation() {
    }

    static void roleRef(FieldErrors errs, RoleBinding.RoleRef ref, boolean namespaced) {
        if (ref == null) {
            errs.required("roleRef", null);
            return;
        }
        if (!"rbac.authorization.k8s.io".equals(ref.apiGroup)) {
            errs.notSupported("roleRef.apiGroup", ref.apiGroup, List.of("rbac.authorization.k8s.io"));
        }
        List<String> kinds = namespaced ? List.of("Role", "ClusterRole") : List.of("ClusterRole");
        if (!kinds.contains(ref.kind)) {
            errs.notSupported("roleRef.kind", ref.kind, kinds);
        }
        if (ref.name == null || ref.name.isEmpty()) {
            errs.required("roleRef.name", null);
        }
    }

    static void subjects(FieldErrors errs, List<RoleBinding.Subject> subjects) {
        for (int i = 0; i < subjects.size(); i++) {
            RoleBinding.Subject s = subjects.get(i);
            String path = "subjects[" + i + "]";
            if (s.name == null || s.name.isEmpty()) {
                errs.required(path + ".name", null);
            }
            if (!List.of("ServiceAccount", "User", "Group").contains(s.kind)) {
                errs.notSupported(path + ".kind", s.kind, List.of("ServiceAccount", "User", "Group"));
            }
        }
    }

    static void immutableRoleRef(FieldErrors errs, RoleBinding.RoleRef now, RoleBinding.RoleRef before) {
        if (before != null && now != null && !(Objects.equals(now.apiGroup, before.apiGroup) && Objects.equals(now.kind, before.kind) && Objects.equals(now.name, before.name))) {
            errs.invalid("roleRef", now.kind + "/" + now.name, "cannot change roleRef");
        }
    }
}
