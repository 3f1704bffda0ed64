package io.kube4j.kubelet.server;

import java.util.List;

/**
 * Who made a request to the kubelet's API (Kubernetes' {@code user.Info}): a name and groups.
 *
 * @param name   e.g. {@code kube-apiserver-kubelet-client}, or {@code system:anonymous}
 * @param groups e.g. {@code [system:masters, system:authenticated]}
 */
public record User(String name, List<String> groups) {
    /** Kubernetes' anonymous user ({@code k8s.io/apiserver/pkg/authentication/request/anonymous}). */
    public static final User ANONYMOUS = new User("system:anonymous", List.of("system:unauthenticated"));

    public User {
        groups = List.copyOf(groups);
    }
}
