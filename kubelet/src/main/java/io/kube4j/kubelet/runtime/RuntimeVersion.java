package io.kube4j.kubelet.runtime;

/** The runtime's name and version as shown in the Node's nodeInfo.containerRuntimeVersion. */
public record RuntimeVersion(String name, String version) {
    @Override
    public String toString() {
        return name + "://" + version;
    }
}
