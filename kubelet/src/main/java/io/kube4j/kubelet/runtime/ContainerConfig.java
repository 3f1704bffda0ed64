package io.kube4j.kubelet.runtime;

import java.util.List;
import java.util.Map;

/**
 * A container to create: the pod's spec resolved into what a runtime needs. {@code command} replaces
 * the image entrypoint and {@code args} its cmd, each only when non-empty. Limits are null when unset.
 * {@code kind} tells a regular container from an init container and a sidecar (the hollow runtime
 * needs it to make command-less init containers complete). {@code stdin}, {@code stdinOnce} and {@code tty}
 * are the container's own fields (the CRI's ContainerConfig carries them the same way).
 */
public record ContainerConfig(
        PodRef pod,
        String name,
        int attempt,
        String image,
        List<String> command,
        List<String> args,
        String workingDir,
        Map<String, String> env,
        List<Mount> mounts,
        Long cpuMillis,
        Long memoryBytes,
        Kind kind,
        boolean stdin,
        boolean stdinOnce,
        boolean tty) {

    /** What part of the pod a container is. */
    public enum Kind { CONTAINER, INIT, SIDECAR }

    /** Without stdin or a terminal. */
    public ContainerConfig(PodRef pod, String name, int attempt, String image, List<String> command, List<String> args, String workingDir,
                           Map<String, String> env, List<Mount> mounts, Long cpuMillis, Long memoryBytes, Kind kind) {
        this(pod, name, attempt, image, command, args, workingDir, env, mounts, cpuMillis, memoryBytes, kind, false, false, false);
    }

    /** A regular container. */
    public ContainerConfig(PodRef pod, String name, int attempt, String image, List<String> command, List<String> args, String workingDir,
                           Map<String, String> env, List<Mount> mounts, Long cpuMillis, Long memoryBytes) {
        this(pod, name, attempt, image, command, args, workingDir, env, mounts, cpuMillis, memoryBytes, Kind.CONTAINER);
    }
}
