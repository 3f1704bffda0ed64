package io.kube4j.api;

/** PodScheduled, Initialized, ContainersReady, Ready. */
public class PodCondition {
    public String type;
    public String status;
    public String lastProbeTime;
    public String lastTransitionTime;
    public String reason;
    public String message;

    public PodCondition() {
    }

    public PodCondition(String type, String status, String reason, String message, String lastTransitionTime) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.lastTransitionTime = lastTransitionTime;
    }
}
