package io.kube4j.scheduler.framework;

/** A scheduler plugin: one concern (taints, resources, ...), one class; see the extension points. */
public interface Plugin {
    /** The name used in configuration (weights), metrics and status attributions. */
    String name();
}
