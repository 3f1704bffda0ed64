package io.kube4j.kubelet.runtime;

import java.time.Instant;

/**
 * How much of a log to read, as Kubernetes' {@code PodLogOptions} reach the runtime (the kubelet's
 * {@code kuberuntime/logs.LogOptions}): {@code tailLines} null means all; {@code timestamps} prefixes each
 * line with its RFC 3339 time; {@code since} (null: from the start) drops lines written before it;
 * {@code limitBytes} (null: no limit) is applied by the caller to the bytes written.
 */
public record LogOptions(boolean follow, Integer tailLines, boolean timestamps, Instant since, Long limitBytes) {
    public static final LogOptions ALL = new LogOptions(false, null, false);

    /** From the start, without a byte limit. */
    public LogOptions(boolean follow, Integer tailLines, boolean timestamps) {
        this(follow, tailLines, timestamps, null, null);
    }
}
