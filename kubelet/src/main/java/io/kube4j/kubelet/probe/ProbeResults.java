package io.kube4j.kubelet.probe;

/**
 * The latest verdict of each probe of each container instance, by container id (Kubernetes'
 * {@code prober/results.Manager}, one per probe type). What the planner and the status generator read;
 * a map-backed one makes plan tests pure.
 */
public interface ProbeResults {

    /** A probe's verdict; UNKNOWN until it has one (or when the container has no such probe). */
    enum Result { UNKNOWN, SUCCESS, FAILURE }

    /** The verdict of {@code type} for container instance {@code containerId}. */
    Result get(ProbeType type, String containerId);

    /** No probe has a verdict: what a pod without probes (or before any ran) has. */
    ProbeResults NONE = (type, id) -> Result.UNKNOWN;
}
