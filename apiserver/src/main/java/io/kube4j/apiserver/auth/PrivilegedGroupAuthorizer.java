package io.kube4j.apiserver.auth;

/**
 * Allows everything to members of {@code system:masters}, before RBAC is asked, as Kubernetes'
 * {@code authorizerfactory.NewPrivilegedGroups(user.SystemPrivilegedGroup)} in
 * pkg/kubeapiserver/authorizer/config.go: the break-glass group cannot be locked out by RBAC objects.
 */
public final class PrivilegedGroupAuthorizer implements Authorizer {
    @Override
    public Decision authorize(RequestAttributes attributes) {
        UserInfo u = attributes.user();
        if (u != null && u.groups().contains(UserInfo.SYSTEM_MASTERS)) return Decision.allow("");
        return Decision.noOpinion("");
    }
}
