package io.kube4j.kubelet.runtime;

import java.util.List;
import java.util.Map;

/**
 * A container to create: the pod's spec resolved into what a runtime needs. {@code command} replaces
 * the image entrypoint and {@code args} its cmd, each only when non-empty. Limits are null when unset.
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
        Long memoryBytes) {
}
