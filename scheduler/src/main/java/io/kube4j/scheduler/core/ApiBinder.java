package io.kube4j.scheduler.core;

import io.kube4j.api.Binding;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;

/**
 * Binds through the apiserver's {@code pods/{name}/binding} subresource, with the pod's UID as a
 * precondition so a decision about a deleted pod never binds a new pod of the same name.
 */
public final class ApiBinder implements Binder {
    private final ApiClient client;

    public ApiBinder(ApiClient client) {
        this.client = client;
    }

    @Override
    public void bind(Pod pod, String nodeName) {
        Binding binding = Binding.of(pod.metadata.namespace, pod.metadata.name, nodeName);
        binding.metadata.uid = pod.metadata.uid;
        client.bind(binding);
    }
}
