package io.kube4j.kubelet.runtime;

/** What a pod sandbox needs: whose it is, which attempt, and its hostname. */
public record SandboxConfig(PodRef pod, int attempt, String hostname) {
}
