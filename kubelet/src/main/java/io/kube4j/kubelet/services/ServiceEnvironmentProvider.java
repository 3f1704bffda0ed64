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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Gives each container the Service environment variables of its pod's namespace ({@code WEB_SERVICE_HOST},
 * ...) from one Service informer per kubelet process, unless the pod sets {@code enableServiceLinks: false},
 * plus those of {@code default/kubernetes} always.
 * Like Kubernetes' kubelet, a container start waits (briefly) for the first Service list, so early pods
 * do not silently start without the variables.
 */
@Component
public class ServiceEnvironmentProvider implements EnvironmentProvider, SmartLifecycle {
    private static final Duration SYNC_WAIT = Duration.ofSeconds(10);
    /** Kubernetes' master services: {@code kubernetes} in {@code default}. */
    static final String MASTER_SERVICE = "kubernetes";
    static final String MASTER_NAMESPACE = "default";

    /** All Services of the cluster (every namespace a pod of this process may run in). */
    private final Informer<Service> services;
    private volatile boolean running;

    public ServiceEnvironmentProvider(ApiClient client) {
        this.services = new Informer<>(client, Service.class);
    }

    @Override
    public Map<String, String> environment(Pod pod, Container container) {
        try {
            services.waitForSync(SYNC_WAIT);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return ServiceEnvironment.of(visible(pod, services.store().get(MASTER_NAMESPACE, MASTER_SERVICE),
                services.store().list(pod.metadata.namespace)));
    }

    /**
     * The Services whose variables a pod gets, as Kubernetes' kubelet getServiceEnvVarMap: the master
     * service {@code default/kubernetes} always (even with {@code enableServiceLinks: false}, so in-cluster
     * clients find the API), and the pod's namespace's Services unless links are off, a Service of the pod's
     * namespace taking precedence over the master service of the same name.
     */
    static List<Service> visible(Pod pod, Service master, List<Service> namespaceServices) {
        Map<String, Service> byName = new LinkedHashMap<>();
        if (master != null) {
            byName.put(MASTER_SERVICE, master);
        }
        if (!Boolean.FALSE.equals(pod.spec.enableServiceLinks)) {
            namespaceServices.forEach(s -> byName.put(s.metadata.name, s));
        }
        return List.copyOf(byName.values());
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
