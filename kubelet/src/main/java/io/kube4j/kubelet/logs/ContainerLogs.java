package io.kube4j.kubelet.logs;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.Kubelet;
import io.kube4j.kubelet.Kubelets;
import io.kube4j.kubelet.runtime.ContainerInfo;

import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/** Finds the runtime container whose log {@code /containerLogs/{ns}/{pod}/{container}} asks for. */
public final class ContainerLogs {
    private final Kubelets kubelets;

    public ContainerLogs(Kubelets kubelets) {
        this.kubelets = kubelets;
    }

    /** Where a log is: the kubelet (whose runtime has it) and the container id. */
    public record Location(Kubelet kubelet, String containerId) {
    }

    /**
     * The current instance of the container, or with {@code previous} the one before it.
     *
     * @throws LogNotFoundException with a message for the client when there is none
     */
    public Location locate(String namespace, String podName, String container, boolean previous) {
        Optional<Map.Entry<Kubelet, Pod>> found = kubelets.findPod(namespace, podName);
        if (found.isEmpty()) {
            throw new LogNotFoundException("pod " + namespace + "/" + podName + " is not on this node");
        }
        Kubelet kubelet = found.get().getKey();
        Pod pod = found.get().getValue();
        if (!hasContainerWithName(pod, container)) {
            throw new LogNotFoundException("container " + container + " is not valid for pod " + podName);
        }
        List<ContainerInfo> instances = kubelet.runtime().listContainers(pod.metadata.uid).stream()
                .filter(c -> c.name().equals(container))
                .sorted(Comparator.comparingInt(ContainerInfo::attempt).reversed())
                .toList();
        int index = previous ? 1 : 0;
        if (instances.size() <= index) {
            throw new LogNotFoundException(previous
                    ? "previous terminated container \"" + container + "\" in pod \"" + podName + "\" not found"
                    : "container \"" + container + "\" in pod \"" + podName + "\" is waiting to start");
        }
        return new Location(kubelet, instances.get(index).id());
    }

    /**
     * Whether the pod declares a container of that name among its init, regular or ephemeral containers, as
     * Kubernetes' {@code podHasContainerWithName} (pkg/registry/core/pod/strategy.go) visits all three kinds, so
     * {@code kubectl logs pod -c <ephemeral>} reads a debug container's log.
     */
    static boolean hasContainerWithName(Pod pod, String container) {
        return pod.spec.initContainers.stream().map((Container c) -> c.name).anyMatch(container::equals)
                || pod.spec.containers.stream().map((Container c) -> c.name).anyMatch(container::equals)
                || pod.spec.ephemeralContainers.stream().map((Container c) -> c.name).anyMatch(container::equals);
    }

    /** No such pod, container or instance on this node. */
    public static class LogNotFoundException extends RuntimeException {
        public LogNotFoundException(String message) {
            super(message);
        }
    }
}
