package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Volume;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Turns a pod's container spec into a runtime {@link ContainerConfig}: environment (provider first,
 * then the container's own, with {@code fieldRef} values and {@code $(VAR)} references resolved),
 * command and args (with {@code $(VAR)} expanded), volume mounts (emptyDir and hostPath; other volume
 * sources are not supported and skipped) and cpu/memory limits.
 */
public final class ContainerConfigFactory {
    private final EnvironmentProvider environmentProvider;

    public ContainerConfigFactory(EnvironmentProvider environmentProvider) {
        this.environmentProvider = environmentProvider;
    }

    public ContainerConfig create(Pod pod, Container container, int attempt, String podIp, String hostIp) {
        Map<String, String> env = new LinkedHashMap<>(environmentProvider.environment(pod, container));
        for (Container.EnvVar var : container.env) {
            if (var.name == null) {
                continue;
            }
            String value = var.value != null ? expand(var.value, env) : fieldRef(var, pod, podIp, hostIp);
            env.put(var.name, value == null ? "" : value);
        }
        List<String> command = container.command.stream().map(s -> expand(s, env)).toList();
        List<String> args = container.args.stream().map(s -> expand(s, env)).toList();
        PodRef ref = new PodRef(pod.metadata.uid, pod.metadata.namespace, pod.metadata.name);
        ContainerConfig.Kind kind = !pod.spec.initContainers.contains(container) ? ContainerConfig.Kind.CONTAINER
                : PodActionsPlanner.isSidecar(container) ? ContainerConfig.Kind.SIDECAR : ContainerConfig.Kind.INIT;
        return new ContainerConfig(ref, container.name, attempt, container.image, command, args, container.workingDir, env,
                mounts(pod, container), limit(container, "cpu", true), limit(container, "memory", false), kind);
    }

    private static List<Mount> mounts(Pod pod, Container container) {
        List<Mount> mounts = new ArrayList<>();
        for (Container.VolumeMount vm : container.volumeMounts) {
            Volume volume = pod.spec.volumes.stream().filter(v -> v.name != null && v.name.equals(vm.name)).findFirst().orElse(null);
            if (volume == null || vm.mountPath == null) {
                continue;
            }
            boolean ro = Boolean.TRUE.equals(vm.readOnly);
            if (volume.hostPath != null && volume.hostPath.path != null) {
                mounts.add(new Mount(volume.name, vm.mountPath, ro, volume.hostPath.path));
            } else if (volume.emptyDir != null) {
                mounts.add(new Mount(volume.name, vm.mountPath, ro, null));
            }
        }
        return mounts;
    }

    private static Long limit(Container container, String resource, boolean milli) {
        if (container.resources == null || container.resources.limits == null) {
            return null;
        }
        Quantity q = container.resources.limits.get(resource);
        if (q == null) {
            return null;
        }
        return milli ? q.milliValue() : q.value();
    }

    // the downward API fields a container most often asks for
    private static String fieldRef(Container.EnvVar var, Pod pod, String podIp, String hostIp) {
        if (var.valueFrom == null || !(var.valueFrom.get("fieldRef") instanceof Map<?, ?> ref)) {
            return null;
        }
        Object path = ref.get("fieldPath");
        return switch (String.valueOf(path)) {
            case "metadata.name" -> pod.metadata.name;
            case "metadata.namespace" -> pod.metadata.namespace;
            case "metadata.uid" -> pod.metadata.uid;
            case "spec.nodeName" -> pod.spec.nodeName;
            case "spec.serviceAccountName" -> pod.spec.serviceAccountName;
            case "status.podIP" -> podIp;
            case "status.hostIP" -> hostIp;
            default -> null;
        };
    }

    /** Kubernetes' {@code $(VAR)} expansion: defined variables are replaced, {@code $$} escapes, the rest stays. */
    static String expand(String s, Map<String, String> env) {
        if (s == null || !s.contains("$")) {
            return s;
        }
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '$' && i + 1 < s.length()) {
                char next = s.charAt(i + 1);
                if (next == '$') {
                    out.append('$');
                    i++;
                    continue;
                }
                if (next == '(') {
                    int close = s.indexOf(')', i + 2);
                    if (close > 0) {
                        String name = s.substring(i + 2, close);
                        String value = env.get(name);
                        if (value != null) {
                            out.append(value);
                            i = close;
                            continue;
                        }
                    }
                }
            }
            out.append(c);
        }
        return out.toString();
    }
}
