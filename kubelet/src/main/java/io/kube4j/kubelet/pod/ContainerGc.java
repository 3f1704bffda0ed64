package io.kube4j.kubelet.pod;

import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.Sandbox;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;

/**
 * The sandbox part of the kubelet's container garbage collection: Kubernetes' {@code containerGC.evictSandboxes}
 * (pkg/kubelet/kuberuntime/kuberuntime_gc.go). A sandbox is <em>active</em> while it is ready or still has containers
 * (running or kept exited for their logs); per pod, sandboxes are ordered newest first, and
 * <ul>
 *   <li>of a pod that still exists, every inactive sandbox but the newest is removed;</li>
 *   <li>of a pod that is gone, every inactive sandbox is removed (even the newest).</li>
 * </ul>
 * Removing is StopPodSandbox then RemovePodSandbox ({@code removeSandbox}: "try stopping the sandbox before removing
 * it"), so the runtime tears the network down and releases the network namespace; a sandbox whose stop fails is left
 * for the next collection. This is what removes the not-ready sandboxes that failed RunPodSandbox calls leave behind.
 */
public final class ContainerGc {
    private static final Logger log = LoggerFactory.getLogger(ContainerGc.class);
    /** How often the kubelet collects: Kubernetes' {@code ContainerGCPeriod} (pkg/kubelet/kubelet.go), one minute. */
    public static final Duration CONTAINER_GC_PERIOD = Duration.ofMinutes(1);

    private ContainerGc() {
    }

    /**
     * Removes the evictable sandboxes of the node (see the class comment) and returns their ids.
     *
     * @param runtime    the runtime to stop and remove them through
     * @param sandboxes  every sandbox of the node, as the runtime lists them now
     * @param containers every container of the node (their sandbox ids make a sandbox active)
     * @param podRemoved whether the pod with this uid is gone (Kubernetes' {@code ShouldPodContentBeRemoved})
     */
    public static List<String> evictSandboxes(ContainerRuntime runtime, List<Sandbox> sandboxes, List<ContainerInfo> containers,
                                              Predicate<String> podRemoved) {
        Map<String, List<ContainerInfo>> containersByPod = new LinkedHashMap<>();
        for (ContainerInfo c : containers) {
            containersByPod.computeIfAbsent(c.pod().uid(), u -> new ArrayList<>()).add(c);
        }
        Map<String, List<Sandbox>> byPod = new LinkedHashMap<>();
        for (Sandbox s : sandboxes) {
            byPod.computeIfAbsent(s.pod().uid(), u -> new ArrayList<>()).add(s);
        }
        List<String> removed = new ArrayList<>();
        for (Map.Entry<String, List<Sandbox>> e : byPod.entrySet()) {
            List<Sandbox> list = e.getValue();
            // newer sandboxes at the front (sandboxByCreated); the attempt orders those created within the same instant
            list.sort(Comparator.comparing((Sandbox s) -> s.createdAt() == null ? Instant.EPOCH : s.createdAt())
                    .thenComparingInt(Sandbox::attempt).reversed());
            // a pod that still exists keeps its latest sandbox, dead or not; a removed pod keeps none
            int keep = podRemoved.test(e.getKey()) ? 0 : 1;
            List<ContainerInfo> podContainers = containersByPod.getOrDefault(e.getKey(), List.of());
            for (int i = list.size() - 1; i >= keep; i--) {
                Sandbox s = list.get(i);
                Instant until = i == 0 ? null : list.get(i - 1).createdAt();
                if (s.ready() || hasContainers(s, until, podContainers)) {
                    continue; // active
                }
                if (removeSandbox(runtime, s)) {
                    removed.add(s.id());
                }
            }
        }
        return removed;
    }

    /**
     * Whether a container of the pod lives in sandbox {@code s}. Our runtimes' container listings carry no sandbox id
     * (the CRI's {@code Container.pod_sandbox_id}), so a container is taken to be in the sandbox that was the pod's
     * newest when it was created: created at or after {@code s} and before the next newer sandbox ({@code until},
     * null for the newest).
     */
    static boolean hasContainers(Sandbox s, Instant until, List<ContainerInfo> podContainers) {
        Instant from = s.createdAt();
        for (ContainerInfo c : podContainers) {
            Instant created = c.createdAt();
            if (created == null || from == null) {
                return true; // cannot tell: keep the sandbox
            }
            if (!created.isBefore(from) && (until == null || created.isBefore(until))) {
                return true;
            }
        }
        return false;
    }

    private static boolean removeSandbox(ContainerRuntime runtime, Sandbox s) {
        log.debug("removing sandbox {} of pod {}", s.id(), s.pod());
        try {
            runtime.stopPodSandbox(s.id());
        } catch (ContainerRuntimeException e) {
            log.warn("failed to stop sandbox {} of pod {} before removing it: {}", s.id(), s.pod(), e.getMessage());
            return false;
        }
        try {
            runtime.removePodSandbox(s.id());
            return true;
        } catch (ContainerRuntimeException e) {
            log.warn("failed to remove sandbox {} of pod {}: {}", s.id(), s.pod(), e.getMessage());
            return false;
        }
    }
}
