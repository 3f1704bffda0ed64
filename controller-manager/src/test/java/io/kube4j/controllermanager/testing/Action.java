package io.kube4j.controllermanager.testing;

import io.kube4j.api.KubeObject;

/** One write a controller made, as recorded by {@link RecordingClient}. */
public record Action(String verb, String kind, String namespace, String name, KubeObject object, String patch) {
    /** {@code verb kind namespace/name}, for readable comparisons in assertions. */
    public String summary() {
        return verb + " " + kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }

    @Override
    public String toString() {
        return summary();
    }
}
