package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;

/** Binds through the apiserver's {@code pods/{name}/binding} subresource. */
public final class ApiBinder implements Binder {
    private final ApiClient client;

    public ApiBinder(ApiClient client) {
        this.client = client;
    }

    @Override
    public void bind(Pod pod, String nodeName) {
        client.bind(pod.metadata.namespace, pod.metadata.name, nodeName);
    }
}
