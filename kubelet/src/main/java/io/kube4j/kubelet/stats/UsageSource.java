package io.kube4j.kubelet.stats;

import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerUsage;

/** Where the kubelet gets a running container's usage from: its runtime, or a synthetic load on hollow nodes. */
@FunctionalInterface
public interface UsageSource {
    /** The usage of {@code container} of {@code pod} now, or null when unknown. */
    ContainerUsage usage(Pod pod, ContainerInfo container);
}
