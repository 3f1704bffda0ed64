package io.kube4j.kubelet.streaming;

import io.kube4j.api.Pod;
import io.kube4j.kubelet.Kubelet;
import io.kube4j.kubelet.Kubelets;
import io.kube4j.kubelet.runtime.ContainerInfo;

import java.util.Comparator;
import java.util.Map;
import java.util.Optional;

/**
 * The pod (and container) a streaming request names, found among this process's kubelets: what the
 * kubelet's {@code server.go} getExec/getAttach/getPortForward resolve before handing over to the runtime.
 *
 * @param kubelet     the kubelet whose runtime runs the pod
 * @param pod         the pod
 * @param containerId the running container's runtime id (null for port-forward)
 */
record StreamingTarget(Kubelet kubelet, Pod pod, String containerId) {

    /** Thrown with the message the client sees (as Kubernetes' kubelet words it) when there is no such pod or container. */
    static final class NotFound extends RuntimeException {
        NotFound(String message) {
            super(message);
        }
    }

    static StreamingTarget pod(Kubelets kubelets, String namespace, String name) {
        Optional<Map.Entry<Kubelet, Pod>> found = kubelets.findPod(namespace, name);
        if (found.isEmpty()) {
            throw new NotFound("pod does not exist");
        }
        return new StreamingTarget(found.get().getKey(), found.get().getValue(), null);
    }

    static StreamingTarget container(Kubelets kubelets, String namespace, String name, String container) {
        StreamingTarget pod = pod(kubelets, namespace, name);
        String id = pod.kubelet().runtime().listContainers(pod.pod().metadata.uid).stream()
                .filter(c -> c.name().equals(container) && c.running())
                .max(Comparator.comparingInt(ContainerInfo::attempt))
                .map(ContainerInfo::id)
                .orElseThrow(() -> new NotFound("container not found (\"" + container + "\")"));
        return new StreamingTarget(pod.kubelet(), pod.pod(), id);
    }
}
