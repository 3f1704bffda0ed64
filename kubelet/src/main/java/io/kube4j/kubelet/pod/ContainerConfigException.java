package io.kube4j.kubelet.pod;

/**
 * A container's config cannot be generated (Kubernetes' {@code ErrCreateContainerConfig}): a ConfigMap, Secret
 * or key it needs is missing, a downward API field cannot be read, a volume it mounts is not set up. The
 * container then waits with reason {@code CreateContainerConfigError} and this message, and the kubelet
 * tries again at the next sync.
 */
public final class ContainerConfigException extends RuntimeException {
    public ContainerConfigException(String message) {
        super(message);
    }
}
