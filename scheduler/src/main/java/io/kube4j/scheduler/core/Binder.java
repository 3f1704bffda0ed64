package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;

/** Puts a pod on a node for good (POST pods/{name}/binding); throws ApiException on failure. */
public interface Binder {
    void bind(Pod pod, String nodeName);
}
