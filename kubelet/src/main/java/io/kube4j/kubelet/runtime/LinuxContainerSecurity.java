package io.kube4j.kubelet.runtime;

import java.util.List;

/**
 * A container's effective Linux security settings, as the CRI's {@code LinuxContainerSecurityContext} carries them
 * to a runtime (kubelet's {@code determineEffectiveSecurityContext}, {@code kuberuntime/security_context.go}).
 *
 * @param runAsUser          the uid to run as; null leaves the image's user (or, with {@code runAsUsername}, that name)
 * @param runAsUsername      the image's non-numeric user when {@code runAsUser} is null and a group is asked for; null otherwise
 * @param runAsGroup         the primary gid; null leaves the user's own
 * @param supplementalGroups extra gids: the pod's fsGroup first, then its supplementalGroups (Kubernetes' order)
 * @param addCapabilities    capability names as the pod gives them ("NET_ADMIN", "ALL")
 * @param dropCapabilities   capability names to drop
 * @param privileged         a privileged container
 * @param readonlyRootfs     the root filesystem mounted read-only
 * @param noNewPrivs         the no_new_privs bit set (allowPrivilegeEscalation: false)
 * @param seccompProfile     the CRI's seccomp profile string: "runtime/default", "unconfined" or "localhost/&lt;path&gt;"
 */
public record LinuxContainerSecurity(
        Long runAsUser,
        String runAsUsername,
        Long runAsGroup,
        List<Long> supplementalGroups,
        List<String> addCapabilities,
        List<String> dropCapabilities,
        boolean privileged,
        boolean readonlyRootfs,
        boolean noNewPrivs,
        String seccompProfile) {

    /** Kubernetes' seccomp profile names (the CRI's {@code SecurityProfile} as a string). */
    public static final String SECCOMP_RUNTIME_DEFAULT = "runtime/default";
    public static final String SECCOMP_UNCONFINED = "unconfined";
    public static final String SECCOMP_LOCALHOST_PREFIX = "localhost/";

    /**
     * A pod and container without a security context: the image's user, the runtime's default capabilities, and
     * seccomp unconfined, as Kubernetes' kubelet with seccompDefault off (its default) asks for.
     */
    public static final LinuxContainerSecurity NONE = new LinuxContainerSecurity(null, null, null, List.of(), List.of(), List.of(),
            false, false, false, SECCOMP_UNCONFINED);
}
