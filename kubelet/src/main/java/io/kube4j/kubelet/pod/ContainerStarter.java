package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.Sandbox;

import java.time.Duration;
import java.time.Instant;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Starts one container instance as Kubernetes' {@code startContainer} does ({@code kuberuntime_container.go}):
 * image, config (environment and mounts), create, start, then the postStart hook; a failing hook kills the
 * instance (reason FailedPostStartHook). Each failure becomes the waiting state the status shows until the
 * next attempt: ErrImagePull / ImagePullBackOff / ErrImageNeverPull, CreateContainerConfigError,
 * CreateContainerError, RunContainerError, PostStartHookError.
 */
final class ContainerStarter {
    static final Duration CONFIG_ERROR_EVENT_INTERVAL = Duration.ofSeconds(10);

    private final KubeletContext ctx;
    private final ImagePuller images;
    private final ContainerKiller killer;
    // the last CreateContainerConfigError event per container: its message and when
    private final Map<String, Map.Entry<String, Instant>> configErrors = new ConcurrentHashMap<>();

    /**
     * A Failed event for a CreateContainerConfigError, at most one per container and message every 10 s: Kubernetes
     * records one per attempt, and retries a failed pod sync after its 10 s back-off, while this worker retries
     * at every sync (so a ConfigMap that appears is used at once).
     */
    private void configErrorEvent(Pod pod, Container c, String message) {
        Instant now = ctx.clock().instant();
        Map.Entry<String, Instant> last = configErrors.get(c.name);
        if (last == null || !last.getKey().equals(message) || Duration.between(last.getValue(), now).compareTo(CONFIG_ERROR_EVENT_INTERVAL) >= 0) {
            configErrors.put(c.name, Map.entry(message, now));
            ctx.events().warning(pod, "Failed", "Error: " + message);
        }
    }

    ContainerStarter(KubeletContext ctx, ImagePuller images, ContainerKiller killer) {
        this.ctx = ctx;
        this.images = images;
        this.killer = killer;
    }

    /**
     * Starts container {@code c} of {@code pod} in {@code sandbox} as instance {@code attempt} (its restart count).
     * Returns null when it runs, else why not.
     */
    ContainerStatus.Waiting start(Pod pod, Sandbox sandbox, Container c, int attempt) {
        ContainerStatus.Waiting pull = images.ensure(pod, c);
        if (pull != null) {
            return pull;
        }
        ContainerConfig config;
        try {
            config = ctx.configFactory().create(pod, c, attempt, sandbox.ip(), ctx.hostIp());
        } catch (ContainerConfigException e) {
            configErrorEvent(pod, c, e.getMessage());
            return ImagePuller.waiting("CreateContainerConfigError", e.getMessage());
        }
        configErrors.remove(c.name);
        String id;
        try {
            id = ctx.runtime().createContainer(sandbox, config);
        } catch (ContainerRuntimeException e) {
            ctx.events().warning(pod, "Failed", "Error: " + e.getMessage());
            return ImagePuller.waiting("CreateContainerError", e.getMessage());
        }
        ctx.events().normal(pod, "Created", "Created container " + c.name);
        try {
            ctx.runtime().startContainer(id);
        } catch (ContainerRuntimeException e) {
            // the runtime keeps the failed instance as exited; the next sync restarts it with back-off
            ctx.events().warning(pod, "Failed", "Error: " + e.getMessage());
            return ImagePuller.waiting("RunContainerError", e.getMessage());
        }
        ctx.events().normal(pod, "Started", "Started container " + c.name);
        if (c.lifecycle != null && c.lifecycle.postStart != null) {
            Duration timeout = Duration.ofSeconds(Math.max(ContainerKiller.MINIMUM_GRACE_SECONDS, ContainerKiller.gracePeriod(pod, c, PodActions.KillReason.UNKNOWN)));
            String failure = LifecycleHooks.run(ctx, pod, c, id, sandbox.ip(), c.lifecycle.postStart, timeout);
            if (failure != null) {
                // Kubernetes leaves the hook's output out of the event: it may hold secrets
                ctx.events().warning(pod, "FailedPostStartHook", "PostStartHook failed");
                ContainerInfo started = new ContainerInfo(id, null, c.name, attempt, c.image, null, ContainerInfo.State.RUNNING,
                        null, null, null, 0, null, null);
                killer.kill(pod, started, c, PodActions.KillReason.UNKNOWN, "FailedPostStartHook", null);
                return ImagePuller.waiting("PostStartHookError", failure);
            }
        }
        return null;
    }
}
