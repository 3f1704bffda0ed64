package io.kube4j.kubelet.pod;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Secret;
import io.kube4j.api.Volume;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.volume.MountedVolume;
import io.kube4j.kubelet.volume.VolumeManager;
import io.kube4j.quantity.Quantity;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;

/**
 * Turns a pod's container spec into a runtime {@link ContainerConfig}, as Kubernetes' {@code generateContainerConfig}
 * and {@code GenerateRunContainerOptions} do: the environment ({@link EnvironmentVariables}: envFrom, env with
 * valueFrom and {@code $(VAR)} expansion, then the provider's Service variables), the mounts ({@code makeMounts}),
 * command and args with {@code $(VAR)} expanded against the final environment, and cpu/memory limits.
 *
 * <p>Mounts: emptyDir (the runtime's scratch volume) and hostPath as given; configMap, secret, downwardAPI,
 * projected and persistentVolumeClaim volumes at the path the {@link VolumeManager} set them up at, read-only
 * where Kubernetes makes them so. A {@code subPath} of an API-data volume is pinned (never updated afterwards,
 * as in Kubernetes); other volume kinds are not supported and not mounted; subPath on emptyDir is not supported.
 *
 * @see ContainerConfigException the CreateContainerConfigError cases
 */
public final class ContainerConfigFactory {
    private final EnvironmentProvider environmentProvider;
    private final EnvironmentVariables environment;
    private final VolumeManager volumes;

    /** Without an apiserver: ConfigMap and Secret references fail, only emptyDir and hostPath volumes mount. */
    public ContainerConfigFactory(EnvironmentProvider environmentProvider) {
        this(environmentProvider, ObjectManager.none("configMap"), ObjectManager.none("secret"), Map::of, null);
    }

    /**
     * @param environmentProvider the Service variables of the pod's namespace
     * @param configMaps          where ConfigMaps are read
     * @param secrets             where Secrets are read
     * @param allocatable         the node's allocatable resources (resourceFieldRef defaults)
     * @param volumes             the node's volume manager; null when only emptyDir and hostPath are mounted
     */
    public ContainerConfigFactory(EnvironmentProvider environmentProvider, ObjectManager<ConfigMap> configMaps, ObjectManager<Secret> secrets,
                                  Supplier<Map<String, Quantity>> allocatable, VolumeManager volumes) {
        this.environmentProvider = environmentProvider;
        this.environment = new EnvironmentVariables(configMaps, secrets, allocatable);
        this.volumes = volumes;
    }

    /**
     * The config of instance {@code attempt} of {@code container}.
     *
     * @param podIp  the pod's IP (null before the sandbox has one)
     * @param hostIp the node's IP
     * @throws ContainerConfigException when the environment or a mount cannot be made (CreateContainerConfigError)
     */
    public ContainerConfig create(Pod pod, Container container, int attempt, String podIp, String hostIp) {
        Map<String, String> env = environment.make(pod, container, environmentProvider.environment(pod, container),
                podIp == null ? List.of() : List.of(podIp), hostIp == null ? List.of() : List.of(hostIp));
        List<Mount> mounts = mounts(pod, container);
        // Kubernetes' ExpandContainerCommandAndArgs: against the container's final environment
        UnaryOperator<String> mapping = Expansion.mappingFor(List.of(env));
        List<String> command = container.command.stream().map(s -> Expansion.expand(s, mapping)).toList();
        List<String> args = container.args.stream().map(s -> Expansion.expand(s, mapping)).toList();
        PodRef ref = new PodRef(pod.metadata.uid, pod.metadata.namespace, pod.metadata.name);
        ContainerConfig.Kind kind = container instanceof io.kube4j.api.EphemeralContainer ? ContainerConfig.Kind.EPHEMERAL
                : !pod.spec.initContainers.contains(container) ? ContainerConfig.Kind.CONTAINER
                : PodActionsPlanner.isSidecar(container) ? ContainerConfig.Kind.SIDECAR : ContainerConfig.Kind.INIT;
        return new ContainerConfig(ref, container.name, attempt, container.image, command, args, container.workingDir, env,
                mounts, limit(container, "cpu", true), limit(container, "memory", false), kind,
                Boolean.TRUE.equals(container.stdin), Boolean.TRUE.equals(container.stdinOnce), Boolean.TRUE.equals(container.tty));
    }

    /** Kubernetes' {@code makeMounts} for the volume kinds kube4j supports. */
    private List<Mount> mounts(Pod pod, Container container) {
        Map<String, MountedVolume> mounted = volumes == null ? Map.of() : volumes.mountedVolumes(pod.metadata.uid);
        List<Mount> mounts = new ArrayList<>();
        for (int i = 0; i < container.volumeMounts.size(); i++) {
            Container.VolumeMount vm = container.volumeMounts.get(i);
            Volume volume = pod.spec.volumes.stream().filter(v -> v.name != null && v.name.equals(vm.name)).findFirst().orElse(null);
            if (volume == null) {
                throw new ContainerConfigException(cannotFind(vm.name, container.name));
            }
            if (vm.mountPath == null) {
                continue;
            }
            String subPath = vm.subPath == null ? "" : vm.subPath;
            if (!subPath.isEmpty()) {
                if (subPath.startsWith("/")) {
                    throw new ContainerConfigException("error SubPath `" + subPath + "` must not be an absolute path");
                }
                if (List.of(subPath.split("/")).contains("..")) {
                    throw new ContainerConfigException("unable to provision SubPath `" + subPath + "`: must not contain '..'");
                }
            }
            boolean readOnly = Boolean.TRUE.equals(vm.readOnly);
            if (volume.hostPath != null && volume.hostPath.path != null) {
                mounts.add(new Mount(volume.name, vm.mountPath, readOnly, subPath(Path.of(volume.hostPath.path), subPath, vm, container).toString()));
            } else if (volume.emptyDir != null) {
                mounts.add(new Mount(volume.name, vm.mountPath, readOnly, null));
            } else if (volume.configMap != null || volume.secret != null || volume.downwardAPI != null || volume.projected != null
                    || volume.persistentVolumeClaim != null) {
                MountedVolume mv = mounted.get(volume.name);
                if (mv == null) {
                    throw new ContainerConfigException(cannotFind(vm.name, container.name));
                }
                Path host = mv.path();
                if (!subPath.isEmpty()) {
                    host = mv.atomic() ? pin(pod, mv, subPath, vm, container, i) : subPath(host, subPath, vm, container);
                }
                mounts.add(new Mount(volume.name, vm.mountPath, readOnly || mv.readOnly(), host.toString()));
            }
            // other volume kinds are not supported by kube4j's kubelet: not mounted
        }
        return mounts;
    }

    private Path pin(Pod pod, MountedVolume mv, String subPath, Container.VolumeMount vm, Container container, int index) {
        try {
            return volumes.pinSubPath(pod.metadata.uid, mv, subPath, container.name, index);
        } catch (IOException e) {
            throw new ContainerConfigException(failedSubPath(vm, container));
        }
    }

    /** A subPath of a live directory (hostPath, a claim's volume): created when missing, as Kubernetes does. */
    private static Path subPath(Path volumePath, String subPath, Container.VolumeMount vm, Container container) {
        if (subPath.isEmpty()) {
            return volumePath;
        }
        Path path = volumePath.resolve(subPath);
        try {
            if (!Files.exists(path)) {
                Files.createDirectories(path);
            }
        } catch (IOException e) {
            throw new ContainerConfigException(failedSubPath(vm, container));
        }
        return path;
    }

    // Kubernetes keeps host details out of this message
    private static String failedSubPath(Container.VolumeMount vm, Container container) {
        return "failed to create subPath directory for volumeMount \"" + vm.name + "\" of container \"" + container.name + "\"";
    }

    private static String cannotFind(String volume, String container) {
        return "cannot find volume \"" + volume + "\" to mount into container \"" + container + "\"";
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

    /** Kubernetes' {@code $(VAR)} expansion against one set of variables (see {@link Expansion}). */
    static String expand(String s, Map<String, String> env) {
        return Expansion.expand(s, Expansion.mappingFor(List.of(env)));
    }
}
