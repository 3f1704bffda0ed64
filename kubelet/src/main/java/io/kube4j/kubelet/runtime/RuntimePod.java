package io.kube4j.kubelet.runtime;

import java.util.Comparator;
import java.util.List;

/**
 * What the runtime has for one pod at one relist: its sandboxes and every container instance, running or
 * not (Kubernetes' {@code kubecontainer.PodStatus}). Instances of one container are told apart by their
 * attempt; the latest is the highest attempt. Immutable.
 *
 * @param uid        the pod's uid
 * @param sandboxes  every sandbox of the pod, ready or not
 * @param containers every container instance of the pod
 */
public record RuntimePod(String uid, List<Sandbox> sandboxes, List<ContainerInfo> containers) {

    public RuntimePod {
        sandboxes = List.copyOf(sandboxes);
        containers = List.copyOf(containers);
    }

    /** A pod the runtime knows nothing of. */
    public static RuntimePod empty(String uid) {
        return new RuntimePod(uid, List.of(), List.of());
    }

    /** The instances of container {@code name}, latest (highest attempt) first. */
    public List<ContainerInfo> instances(String name) {
        return containers.stream().filter(c -> c.name().equals(name))
                .sorted(Comparator.comparingInt(ContainerInfo::attempt).reversed()).toList();
    }

    /** The latest instance of container {@code name} (Kubernetes' FindContainerStatusByName), or null. */
    public ContainerInfo latest(String name) {
        List<ContainerInfo> all = instances(name);
        return all.isEmpty() ? null : all.get(0);
    }

    /** The ready sandbox with the highest attempt, or null when there is none (a new one is needed). */
    public Sandbox readySandbox() {
        return sandboxes.stream().filter(Sandbox::ready).max(Comparator.comparingInt(Sandbox::attempt)).orElse(null);
    }

    /** The highest sandbox attempt so far, -1 when there was none. */
    public int lastSandboxAttempt() {
        return sandboxes.stream().mapToInt(Sandbox::attempt).max().orElse(-1);
    }

    /** The running container instances. */
    public List<ContainerInfo> running() {
        return containers.stream().filter(ContainerInfo::running).toList();
    }

    /** Whether nothing of the pod is running or ready any more. */
    public boolean stopped() {
        return containers.stream().noneMatch(c -> c.running() || c.state() == ContainerInfo.State.CREATED)
                && sandboxes.stream().noneMatch(Sandbox::ready);
    }
}
