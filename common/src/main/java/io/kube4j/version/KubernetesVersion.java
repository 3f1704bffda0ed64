package io.kube4j.version;

/**
 * The one Kubernetes version every kube4j component reports: the apiserver's {@code /version} and the
 * kubelet's {@code status.nodeInfo.kubeletVersion} and {@code kubeProxyVersion} (on Kubernetes both come from
 * {@code k8s.io/component-base/version.Get()} of the same release, so {@code kubectl get nodes} shows the
 * server's version).
 */
public final class KubernetesVersion {
    /** {@code major} of {@code /version}. */
    public static final String MAJOR = "1";
    /** {@code minor} of {@code /version}: kubectl dispatchers pick their client binary from it. */
    public static final String MINOR = "32";
    /** {@code gitVersion}, semver with a leading v, as client-go parses it. */
    public static final String GIT_VERSION = "v1.32.4";

    private KubernetesVersion() {
    }
}
