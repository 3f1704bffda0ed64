package io.kube4j.kubelet.runtime;

/**
 * What a pod sandbox needs: whose it is, which attempt, its hostname, and whether any of the pod's containers is
 * privileged (the CRI's sandbox {@code privileged}, Kubernetes' {@code HasPrivilegedContainer}: a CRI runtime such as
 * containerd refuses a privileged container in a sandbox that is not).
 */
public record SandboxConfig(PodRef pod, int attempt, String hostname, boolean privileged) {

    /** A sandbox without privileged containers. */
    public SandboxConfig(PodRef pod, int attempt, String hostname) {
        this(pod, attempt, hostname, false);
    }
}
