package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;

import java.util.Map;

/**
 * Extra environment variables the kubelet gives a container before its own {@code env} (which wins on
 * a clash). The hook for Service environment variables ({@code WEB_SERVICE_HOST}, ...) and cluster
 * DNS settings; until those exist the kubelet uses {@link #NONE}.
 */
@FunctionalInterface
public interface EnvironmentProvider {
    EnvironmentProvider NONE = (pod, container) -> Map.of();

    Map<String, String> environment(Pod pod, Container container);
}
