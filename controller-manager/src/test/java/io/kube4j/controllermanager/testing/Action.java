package io.kube4j.controllermanager.testing;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.KubeObject;

/**
 * One write a controller made, as recorded by {@link RecordingClient}: for a delete, {@code patch} is
 * the propagation policy and {@code deleteOptions} the options as sent.
 */
public record Action(String verb, String kind, String namespace, String name, KubeObject object, String patch, DeleteOptions deleteOptions) {
    public Action(String verb, String kind, String namespace, String name, KubeObject object, String patch) {
        this(verb, kind, namespace, name, object, patch, null);
    }

    /** {@code verb kind namespace/name}, for readable comparisons in assertions. */
    public String summary() {
        return verb + " " + kind + " " + (namespace == null ? "" : namespace + "/") + name;
    }

    @Override
    public String toString() {
        return summary();
    }
}
