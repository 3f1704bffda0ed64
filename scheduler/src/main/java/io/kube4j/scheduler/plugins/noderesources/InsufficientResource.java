package io.kube4j.scheduler.plugins.noderesources;

/**
 * A resource a node lacks for a pod, as numbers (cpu in millicores, memory in bytes, pods as a count),
 * so the "Insufficient cpu" reason is built from data rather than typed.
 */
public record InsufficientResource(String resource, long requested, long used, long capacity) {
    /** The reason as Kubernetes words it. */
    public String reason() {
        return "pods".equals(resource) ? "Too many pods" : "Insufficient " + resource;
    }
}
