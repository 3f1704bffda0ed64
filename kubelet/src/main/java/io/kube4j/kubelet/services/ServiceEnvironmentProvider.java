package io.kube4j.kubelet.services;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import io.kube4j.kubelet.pod.EnvironmentProvider;
import io.kube4j.services.ServiceEnvironment;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;

import java.time.Duration;
import java.util.Map;

/**
 * Gives each container the Service environment variables of its pod's namespace ({@code WEB_SERVICE_HOST},
 * ...) from one Service informer per kubelet process, unless the pod sets {@code enableServiceLinks: false}.
 * Like Kubernetes' kubelet, a container start waits (briefly) for the first Service list, so early pods
 * do not silently start without the variables.
 */
@Component
public class ServiceEnvironmentProvider implements EnvironmentProvider, SmartLifecycle {
    private static final Duration SYNC_WAIT = Duration.ofSeconds(10);

    /** All Services of the cluster (every namespace a pod of this process may run in). */
    private final Informer<Service> services;
    private volatile boolean running;

    public ServiceEnvironmentProvider(ApiClient client) {
        this.services = new Informer<>(client, Service.class);
    }

    @Override
    public Map<String, String> environment(Pod pod, Container container) {
        if (Boolean.FALSE.equals(pod.spec.enableServiceLinks)) {
            return Map.of();
        }
        try {
            services.waitForSync(SYNC_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ServiceEnvironment.of(services.store().list(pod.metadata.namespace));
    }

    @Override
    public void start() {
        running = true;
        services.start();
    }

    @Override
    public void stop() {
        running = false;
        services.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
