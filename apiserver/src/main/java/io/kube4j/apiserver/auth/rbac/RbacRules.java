package io.kube4j.apiserver.auth.rbac;

import io.kube4j.api.Role;
import io.kube4j.api.RoleBinding;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;

import java.util.List;

/**
 * How one RBAC rule or subject applies to a request, as Kubernetes'
 * pkg/apis/rbac/v1/evaluation_helpers.go ({@code VerbMatches}, {@code APIGroupMatches},
 * {@code ResourceMatches}, {@code ResourceNameMatches}, {@code NonResourceURLMatches}) and
 * plugin/pkg/auth/authorizer/rbac/rbac.go ({@code RuleAllows}), pkg/registry/rbac/validation/rule.go
 * ({@code appliesToUser}).
 */
public final class RbacRules {
    /** Kubernetes' {@code ServiceAccountUsernamePrefix}. */
    public static final String SERVICE_ACCOUNT_PREFIX = "system:serviceaccount:";

    private RbacRules() {
    }

    /** Kubernetes' {@code RuleAllows}: the rule grants the request. */
    public static boolean allows(RequestAttributes a, Role.PolicyRule rule) {
        if (a.resourceRequest()) {
            String combined = a.subresource().isEmpty() ? a.resource() : a.resource() + "/" + a.subresource();
            return verbMatches(rule, a.verb()) && apiGroupMatches(rule, a.apiGroup())
                    && resourceMatches(rule, combined, a.subresource()) && resourceNameMatches(rule, a.name());
        }
        return verbMatches(rule, a.verb()) && nonResourceURLMatches(rule, a.path());
    }

    /** {@code *} or the verb itself. */
    public static boolean verbMatches(Role.PolicyRule rule, String verb) {
        return contains(rule.verbs, "*") || contains(rule.verbs, verb);
    }

    /** {@code *} or the group itself ("" is the core group). */
    public static boolean apiGroupMatches(Role.PolicyRule rule, String group) {
        return contains(rule.apiGroups, "*") || contains(rule.apiGroups, group);
    }

    /**
     * {@code *}, the exact {@code resource} or {@code resource/subresource}, or {@code *&#47;subresource}
     * for any resource's subresource. {@code pods} does not match {@code pods/status}.
     */
    public static boolean resourceMatches(Role.PolicyRule rule, String combined, String subresource) {
        for (String r : nz(rule.resources)) {
            if (r.equals("*") || r.equals(combined)) return true;
            if (!subresource.isEmpty() && r.length() == subresource.length() + 2 && r.startsWith("*/") && r.endsWith(subresource)) {
                return true;
            }
        }
        return false;
    }

    /** No resourceNames means every name; otherwise the request's name must be one (a list has no name). */
    public static boolean resourceNameMatches(Role.PolicyRule rule, String name) {
        return nz(rule.resourceNames).isEmpty() || contains(rule.resourceNames, name);
    }

    /** {@code *}, the exact path, or a prefix ending in {@code *} ({@code /healthz/*}). */
    public static boolean nonResourceURLMatches(Role.PolicyRule rule, String path) {
        for (String u : nz(rule.nonResourceURLs)) {
            if (u.equals("*") || u.equals(path)) return true;
            if (u.endsWith("*") && path.startsWith(stripTrailingStars(u))) return true;
        }
        return false;
    }

    /**
     * Kubernetes' {@code appliesToUser}: a User by name, a Group by membership, a ServiceAccount by its
     * user name {@code system:serviceaccount:<ns>:<name>}, its namespace defaulting to the binding's.
     */
    public static boolean appliesTo(UserInfo user, RoleBinding.Subject s, String bindingNamespace) {
        if (s == null || s.kind == null || s.name == null) return false;
        return switch (s.kind) {
            case "User" -> user.name().equals(s.name);
            case "Group" -> user.groups().contains(s.name);
            case "ServiceAccount" -> {
                String ns = s.namespace != null && !s.namespace.isEmpty() ? s.namespace : bindingNamespace;
                yield ns != null && !ns.isEmpty() && user.name().equals(SERVICE_ACCOUNT_PREFIX + ns + ":" + s.name);
            }
            default -> false;
        };
    }

    private static String stripTrailingStars(String s) {
        int end = s.length();
        while (end > 0 && s.charAt(end - 1) == '*') end--;
        return s.substring(0, end);
    }

    private static boolean contains(List<String> list, String value) {
        return list != null && list.contains(value);
    }

    private static List<String> nz(List<String> list) {
        return list == null ? List.of() : list;
    }
}
