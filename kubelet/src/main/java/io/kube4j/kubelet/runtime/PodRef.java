package io.kube4j.kubelet.runtime;

/** The pod a sandbox or container belongs to; stored as labels on it so a restarted kubelet can adopt it. */
public record PodRef(String uid, String namespace, String name) {
    @Override
    public String toString() {
        return namespace + "/" + name + " (" + uid + ")";
    }
}
