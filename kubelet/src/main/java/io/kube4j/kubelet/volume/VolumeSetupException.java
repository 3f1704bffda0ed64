package io.kube4j.kubelet.volume;

/**
 * A volume cannot be set up now (Kubernetes' {@code MountVolume.SetUp} error): the message is the cause as
 * Kubernetes words it, e.g. {@code configmap "app-config" not found}; the kubelet retries with back-off.
 */
public final class VolumeSetupException extends RuntimeException {
    public VolumeSetupException(String message) {
        super(message);
    }

    public VolumeSetupException(String message, Throwable cause) {
        super(message, cause);
    }
}
