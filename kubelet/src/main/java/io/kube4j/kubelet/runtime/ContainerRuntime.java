package io.kube4j.kubelet.runtime;

import java.io.IOException;
import java.io.OutputStream;
import java.time.Duration;
import java.util.List;

/**
 * What the kubelet needs from a container runtime, shaped like the CRI: pod sandboxes (the shared
 * network namespace of a pod), images, containers, logs and exec. Every sandbox and container carries
 * its pod's identity ({@link PodRef}) and its container name and attempt, so a restarted kubelet can
 * find and adopt what it started before. Implementations only see the containers of their own node.
 */
public interface ContainerRuntime {

    /** The runtime's name and version, e.g. {@code docker 20.10.24}; throws when the runtime is down. */
    RuntimeVersion version();

    // ---- sandboxes ---------------------------------------------------------------------------

    /** Creates and starts a pod sandbox; returns its id. */
    String runPodSandbox(SandboxConfig config);

    /**
     * Tells the runtime the Node's pod CIDR(s), comma-separated ({@code spec.podCIDRs} joined, as Kubernetes'
     * kubelet passes them): Kubernetes' {@code Runtime.UpdatePodCIDR}, which kuberuntime turns into the CRI's
     * {@code UpdateRuntimeConfig} with {@code runtime_config.network_config.pod_cidr} (containerd renders its CNI
     * {@code conf_template} from it). Runtimes that manage no pod network ignore it.
     *
     * @throws ContainerRuntimeException when the runtime refuses it (the kubelet tries again at its next status sync)
     */
    default void updatePodCidr(String podCidr) {
    }

    /** Stops the sandbox (and so the pod's network); idempotent. */
    void stopPodSandbox(String sandboxId);

    /** Removes a stopped sandbox and the pod's scratch volumes; idempotent. */
    void removePodSandbox(String sandboxId);

    /** Every sandbox of this node, ready or not. */
    List<Sandbox> listPodSandboxes();

    /** The sandboxes of one pod. */
    default List<Sandbox> listPodSandboxes(String podUid) {
        return listPodSandboxes().stream().filter(s -> podUid.equals(s.pod().uid())).toList();
    }

    // ---- images ------------------------------------------------------------------------------

    /** Whether the image is present locally. */
    boolean imagePresent(String image);

    /** Pulls the image; throws {@link ImagePullException} with the registry's message when it cannot. */
    void pullImage(String image);

    // ---- containers --------------------------------------------------------------------------

    /**
     * The user image {@code image} runs as (its config's {@code User}, e.g. "", "1000", "1000:1000", "nobody"), as the
     * CRI's ImageStatus tells the kubelet for the runAsNonRoot check. "" is the image's default, root. The default: null,
     * this runtime cannot tell (the fake and process runtimes), and the check is skipped.
     */
    default String imageUser(String image) {
        return null;
    }

    /** Creates (does not start) a container in the sandbox; returns its id. */
    String createContainer(Sandbox sandbox, ContainerConfig config);

    void startContainer(String containerId);

    /** SIGTERM, then SIGKILL when it has not exited after {@code timeout}; idempotent. */
    void stopContainer(String containerId, Duration timeout);

    /** Removes a container (stopping it at once if needed); idempotent. */
    void removeContainer(String containerId);

    /** Every container of this node, running or not. */
    List<ContainerInfo> listContainers();

    /** The containers of one pod, running or not. */
    default List<ContainerInfo> listContainers(String podUid) {
        return listContainers().stream().filter(c -> podUid.equals(c.pod().uid())).toList();
    }

    /** The current state of one container, or null when it no longer exists. */
    ContainerInfo containerStatus(String containerId);

    /** Copies the container's log to {@code out}; with {@code follow}, until the container stops or {@code out} fails. */
    void logs(String containerId, LogOptions options, OutputStream out) throws IOException;

    /** Runs a command in the container (exec probes, preStop hooks). */
    ExecResult exec(String containerId, List<String> command, Duration timeout);

    /**
     * The container's CPU and memory usage now, or null when this runtime cannot measure it (the container
     * is gone, or the runtime has nothing to measure, as the hollow one). Kubernetes: the CRI's
     * {@code ContainerStats}.
     */
    default ContainerUsage containerUsage(String containerId) {
        return null;
    }

    // ---- streaming (kubectl exec, attach, port-forward) -----------------------------------------

    /**
     * Starts {@code command} in the container as an interactive process (the CRI's streaming Exec), with a
     * terminal when {@code tty}. The default: this runtime runs no processes.
     *
     * @throws ContainerRuntimeException when the runtime cannot, with a message for the client
     */
    default StreamingProcess execStreaming(String containerId, List<String> command, boolean tty) {
        throw new ContainerRuntimeException("the " + version().name() + " runtime cannot exec into containers");
    }

    /**
     * Attaches to the container's main process (the CRI's Attach): its output from now on, and its stdin when
     * {@code stdin} (an attach without stdin leaves the container's stdin alone: with {@code stdinOnce} only the
     * closing of an attached stdin closes it).
     *
     * @throws ContainerRuntimeException when the runtime cannot, with a message for the client
     */
    default StreamingProcess attach(String containerId, boolean stdin, boolean tty) {
        throw new ContainerRuntimeException("the " + version().name() + " runtime cannot attach to containers");
    }

    /**
     * Opens a TCP connection to {@code port} inside the pod's network namespace (the CRI's PortForward). The
     * default connects to the sandbox's IP, which the kubelet can reach for the docker and process runtimes.
     *
     * @throws java.io.IOException when nothing accepts on that port
     */
    default java.net.Socket portForward(String podUid, int port) throws IOException {
        if (!podNetworkReachable()) {
            throw new ContainerRuntimeException("the " + version().name() + " runtime has no pod network to forward ports into");
        }
        Sandbox sandbox = listPodSandboxes(podUid).stream().filter(Sandbox::ready).findFirst()
                .orElseThrow(() -> new ContainerRuntimeException("pod sandbox of pod " + podUid + " is not ready"));
        java.net.Socket socket = new java.net.Socket();
        socket.connect(new java.net.InetSocketAddress(sandbox.ip(), port), 5000);
        return socket;
    }

    // ---- events and network -------------------------------------------------------------------

    /**
     * Registers {@code listener}, to be run (on any thread, and quickly) whenever a container of this node
     * may have changed state on its own, e.g. a process exited: the kubelet then relists at once instead
     * of at the end of its relist period (Kubernetes' evented PLEG). The default tells nothing: changes
     * are found by the periodic relist alone.
     */
    default void addContainerEventListener(Runnable listener) {
    }

    /**
     * Whether the kubelet can reach the pod IPs this runtime hands out. False for the hollow runtime's
     * made-up addresses: httpGet, tcpSocket and grpc probes and hooks are then simulated (they succeed)
     * instead of sending packets to addresses nobody owns.
     */
    default boolean podNetworkReachable() {
        return true;
    }
}
