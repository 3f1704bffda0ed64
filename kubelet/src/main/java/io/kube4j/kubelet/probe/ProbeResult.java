package io.kube4j.kubelet.probe;

/** The outcome of one probe run; the message says why it failed. */
public record ProbeResult(boolean success, String message) {
    public static ProbeResult ok() {
        return new ProbeResult(true, "");
    }

    public static ProbeResult failure(String message) {
        return new ProbeResult(false, message);
    }
}
