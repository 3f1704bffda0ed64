package io.kube4j.kubelet.runtime;

/** A runtime operation failed (the daemon refused or could not be reached); the pod worker retries on its next sync. */
public class ContainerRuntimeException extends RuntimeException {
    public ContainerRuntimeException(String message) {
        super(message);
    }

    public ContainerRuntimeException(String message, Throwable cause) {
        super(message, cause);
    }
}
