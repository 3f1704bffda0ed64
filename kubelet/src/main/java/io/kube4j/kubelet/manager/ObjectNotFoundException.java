package io.kube4j.kubelet.manager;

/**
 * A ConfigMap or Secret a pod refers to does not exist: Kubernetes' NotFound error as the kubelet's object
 * cache makes it ({@code apierrors.NewNotFound(corev1.Resource("configmap"), name)}), whose message is
 * {@code configmap "name" not found}.
 */
public final class ObjectNotFoundException extends RuntimeException {
    private final String resource;
    private final String name;

    /**
     * @param resource the singular resource as Kubernetes' managers name it: {@code configmap} or {@code secret}
     * @param name     the object's name
     */
    public ObjectNotFoundException(String resource, String name) {
        super(resource + " \"" + name + "\" not found");
        this.resource = resource;
        this.name = name;
    }

    /** {@code configmap} or {@code secret}. */
    public String resource() {
        return resource;
    }

    /** The missing object's name. */
    public String name() {
        return name;
    }
}
