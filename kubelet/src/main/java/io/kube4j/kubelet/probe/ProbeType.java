package io.kube4j.kubelet.probe;

/** Which question a probe answers. */
public enum ProbeType {
    /** Is the container alive? Failing restarts it. */
    LIVENESS("Liveness"),
    /** May it get traffic? Drives the Ready condition. */
    READINESS("Readiness"),
    /** Has it finished starting? Until then, liveness and readiness wait; failing restarts it. */
    STARTUP("Startup");

    private final String display;

    ProbeType(String display) {
        this.display = display;
    }

    /** As Kubernetes writes it in events: "Liveness probe failed: ...". */
    public String display() {
        return display;
    }
}
