package io.kube4j.kubelet.runtime;

import java.time.Instant;

/**
 * A container as the runtime reports it. {@code reason} is only set when the runtime knows better than
 * the exit code (OOMKilled); the kubelet derives Completed / Error itself.
 */
public record ContainerInfo(
        String id,
        PodRef pod,
        String name,
        int attempt,
        String image,
        String imageId,
        State state,
        Instant createdAt,
        Instant startedAt,
        Instant finishedAt,
        int exitCode,
        String reason,
        String message) {

    /** The CRI container states. */
    public enum State { CREATED, RUNNING, EXITED, UNKNOWN }

    public boolean running() {
        return state == State.RUNNING;
    }

    public boolean exited() {
        return state == State.EXITED;
    }
}
