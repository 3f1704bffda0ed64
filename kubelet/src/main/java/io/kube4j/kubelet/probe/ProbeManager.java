package io.kube4j.kubelet.probe;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.RuntimePod;

import java.time.Clock;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The probe workers of one pod (Kubernetes' {@code prober_manager.go}, per pod): one {@link ContainerProbes}
 * per running container instance that has probes, main containers and sidecars alike (regular init
 * containers have none). A new instance gets new workers, so results never carry over a restart.
 * Its verdicts are the {@link ProbeResults} the planner reads.
 */
public final class ProbeManager implements ProbeResults {
    private final ProbeRunner runner;
    private final Clock clock;
    private final ProbeWorker.Listener listener;
    private final Map<String, ContainerProbes> byContainerId = new ConcurrentHashMap<>();

    /**
     * @param listener told about every probe run (Unhealthy events) and every change of a verdict (to sync the pod)
     */
    public ProbeManager(ProbeRunner runner, Clock clock, ProbeWorker.Listener listener) {
        this.runner = runner;
        this.clock = clock;
        this.listener = listener;
    }

    /** Starts workers for the running instances that need them and stops those of instances no longer running. */
    public void sync(Pod pod, RuntimePod runtime, String podIp) {
        Map<String, Container> specs = new HashMap<>();
        for (Container c : pod.spec.initContainers) {
            if ("Always".equals(c.restartPolicy)) {
                specs.put(c.name, c);
            }
        }
        pod.spec.containers.forEach(c -> specs.put(c.name, c));
        Set<String> running = new HashSet<>();
        for (ContainerInfo info : runtime.running()) {
            Container spec = specs.get(info.name());
            if (spec == null || (spec.livenessProbe == null && spec.readinessProbe == null && spec.startupProbe == null) || podIp == null) {
                continue;
            }
            running.add(info.id());
            byContainerId.computeIfAbsent(info.id(), id -> ContainerProbes.start(spec, id, podIp,
                    info.startedAt() != null ? info.startedAt() : clock.instant(), runner, listener, clock));
        }
        for (String id : List.copyOf(byContainerId.keySet())) {
            if (!running.contains(id)) {
                remove(id);
            }
        }
    }

    /** Stops and forgets the workers of one container instance (it is being killed). */
    public void remove(String containerId) {
        ContainerProbes p = byContainerId.remove(containerId);
        if (p != null) {
            p.stop();
        }
    }

    /** Stops every worker (the pod is going away or the kubelet stops). */
    public void stopAll() {
        byContainerId.values().forEach(ContainerProbes::stop);
        byContainerId.clear();
    }

    @Override
    public Result get(ProbeType type, String containerId) {
        ContainerProbes p = byContainerId.get(containerId);
        return p == null ? Result.UNKNOWN : p.verdict(type);
    }
}
