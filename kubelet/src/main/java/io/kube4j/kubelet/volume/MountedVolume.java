package io.kube4j.kubelet.volume;

import java.nio.file.Path;

/**
 * A pod volume the kubelet has set up on the node (Kubernetes' mounted volume, {@code GetPath()}).
 *
 * @param name     the volume's name in the pod spec
 * @param path     where its files are on the node: the volume directory of configMap, secret, downwardAPI and
 *                 projected volumes, the PersistentVolume's path for a claim
 * @param readOnly whether every mount of it is read-only (the API-data volumes always are; a claim when its
 *                 {@code readOnly} says so)
 * @param atomic   whether its files are written by the {@link AtomicWriter} (and so change under subPath mounts)
 */
public record MountedVolume(String name, Path path, boolean readOnly, boolean atomic) {
}
