package io.kube4j.kubelet.runtime;

import java.time.Instant;

/** A pod sandbox as the runtime reports it; {@code ip} is the pod IP. */
public record Sandbox(String id, PodRef pod, int attempt, boolean ready, String ip, Instant createdAt) {
}
