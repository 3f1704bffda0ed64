package io.kube4j.kubelet.runtime;

/**
 * A volume mounted into a container: either a directory of the node ({@code hostPath}) or a scratch
 * volume that lives as long as the pod ({@code emptyDir}, named after the pod volume).
 */
public record Mount(String volumeName, String containerPath, boolean readOnly, String hostPath) {
    /** Whether this is a pod-scoped scratch volume rather than a node directory. */
    public boolean isEmptyDir() {
        return hostPath == null;
    }
}
