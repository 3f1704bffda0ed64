package io.kube4j.kubelet.pod;

import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.ContainerRuntime;

import java.time.Clock;
import java.time.Duration;

/**
 * What every pod worker of one kubelet shares: the node it runs on, its runtime (and that runtime's
 * name for container IDs, e.g. {@code docker://}), the apiserver, events, probes, backoffs and clock.
 */
public record KubeletContext(
        String nodeName,
        String hostIp,
        ContainerRuntime runtime,
        String runtimeName,
        ApiClient client,
        EventRecorder events,
        ProbeRunner probeRunner,
        ContainerConfigFactory configFactory,
        Backoff crashBackoff,
        Backoff pullBackoff,
        Clock clock,
        Duration syncPeriod,
        KubeletMetrics metrics) {
}
