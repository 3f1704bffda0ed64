package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.Sandbox;

import java.time.Duration;

/**
 * Starts one container instance as Kubernetes' {@code startContainer} does ({@code kuberuntime_container.go}):
 * image, config (environment and mounts), create, start, then the postStart hook; a failing hook kills the
 * instance (reason FailedPostStartHook). Each failure becomes the waiting state the status shows until the
 * next attempt: ErrImagePull / ImagePullBackOff / ErrImageNeverPull, CreateContainerConfigError,
 * CreateContainerError, RunContainerError, PostStartHookError.
 */
final class ContainerStarter {
    private final KubeletContext ctx;
    private final ImagePuller images;
    private final ContainerKiller killer;

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
        return start(pod, sandbox, c, attempt, null);
    }

    /** As {@link #start(Pod, Sandbox, Container, int)}, in the PID namespace of runtime container {@code targetContainerId} when not null. */
    ContainerStatus.Waiting start(Pod pod, Sandbox sandbox, Container c, int attempt, String targetContainerId) {
        ContainerStatus.Waiting pull = images.ensure(pod, c);
        if (pull != null) {
            return pull;
        }
        ContainerConfig config;
        try {
            config = ctx.configFactory().create(pod, c, attempt, sandbox.ip(), ctx.hostIp());
            if (targetContainerId != null) {
                config = config.withTargetContainerId(targetContainerId);
            }
            // after the environment and mounts, as Kubernetes' generateContainerConfig: the image's user, verifyRunAsNonRoot
            config = config.withSecurity(SecurityContexts.forContainer(pod, c, ctx.runtime()::imageUser));
        } catch (ContainerConfigException | ContainerRuntimeException e) {
            // a runtime error here is the image status asked for the image's user: Kubernetes' getImageUser error
            // one event per attempt, as Kubernetes' startContainer; attempts are 10 s apart (PodWorker.startContainer)
            ctx.events().warning(pod, "Failed", "Error: " + e.getMessage());
            return ImagePuller.waiting("CreateContainerConfigError", e.getMessage());
        }
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
