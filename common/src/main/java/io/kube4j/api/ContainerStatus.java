package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/** The state of one container as the kubelet sees it. */
public class ContainerStatus {
    public String name;
    public ContainerState state;
    public ContainerState lastState;
    public boolean ready;
    public int restartCount;
    public String image;
    /** Always sent, "" while the container waits: Kubernetes' {@code json:"imageID"} has no omitempty, and strict clients (client-java) require it. */
    @JsonInclude(JsonInclude.Include.ALWAYS)
    public String imageID = "";
    public String containerID;
    public Boolean started;

    /** Exactly one of waiting, running, terminated. */
    public static class ContainerState {
        public Waiting waiting;
        public Running running;
        public Terminated terminated;
    }

    /** Not running yet, and why (ContainerCreating, ErrImagePull, CrashLoopBackOff, ...). */
    public static class Waiting {
        public String reason;
        public String message;
    }

    /** Running since startedAt. */
    public static class Running {
        public String startedAt;
    }

    /** Exited, with its code and reason (Completed, Error, OOMKilled). */
    public static class Terminated {
        public int exitCode;
        public Integer signal;
        public String reason;
        public String message;
        public String startedAt;
        public String finishedAt;
        public String containerID;
    }
}
