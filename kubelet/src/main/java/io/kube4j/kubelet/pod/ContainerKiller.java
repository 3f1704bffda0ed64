package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.RuntimePod;
import io.kube4j.kubelet.runtime.Sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * Stops containers as Kubernetes' {@code killContainer} / {@code killPodWithSyncResult} do
 * ({@code kuberuntime_container.go}, {@code kuberuntime_manager.go}): a Killing event, the preStop hook
 * within the grace period (its time is taken off the grace period), then SIGTERM and SIGKILL once the
 * rest of the grace period is over, never with less than 2 s (minimumGracePeriodInSeconds). A whole
 * pod is stopped main containers first, in parallel, then its sidecars one by one in reverse order
 * (Kubernetes' terminationOrdering), then its sandbox.
 */
final class ContainerKiller {
    /** Kubernetes' minimumGracePeriodInSeconds: a container always gets this long to exit after SIGTERM. */
    static final long MINIMUM_GRACE_SECONDS = 2;

    private final KubeletContext ctx;

    ContainerKiller(KubeletContext ctx) {
        this.ctx = ctx;
    }

    /**
     * Stops one running container instance.
     *
     * @param spec    the container's spec, or null (pod gone: no hook, default grace)
     * @param reason  decides the grace period: a probe's terminationGracePeriodSeconds for probe kills
     * @param message the Killing event's message; null for {@code Stopping container <name>}
     * @param grace   the grace period to use, or null to compute it from the pod (setTerminationGracePeriod)
     */
    void kill(Pod pod, ContainerInfo c, Container spec, PodActions.KillReason reason, String message, Long grace) {
        long seconds = grace != null ? grace : gracePeriod(pod, spec, reason);
        if (pod != null) {
            ctx.events().normal(pod, "Killing", message != null ? message : "Stopping container " + c.name());
        }
        if (spec != null && spec.lifecycle != null && spec.lifecycle.preStop != null && seconds > 0 && c.running()) {
            Instant start = ctx.clock().instant();
            String failure = LifecycleHooks.run(ctx, pod, spec, c.id(), podIp(pod), spec.lifecycle.preStop, Duration.ofSeconds(seconds));
            if (failure != null) {
                // Kubernetes leaves the hook's output out of the event: it may hold secrets
                ctx.events().warning(pod, "FailedPreStopHook", "PreStopHook failed");
            }
            seconds -= Duration.between(start, ctx.clock().instant()).toSeconds();
        }
        ctx.runtime().stopContainer(c.id(), Duration.ofSeconds(Math.max(seconds, MINIMUM_GRACE_SECONDS)));
    }

    /**
     * Stops everything of a pod that runs: main (and regular init) containers in parallel, then sidecars
     * one at a time from the last to the first, each with what is left of the pod's grace period, then
     * the sandboxes. Throws the first runtime failure after trying every container.
     */
    void killPod(Pod pod, RuntimePod runtime, Long graceOverride) {
        long grace = graceOverride != null ? graceOverride : gracePeriod(pod, null, PodActions.KillReason.UNKNOWN);
        Instant deadline = ctx.clock().instant().plusSeconds(grace);
        List<ContainerInfo> live = runtime.containers().stream()
                .filter(c -> c.running() || c.state() == ContainerInfo.State.CREATED || c.state() == ContainerInfo.State.UNKNOWN).toList();
        List<ContainerInfo> sidecars = new ArrayList<>();
        List<ContainerInfo> others = new ArrayList<>();
        for (ContainerInfo c : live) {
            Container spec = spec(pod, c.name());
            if (spec != null && PodActionsPlanner.isSidecar(spec) && pod.spec.initContainers.contains(spec)) {
                sidecars.add(c);
            } else {
                others.add(c);
            }
        }
        List<RuntimeException> failures = new CopyOnWriteArrayList<>();
        List<Thread> stoppers = new ArrayList<>();
        for (ContainerInfo c : others) {
            stoppers.add(Thread.ofVirtual().name("kill-" + c.name()).start(() -> {
                try {
                    kill(pod, c, spec(pod, c.name()), PodActions.KillReason.UNKNOWN, null, grace);
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }));
        }
        join(stoppers);
        // sidecars last, in reverse order of the spec: the later ones may depend on the earlier ones
        sidecars.sort((a, b) -> Integer.compare(indexOf(pod, b.name()), indexOf(pod, a.name())));
        for (ContainerInfo c : sidecars) {
            long left = Math.max(0, Duration.between(ctx.clock().instant(), deadline).toSeconds());
            try {
                kill(pod, c, spec(pod, c.name()), PodActions.KillReason.UNKNOWN, null, left);
            } catch (RuntimeException e) {
                failures.add(e);
            }
        }
        for (Sandbox s : runtime.sandboxes()) {
            if (s.ready()) {
                try {
                    ctx.runtime().stopPodSandbox(s.id());
                } catch (RuntimeException e) {
                    failures.add(e);
                }
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
    }

    /**
     * Kubernetes' setTerminationGracePeriod: the deletion's grace period, else for probe kills the probe's
     * terminationGracePeriodSeconds, else the pod's terminationGracePeriodSeconds (the apiserver defaults
     * it to 30; 30 here too when a pod came without it).
     */
    static long gracePeriod(Pod pod, Container spec, PodActions.KillReason reason) {
        if (pod == null) {
            return MINIMUM_GRACE_SECONDS;
        }
        if (pod.metadata.deletionTimestamp != null && pod.metadata.deletionGracePeriodSeconds != null) {
            return pod.metadata.deletionGracePeriodSeconds;
        }
        if (spec != null && reason == PodActions.KillReason.LIVENESS_PROBE && spec.livenessProbe != null && spec.livenessProbe.terminationGracePeriodSeconds != null) {
            return spec.livenessProbe.terminationGracePeriodSeconds;
        }
        if (spec != null && reason == PodActions.KillReason.STARTUP_PROBE && spec.startupProbe != null && spec.startupProbe.terminationGracePeriodSeconds != null) {
            return spec.startupProbe.terminationGracePeriodSeconds;
        }
        return pod.spec.terminationGracePeriodSeconds != null ? Math.max(0, pod.spec.terminationGracePeriodSeconds) : 30;
    }

    private String podIp(Pod pod) {
        return pod == null ? null : ctx.pleg().pod(pod.metadata.uid).sandboxes().stream().filter(Sandbox::ready).map(Sandbox::ip).findFirst().orElse(null);
    }

    private static Container spec(Pod pod, String name) {
        if (pod == null) {
            return null;
        }
        for (Container c : pod.spec.initContainers) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        for (Container c : pod.spec.containers) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static int indexOf(Pod pod, String name) {
        for (int i = 0; i < pod.spec.initContainers.size(); i++) {
            if (pod.spec.initContainers.get(i).name.equals(name)) {
                return i;
            }
        }
        return -1;
    }

    private static void join(List<Thread> threads) {
        for (Thread t : threads) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerRuntimeException("interrupted while stopping containers");
            }
        }
    }
}
