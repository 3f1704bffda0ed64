package io.kube4j.controllermanager.runtime;

import java.util.List;
import java.util.Map;

/**
 * The question of an {@code authorization.k8s.io/v1} SubjectAccessReview about a resource: may {@code user} (with its
 * uid, groups and extra) do {@code verb} on {@code group}/{@code resource}/{@code subresource}? Kubernetes:
 * {@code SubjectAccessReviewSpec} with {@code ResourceAttributes}, as the CSR approver sends it ({@code sarapprove.go authorize}).
 */
public record SubjectAccess(String user, String uid, List<String> groups, Map<String, List<String>> extra,
                            String verb, String group, String resource, String subresource) {
    public SubjectAccess {
        groups = groups == null ? List.of() : List.copyOf(groups);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }
}
