package io.kube4j.kubelet.runtime;

import java.util.List;
import java.util.Map;

/**
 * A container to create: the pod's spec resolved into what a runtime needs. {@code command} replaces
 * the image entrypoint and {@code args} its cmd, each only when non-empty. Limits are null when unset.
 * {@code kind} tells a regular container from an init container and a sidecar (the hollow runtime
 * needs it to make command-less init containers complete). {@code stdin}, {@code stdinOnce} and {@code tty}
 * are the container's own fields (the CRI's ContainerConfig carries them the same way). {@code targetContainerId}
 * is, for an ephemeral container with a {@code targetContainerName}, the runtime id of that container's running
 * instance, whose PID namespace it joins (the CRI's NamespaceOption pid TARGET); null otherwise. {@code security} is the
 * container's effective security context ({@link LinuxContainerSecurity#NONE} when the pod asks for nothing).
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
        boolean tty,
        String targetContainerId,
        LinuxContainerSecurity security) {

    /** With the runtime's default security settings. */
    public ContainerConfig(PodRef pod, String name, int attempt, String image, List<String> command, List<String> args, String workingDir,
                           Map<String, String> env, List<Mount> mounts, Long cpuMillis, Long memoryBytes, Kind kind,
                           boolean stdin, boolean stdinOnce, boolean tty, String targetContainerId) {
        this(pod, name, attempt, image, command, args, workingDir, env, mounts, cpuMillis, memoryBytes, kind, stdin, stdinOnce, tty,
                targetContainerId, LinuxContainerSecurity.NONE);
    }

    /** What part of the pod a container is. */
    public enum Kind { CONTAINER, INIT, SIDECAR, EPHEMERAL }

    /** Without a target container. */
    public ContainerConfig(PodRef pod, String name, int attempt, String image, List<String> command, List<String> args, String workingDir,
                           Map<String, String> env, List<Mount> mounts, Long cpuMillis, Long memoryBytes, Kind kind,
                           boolean stdin, boolean stdinOnce, boolean tty) {
        this(pod, name, attempt, image, command, args, workingDir, env, mounts, cpuMillis, memoryBytes, kind, stdin, stdinOnce, tty, null);
    }

    /** This config sharing the PID namespace of the runtime's container {@code id}. */
    public ContainerConfig withTargetContainerId(String id) {
        return new ContainerConfig(pod, name, attempt, image, command, args, workingDir, env, mounts, cpuMillis, memoryBytes, kind,
                stdin, stdinOnce, tty, id, security);
    }

    /** This config with the effective security context {@code s}. */
    public ContainerConfig withSecurity(LinuxContainerSecurity s) {
        return new ContainerConfig(pod, name, attempt, image, command, args, workingDir, env, mounts, cpuMillis, memoryBytes, kind,
                stdin, stdinOnce, tty, targetContainerId, s);
    }

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
