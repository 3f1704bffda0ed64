package io.kube4j.kubelet.runtime;

/** The outcome of a command run in a container; exit code 0 is success. */
public record ExecResult(int exitCode, String output) {
}
