package io.kube4j.kubelet.pod;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Secret;
import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;
import io.kube4j.kubelet.manager.ObjectManager;
import io.kube4j.kubelet.pleg.Pleg;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.volume.VolumeManager;

import java.time.Clock;
import java.time.Duration;

/**
 * What every pod worker of one kubelet (one node) shares.
 *
 * @param nodeName      the node's name
 * @param hostIp        the node's IP (status.hostIP)
 * @param runtime       the node's container runtime
 * @param runtimeName   the prefix of container IDs in statuses, e.g. {@code docker} for {@code docker://...}
 * @param client        the apiserver
 * @param events        the node's event recorder
 * @param probeRunner   runs probes and lifecycle hooks
 * @param configFactory turns container specs into runtime configs
 * @param crashBackoff  CrashLoopBackOff entries, keyed by {@link PodActionsPlanner#backOffKey}
 * @param pullBackoff   ImagePullBackOff entries, keyed by pod uid and image
 * @param clock         the one clock of the kubelet's decisions (back-off, deadlines, grace periods, timestamps)
 * @param syncPeriod    how often a worker re-syncs its pod unasked (back-off expiry, deadlines)
 * @param metrics       the kubelet's metrics
 * @param pleg          the node's relist: the runtime state every worker reads
 * @param statusManager writes pod statuses when they change
 * @param configMaps    the ConfigMaps the node's pods refer to (watched per object)
 * @param secrets       the Secrets the node's pods refer to (watched per object)
 * @param volumes       sets up the pods' configMap, secret, downwardAPI, projected and claim volumes
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
        KubeletMetrics metrics,
        Pleg pleg,
        StatusManager statusManager,
        ObjectManager<ConfigMap> configMaps,
        ObjectManager<Secret> secrets,
        VolumeManager volumes) {
}
