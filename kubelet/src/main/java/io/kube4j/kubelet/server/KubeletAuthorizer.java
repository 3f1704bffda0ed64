package io.kube4j.kubelet.server;

/**
 * Decides a request to the kubelet's API (Kubernetes' {@code authorizer.Authorizer} as the kubelet builds it in
 * {@code cmd/kubelet/app/auth.go BuildAuthz}: {@code AlwaysAllow} or {@code Webhook}).
 */
@FunctionalInterface
public interface KubeletAuthorizer {
    /** Kubernetes' {@code --authorization-mode=AlwaysAllow}, the kubelet's default. */
    KubeletAuthorizer ALWAYS_ALLOW = attributes -> true;

    /**
     * @return true to allow
     * @throws RuntimeException when no decision could be made (the kubelet answers 500 "Authorization error ...")
     */
    boolean authorize(RequestAttributes attributes);
}
