package io.kube4j.apiserver.auth;

import jakarta.servlet.http.HttpServletRequest;

import java.util.List;
import java.util.Map;

/**
 * Who made a request, as Kubernetes' {@code user.Info} (k8s.io/apiserver/pkg/authentication/user):
 * the user name (e.g. {@code system:node:node-1}, {@code system:serviceaccount:default:builder}), a
 * uid (may be empty), the groups (e.g. {@code system:masters}, {@code system:authenticated}) and extra
 * attributes (e.g. {@code authentication.kubernetes.io/pod-name}).
 *
 * <p>The authentication filter puts it on the request under {@link #ATTRIBUTE}; everything after it
 * (authorization, admission, managedFields, SelfSubjectReview) reads it from there with {@link #of}.
 *
 * @param name   the user name, never null
 * @param uid    the user's uid, "" when the authenticator has none
 * @param groups the groups, in the authenticator's order, never null
 * @param extra  extra attributes, never null
 */
public record UserInfo(String name, String uid, List<String> groups, Map<String, List<String>> extra) {
    /** The request attribute that holds the authenticated {@link UserInfo}. */
    public static final String ATTRIBUTE = UserInfo.class.getName();
    /** Kubernetes' {@code user.Anonymous}. */
    public static final String ANONYMOUS = "system:anonymous";
    /** Kubernetes' {@code user.AllUnauthenticated}. */
    public static final String ALL_UNAUTHENTICATED = "system:unauthenticated";
    /** Kubernetes' {@code user.AllAuthenticated}. */
    public static final String ALL_AUTHENTICATED = "system:authenticated";
    /** Kubernetes' {@code user.SystemPrivilegedGroup}: RBAC's cluster-admin is bound to it. */
    public static final String SYSTEM_MASTERS = "system:masters";

    public UserInfo {
        uid = uid == null ? "" : uid;
        groups = groups == null ? List.of() : List.copyOf(groups);
        extra = extra == null ? Map.of() : Map.copyOf(extra);
    }

    /** The anonymous user Kubernetes' anonymous authenticator gives requests without credentials. */
    public static UserInfo anonymous() {
        return new UserInfo(ANONYMOUS, "", List.of(ALL_UNAUTHENTICATED), Map.of());
    }

    /**
     * The user a request was authenticated as, or null when no authentication filter ran (security
     * off: every request is allowed, as Kubernetes' old insecure port).
     */
    public static UserInfo of(HttpServletRequest request) {
        return request.getAttribute(ATTRIBUTE) instanceof UserInfo u ? u : null;
    }
}
