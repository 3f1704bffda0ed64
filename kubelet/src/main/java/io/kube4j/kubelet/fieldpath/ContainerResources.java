package io.kube4j.kubelet.fieldpath;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.ResourceFieldSelector;
import io.kube4j.api.ResourceRequirements;
import io.kube4j.json.Json;
import io.kube4j.quantity.Quantity;

import java.util.List;
import java.util.Map;

/**
 * A container's requests and limits as the downward API shows them ({@code resourceFieldRef} of env vars
 * and volume files): Kubernetes' {@code ExtractContainerResourceValue}, {@code ExtractResourceValueByContainerName}
 * and {@code MergeContainerResourceLimits} ({@code pkg/api/v1/resource/helpers.go}). A limit the container
 * does not set is the node's allocatable amount.
 */
public final class ContainerResources {
    // hugepages are never overcommitted, so they are left out (Kubernetes: a container always has their limit)
    private static final List<String> DEFAULTED_LIMITS = List.of("cpu", "memory", "ephemeral-storage");

    private ContainerResources() {
    }

    /**
     * An env var's {@code resourceFieldRef}: the value of {@code fs.resource} for {@code container} itself, or for
     * the container of {@code pod} the selector names, with unset limits of the pod's regular containers (and of
     * {@code container}) defaulted to {@code allocatable} (Kubernetes' {@code defaultPodLimitsForDownwardAPI},
     * then {@code containerResourceRuntimeValue}).
     *
     * @throws IllegalArgumentException {@code container x not found}, {@code unsupported container resource : x}
     */
    public static String forEnv(ResourceFieldSelector fs, Pod pod, Container container, Map<String, Quantity> allocatable) {
        if (fs.containerName == null || fs.containerName.isEmpty()) {
            return extract(fs, withDefaultLimits(container, allocatable));
        }
        Container named = find(pod, fs.containerName);
        boolean regular = pod.spec.containers.stream().anyMatch(c -> fs.containerName.equals(c.name));
        return extract(fs, regular ? withDefaultLimits(named, allocatable) : named);
    }

    /**
     * A downward API volume file's {@code resourceFieldRef}: the value for the container the selector names,
     * its unset limits defaulted to {@code allocatable} (Kubernetes' {@code ExtractResourceValueByContainerNameAndNodeAllocatable}).
     *
     * @throws IllegalArgumentException {@code container x not found}, {@code unsupported container resource : x}
     */
    public static String forVolume(ResourceFieldSelector fs, Pod pod, Map<String, Quantity> allocatable) {
        return extract(fs, withDefaultLimits(find(pod, fs.containerName == null ? "" : fs.containerName), allocatable));
    }

    /** Kubernetes' {@code findContainerInPod}: containers first, then init containers. */
    private static Container find(Pod pod, String name) {
        for (Container c : pod.spec.containers) {
            if (name.equals(c.name)) {
                return c;
            }
        }
        for (Container c : pod.spec.initContainers) {
            if (name.equals(c.name)) {
                return c;
            }
        }
        throw new IllegalArgumentException("container " + name + " not found");
    }

    /**
     * Kubernetes' {@code MergeContainerResourceLimits} on a copy: cpu, memory and ephemeral-storage limits that
     * are unset or zero become the node's allocatable amount (when the node reports one).
     */
    public static Container withDefaultLimits(Container container, Map<String, Quantity> allocatable) {
        Container copy = Json.copy(container);
        if (copy.resources == null) {
            copy.resources = new ResourceRequirements();
        }
        for (String resource : DEFAULTED_LIMITS) {
            Quantity limit = copy.resources.limits.get(resource);
            Quantity node = allocatable == null ? null : allocatable.get(resource);
            if ((limit == null || limit.isZero()) && node != null) {
                copy.resources.limits.put(resource, node);
            }
        }
        return copy;
    }

    /**
     * Kubernetes' {@code ExtractContainerResourceValue}: {@code limits.cpu} / {@code requests.cpu} in units of the
     * divisor (default 1), rounded up from millicores; memory, ephemeral-storage and hugepages-* in units of the
     * divisor, rounded up from bytes. An unset value is 0.
     */
    public static String extract(ResourceFieldSelector fs, Container container) {
        Quantity divisor = fs.divisor == null || fs.divisor.isZero() ? Quantity.of(1) : fs.divisor;
        String resource = fs.resource == null ? "" : fs.resource;
        int dot = resource.indexOf('.');
        String section = dot < 0 ? "" : resource.substring(0, dot);
        String name = dot < 0 ? "" : resource.substring(dot + 1);
        ResourceRequirements r = container.resources == null ? new ResourceRequirements() : container.resources;
        Map<String, Quantity> values = switch (section) {
            case "limits" -> r.limits;
            case "requests" -> r.requests;
            default -> null;
        };
        if (values != null) {
            Quantity q = values.get(name);
            if (name.equals("cpu")) {
                long milli = q == null ? 0 : q.milliValue();
                return Long.toString((long) Math.ceil((double) milli / (double) divisor.milliValue()));
            }
            if (name.equals("memory") || name.equals("ephemeral-storage") || name.startsWith("hugepages-")) {
                long bytes = q == null ? 0 : q.value();
                return Long.toString((long) Math.ceil((double) bytes / (double) divisor.value()));
            }
        }
        throw new IllegalArgumentException("unsupported container resource : " + fs.resource);
    }
}
