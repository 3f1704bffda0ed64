package io.kube4j.api;

/**
 * A container added to a running pod through {@code pods/{name}/ephemeralcontainers} (kubectl debug): the fields
 * of a {@link Container} (validation forbids ports, probes, resources and lifecycle), never restarted, plus
 * {@code targetContainerName}, the container whose process namespace it joins. Kubernetes' {@code v1.EphemeralContainer}.
 */
public class EphemeralContainer extends Container {
    /** The name of a (non-ephemeral) container of the pod whose PID namespace this one shares; null for the pod's own. */
    public String targetContainerName;
}
