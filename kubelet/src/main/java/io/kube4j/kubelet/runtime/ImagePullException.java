package io.kube4j.kubelet.runtime;

/** An image could not be pulled; the message is the registry's (or daemon's) and ends up in the pod's status. */
public class ImagePullException extends RuntimeException {
    public ImagePullException(String message) {
        super(message);
    }
}
