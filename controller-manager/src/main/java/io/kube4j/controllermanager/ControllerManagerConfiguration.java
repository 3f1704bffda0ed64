package io.kube4j.controllermanager;

import io.kube4j.client.ApiClient;
import io.kube4j.controllermanager.daemon.DaemonSetController;
import io.kube4j.controllermanager.deployment.DeploymentController;
import io.kube4j.controllermanager.endpoints.EndpointsController;
import io.kube4j.controllermanager.garbagecollector.GarbageCollector;
import io.kube4j.controllermanager.namespace.NamespaceController;
import io.kube4j.controllermanager.nodelifecycle.NodeLifecycleController;
import io.kube4j.controllermanager.replicaset.ReplicaSetController;
import io.kube4j.controllermanager.runtime.ApiControllerClient;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.statefulset.StatefulSetController;
import io.kube4j.events.EventRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.net.InetAddress;
import java.time.Clock;
import java.util.List;
import java.util.UUID;

/** Wiring: the apiserver client, shared informers, every controller, and the manager that runs them. */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ApiServerProperties.class, ControllerManagerProperties.class})
class ControllerManagerConfiguration {

    @Bean
    ApiClient apiClient(ApiServerProperties apiServer) {
        return new ApiClient(apiServer.url(), "kube4j-controller-manager");
    }

    @Bean
    SharedInformers sharedInformers(ApiClient client) {
        return new SharedInformers(client);
    }

    @Bean
    Clock clock() {
        return Clock.systemUTC();
    }

    @Bean
    ReplicaIdentity replicaIdentity(ControllerManagerProperties props) {
        if (!props.identity().isBlank()) {
            return new ReplicaIdentity(props.identity());
        }
        String host;
        try {
            host = InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            host = "controller-manager";
        }
        // two replicas on one host (tests, compose scale) must still differ
        return new ReplicaIdentity(host + "_" + UUID.randomUUID().toString().substring(0, 8));
    }

    @Bean
    ControllerClient controllerClient(ApiClient client, ReplicaIdentity identity) {
        return new ApiControllerClient(client, new EventRecorder(client, "controller-manager", identity.name()));
    }

    @Bean
    ReplicaSetController replicaSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        return new ReplicaSetController(informers, client, clock);
    }

    @Bean
    DeploymentController deploymentController(SharedInformers informers, ControllerClient client, Clock clock) {
        return new DeploymentController(informers, client, clock);
    }

    @Bean
    EndpointsController endpointsController(SharedInformers informers, ControllerClient client) {
        return new EndpointsController(informers, client);
    }

    @Bean
    NodeLifecycleController nodeLifecycleController(SharedInformers informers, ControllerClient client, Clock clock, ControllerManagerProperties props) {
        return new NodeLifecycleController(informers, client, clock, props.nodeMonitorPeriod(), props.nodeMonitorGracePeriod(), props.defaultTolerationSeconds());
    }

    @Bean
    GarbageCollector garbageCollector(SharedInformers informers, ControllerClient client) {
        return new GarbageCollector(informers, client);
    }

    @Bean
    NamespaceController namespaceController(SharedInformers informers, ControllerClient client) {
        return new NamespaceController(informers, client);
    }

    @Bean
    DaemonSetController daemonSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        return new DaemonSetController(informers, client, clock);
    }

    @Bean
    StatefulSetController statefulSetController(SharedInformers informers, ControllerClient client, Clock clock) {
        return new StatefulSetController(informers, client, clock);
    }

    @Bean
    ControllerManager controllerManager(ApiClient client, SharedInformers informers, List<Controller> controllers,
                                        ControllerManagerProperties props, ReplicaIdentity identity, MeterRegistry registry,
                                        ConfigurableApplicationContext context) {
        Runnable exit = () -> Thread.ofPlatform().start(() -> System.exit(SpringApplication.exit(context, () -> 1)));
        return new ControllerManager(client, informers, controllers, props, identity.name(), registry, exit);
    }

    /** This replica's name in the leader-election Lease and in Events. */
    record ReplicaIdentity(String name) {
    }
}
