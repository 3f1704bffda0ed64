package io.kube4j.kubelet.runtime;

/** How much of a log to read: {@code tailLines} null means all; {@code timestamps} prefixes each line with its RFC 3339 time. */
public record LogOptions(boolean follow, Integer tailLines, boolean timestamps) {
    public static final LogOptions ALL = new LogOptions(false, null, false);
}
