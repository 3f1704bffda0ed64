package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.PodSecurityContext;
import io.kube4j.api.SecurityContext;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Function;

/**
 * A container's effective security context and what the runtime is asked for, as Kubernetes' kubelet does:
 * {@code securitycontext.DetermineEffectiveSecurityContext} and {@code AddNoNewPrivileges} ({@code pkg/securitycontext/util.go}),
 * {@code determineEffectiveSecurityContext} and {@code getSeccompProfile} ({@code pkg/kubelet/kuberuntime/security_context.go},
 * {@code helpers.go}), {@code verifyRunAsNonRoot} ({@code security_context_others.go}).
 */
public final class SecurityContexts {
    private SecurityContexts() {
    }

    /**
     * The container's security context over the pod's: the pod gives seLinuxOptions, windowsOptions, runAsUser,
     * runAsGroup, runAsNonRoot, seccompProfile and appArmorProfile; each field the container sets wins. Null when
     * neither sets one. A new object: the pod is not changed.
     */
    public static SecurityContext effective(Pod pod, Container container) {
        PodSecurityContext psc = pod.spec.securityContext;
        SecurityContext csc = container.securityContext;
        if (psc == null && csc == null) {
            return null;
        }
        SecurityContext e = new SecurityContext();
        if (psc != null) {
            e.seLinuxOptions = psc.seLinuxOptions;
            e.windowsOptions = psc.windowsOptions;
            e.runAsUser = psc.runAsUser;
            e.runAsGroup = psc.runAsGroup;
            e.runAsNonRoot = psc.runAsNonRoot;
            e.seccompProfile = psc.seccompProfile;
            e.appArmorProfile = psc.appArmorProfile;
        }
        if (csc == null) {
            return e;
        }
        if (csc.seLinuxOptions != null) e.seLinuxOptions = csc.seLinuxOptions;
        if (csc.windowsOptions != null) e.windowsOptions = csc.windowsOptions;
        if (csc.capabilities != null) e.capabilities = csc.capabilities;
        if (csc.privileged != null) e.privileged = csc.privileged;
        if (csc.runAsUser != null) e.runAsUser = csc.runAsUser;
        if (csc.runAsGroup != null) e.runAsGroup = csc.runAsGroup;
        if (csc.runAsNonRoot != null) e.runAsNonRoot = csc.runAsNonRoot;
        if (csc.readOnlyRootFilesystem != null) e.readOnlyRootFilesystem = csc.readOnlyRootFilesystem;
        if (csc.allowPrivilegeEscalation != null) e.allowPrivilegeEscalation = csc.allowPrivilegeEscalation;
        if (csc.procMount != null) e.procMount = csc.procMount;
        if (csc.seccompProfile != null) e.seccompProfile = csc.seccompProfile;
        if (csc.appArmorProfile != null) e.appArmorProfile = csc.appArmorProfile;
        return e;
    }

    /**
     * Kubernetes' {@code AddNoNewPrivileges}: only an explicit {@code allowPrivilegeEscalation: false} sets no_new_privs
     * (unset means allowed; validation refuses false together with privileged or CAP_SYS_ADMIN).
     */
    public static boolean addNoNewPrivileges(SecurityContext sc) {
        return sc != null && sc.allowPrivilegeEscalation != null && !sc.allowPrivilegeEscalation;
    }

    /**
     * What the runtime runs {@code container} with. {@code imageUser} answers the image's config User ("" for root,
     * null when the runtime cannot tell) and is asked only when the effective runAsUser is unset and runAsNonRoot or
     * runAsGroup needs it.
     *
     * @throws ContainerConfigException with Kubernetes' message when runAsNonRoot cannot be honoured (CreateContainerConfigError)
     */
    public static LinuxContainerSecurity forContainer(Pod pod, Container container, Function<String, String> imageUser) {
        SecurityContext sc = effective(pod, container);
        Long uid = null;
        String username = null;
        boolean imageUserKnown = false;
        if (sc != null && sc.runAsUser == null && (Boolean.TRUE.equals(sc.runAsNonRoot) || sc.runAsGroup != null)) {
            String user = imageUser.apply(container.image);
            if (user != null) {
                imageUserKnown = true;
                // the CRI's ImageStatus (cri-dockerd getUserFromImageUser): the group part dropped, a number is a uid, else a name;
                // the kubelet's getImageUser treats an image without a user as root
                String u = user.split(":", -1)[0];
                if (u.isEmpty()) {
                    uid = 0L;
                } else {
                    try {
                        uid = Long.parseLong(u);
                    } catch (NumberFormatException e) {
                        username = u;
                    }
                }
            }
        }
        if (imageUserKnown || (sc != null && sc.runAsUser != null)) {
            verifyRunAsNonRoot(pod, container, sc, uid, username);
        }
        if (sc == null) {
            return LinuxContainerSecurity.NONE;
        }
        Long runAsUser = sc.runAsUser != null ? sc.runAsUser : uid;
        List<Long> groups = new ArrayList<>();
        PodSecurityContext psc = pod.spec.securityContext;
        if (psc != null) {
            if (psc.fsGroup != null) {
                groups.add(psc.fsGroup);
            }
            if (psc.supplementalGroups != null) {
                groups.addAll(psc.supplementalGroups);
            }
        }
        List<String> add = sc.capabilities == null || sc.capabilities.add == null ? List.of() : List.copyOf(sc.capabilities.add);
        List<String> drop = sc.capabilities == null || sc.capabilities.drop == null ? List.of() : List.copyOf(sc.capabilities.drop);
        return new LinuxContainerSecurity(runAsUser, sc.runAsUser == null ? username : null, sc.runAsGroup, List.copyOf(groups), add, drop,
                Boolean.TRUE.equals(sc.privileged), Boolean.TRUE.equals(sc.readOnlyRootFilesystem), addNoNewPrivileges(sc),
                seccompProfile(sc.seccompProfile));
    }

    /**
     * Kubernetes' {@code getSeccompProfile} with the kubelet's seccompDefault off (its default): no profile is
     * "unconfined", RuntimeDefault "runtime/default", Localhost "localhost/&lt;localhostProfile&gt;" (relative to the
     * kubelet's seccomp directory).
     */
    static String seccompProfile(SecurityContext.SeccompProfile p) {
        if (p == null || p.type == null) {
            return LinuxContainerSecurity.SECCOMP_UNCONFINED;
        }
        return switch (p.type) {
            case "RuntimeDefault" -> LinuxContainerSecurity.SECCOMP_RUNTIME_DEFAULT;
            case "Localhost" -> LinuxContainerSecurity.SECCOMP_LOCALHOST_PREFIX + (p.localhostProfile == null ? "" : p.localhostProfile);
            default -> LinuxContainerSecurity.SECCOMP_UNCONFINED;
        };
    }

    /** Kubernetes' {@code verifyRunAsNonRoot} (1.32, {@code security_context_others.go}) with its messages. */
    private static void verifyRunAsNonRoot(Pod pod, Container container, SecurityContext sc, Long uid, String username) {
        if (sc == null || !Boolean.TRUE.equals(sc.runAsNonRoot)) {
            return;
        }
        String where = "(pod: \"" + pod.metadata.name + "_" + pod.metadata.namespace + "(" + pod.metadata.uid + ")\", container: " + container.name + ")";
        if (sc.runAsUser != null) {
            if (sc.runAsUser == 0) {
                throw new ContainerConfigException("container's runAsUser breaks non-root policy " + where);
            }
            return;
        }
        if (uid == null && username != null && !username.isEmpty()) {
            throw new ContainerConfigException("container has runAsNonRoot and image has non-numeric user (" + username
                    + "), cannot verify user is non-root " + where);
        }
        if (uid != null) {
            if (uid == 0) {
                throw new ContainerConfigException("container has runAsNonRoot and image will run as root " + where);
            }
            if (uid < 0 || uid > Integer.MAX_VALUE) {
                // validation.IsValidUserID: 0 through 2147483647
                throw new ContainerConfigException("container has runAsNonRoot and image has an invalid user id (" + uid + "). (Must be 1-("
                        + Integer.MAX_VALUE + ")): must be between 0 and 2147483647, inclusive " + where);
            }
        }
    }
}
