package io.kube4j.controllermanager;

import io.kube4j.client.ApiClient;
import io.kube4j.controllermanager.certificates.RootCACertPublisher;
import io.kube4j.controllermanager.cronjob.CronJobController;
import io.kube4j.controllermanager.daemon.DaemonSetController;
import io.kube4j.controllermanager.deployment.DeploymentController;
import io.kube4j.controllermanager.disruption.DisruptionController;
import io.kube4j.controllermanager.endpoints.EndpointsController;
import io.kube4j.controllermanager.endpointslice.EndpointSliceController;
import io.kube4j.controllermanager.endpointslice.EndpointSliceMirroringController;
import io.kube4j.controllermanager.garbagecollector.GarbageCollector;
import io.kube4j.controllermanager.job.JobController;
import io.kube4j.controllermanager.namespace.NamespaceController;
import io.kube4j.controllermanager.serviceaccount.ServiceAccountsController;
import io.kube4j.controllermanager.volume.PersistentVolumeController;
import io.kube4j.controllermanager.resourcequota.ResourceQuotaController;
import io.kube4j.controllermanager.nodelifecycle.NodeLifecycleController;
import io.kube4j.controllermanager.nodeipam.NodeIpamController;
import io.kube4j.controllermanager.podautoscaler.ApiScaleClient;
import io.kube4j.controllermanager.podautoscaler.HorizontalController;
import io.kube4j.controllermanager.podautoscaler.ReplicaCalculator;
import io.kube4j.controllermanager.podautoscaler.RestMetricsClient;
import io.kube4j.controllermanager.podgc.PodGCController;
import io.kube4j.controllermanager.replicaset.ReplicaSetController;
import io.kube4j.controllermanager.replication.ReplicationManager;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerSelection;
import io.kube4j.controllermanager.runtime.ControllerClients;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.ttlafterfinished.TtlAfterFinishedController;
import io.kube4j.controllermanager.statefulset.StatefulSetController;
import io.kube4j.events.EventRecorder;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.context.ConfigurableApplicationContext;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.net.InetAddress;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

/**
 * Wiring: the apiserver client, shared informers, every controller (each with its own rate-limited
 * client, see {@link ControllerClients}), and the manager that runs them.
 */
@Configuration(proxyBeanMethods = false)
@EnableConfigurationProperties({ApiServerProperties.class, ControllerManagerProperties.class})
class ControllerManagerConfiguration {

    /** The HTTP connector's own errors (bad request targets, oversized headers) answered as a Status. */
    @org.springframework.context.annotation.Bean
    org.springframework.boot.tomcat.TomcatContextCustomizer statusErrorReportValve() {
        return io.kube4j.web.StatusErrorReportValve::install;
    }


    @Bean
    ApiClient apiClient(ApiServerProperties apiServer) {
        return apiServer.client("kube4j-controller-manager");
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
    ControllerClients controllerClients(ApiClient client, ReplicaIdentity identity, ControllerManagerProperties props) {
        return new ControllerClients(client, new EventRecorder(client, "controller-manager", identity.name()), props.kubeApiQps(), props.kubeApiBurst());
    }

    @Bean
    ReplicaSetController replicaSetController(SharedInformers informers, ControllerClients clients, Clock clock, ControllerManagerProperties props) {
        return new ReplicaSetController(informers, clients.forController("replicaset"), clock, props.podRequestsInFlight());
    }

    /** Kubernetes' replication manager: the ReplicaSet controller over converted ReplicationControllers. */
    @Bean
    ReplicaSetController replicationControllerController(SharedInformers informers, ControllerClients clients, Clock clock,
                                                        ControllerManagerProperties props) {
        return ReplicationManager.create(informers, clients.forController("replicationcontroller"), clock, props.podRequestsInFlight());
    }

    @Bean
    DeploymentController deploymentController(SharedInformers informers, ControllerClients clients, Clock clock) {
        return new DeploymentController(informers, clients.forController("deployment"), clock);
    }

    @Bean
    EndpointsController endpointsController(SharedInformers informers, ControllerClients clients) {
        return new EndpointsController(informers, clients.forController("endpoints"));
    }

    @Bean
    EndpointSliceController endpointSliceController(SharedInformers informers, ControllerClients clients) {
        return new EndpointSliceController(informers, clients.forController("endpointslice"));
    }

    @Bean
    EndpointSliceMirroringController endpointSliceMirroringController(SharedInformers informers, ControllerClients clients) {
        return new EndpointSliceMirroringController(informers, clients.forController("endpointslicemirroring"));
    }

    @Bean
    NodeLifecycleController nodeLifecycleController(SharedInformers informers, ControllerClients clients, Clock clock, ControllerManagerProperties props) {
        return new NodeLifecycleController(informers, clients.forController("nodelifecycle"), clock, props.nodeMonitorPeriod(),
                props.nodeMonitorGracePeriod(), props.defaultTolerationSeconds());
    }

    @Bean
    io.kube4j.controllermanager.runtime.CustomResources customResources(ApiClient client, SharedInformers informers, ControllerManagerProperties props) {
        var customResources = new io.kube4j.controllermanager.runtime.CustomResources(client, props.resourceDiscoveryPeriod());
        // discovery and the custom resources' informers run while this replica leads, as the shared informers do
        informers.addLifecycle(customResources::start, customResources::stop);
        return customResources;
    }

    @Bean
    GarbageCollector garbageCollector(SharedInformers informers, ControllerClients clients, io.kube4j.controllermanager.runtime.CustomResources customResources) {
        return new GarbageCollector(informers, clients.forController("garbagecollector", 2, 1), customResources);
    }

    @Bean
    PodGCController podGCController(SharedInformers informers, ControllerClients clients, Clock clock, ControllerManagerProperties props,
                                    MeterRegistry registry) {
        return new PodGCController(informers, clients.forController("podgc"), clock, props.terminatedPodGcThreshold(), props.podGcCheckPeriod(),
                props.podGcQuarantineTime(), registry);
    }

    /**
     * The node IPAM controller runs only with {@code kube4j.controller-manager.allocate-node-cidrs=true}, as
     * kube-controller-manager starts its nodeipam controller only with {@code --allocate-node-cidrs}.
     */
    @Bean
    @ConditionalOnProperty(name = "kube4j.controller-manager.allocate-node-cidrs", havingValue = "true")
    NodeIpamController nodeIpamController(SharedInformers informers, ControllerClients clients, ControllerManagerProperties props) {
        return new NodeIpamController(informers, clients.forController("nodeipam"), props.clusterCidr(), props.nodeCidrMaskSize());
    }

    @Bean
    ResourceQuotaController resourceQuotaController(SharedInformers informers, ControllerClients clients) {
        return new ResourceQuotaController(informers, clients.forController("resourcequota"));
    }

    @Bean
    ServiceAccountsController serviceAccountsController(SharedInformers informers, ControllerClients clients) {
        return new ServiceAccountsController(informers, clients.forController("serviceaccount"));
    }

    /**
     * The root CA publisher runs only when {@code kube4j.security.root-ca-file} names the cluster CA's PEM file
     * (kube-controller-manager's {@code --root-ca-file}): without it there is nothing to publish.
     */
    @Bean
    @ConditionalOnProperty(name = "kube4j.security.root-ca-file")
    RootCACertPublisher rootCACertPublisher(SharedInformers informers, ControllerClients clients,
                                            @Value("${kube4j.security.root-ca-file}") String rootCaFile) throws IOException {
        return new RootCACertPublisher(informers, clients.forController("root-ca-cert-publisher"), Files.readString(Path.of(rootCaFile)));
    }

    /**
     * The ServiceAccount tokens controller runs only with {@code kube4j.controller-manager.service-account-private-key-file}
     * (kube-controller-manager's {@code --service-account-private-key-file}; without it Kubernetes logs that the
     * controller is disabled and skips it); {@code ca.crt} of the token Secrets comes from {@code kube4j.security.root-ca-file}
     * ({@code --root-ca-file}), the same bundle the root CA publisher publishes, else, as Kubernetes, from the CA the
     * controller-manager's own kubeconfig trusts (none without either).
     */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression(HAS_SA_KEY)
    io.kube4j.controllermanager.serviceaccount.TokensController tokensController(SharedInformers informers, ControllerClients clients,
            @Value("${kube4j.controller-manager.service-account-private-key-file}") String keyFile,
            @Value("${kube4j.security.root-ca-file:}") String rootCaFile, ApiServerProperties apiServer) throws IOException {
        byte[] rootCA;
        if (!rootCaFile.isBlank()) {
            rootCA = Files.readAllBytes(Path.of(rootCaFile));
        } else {
            io.kube4j.client.Kubeconfig kubeconfig = apiServer.credentials();
            String ca = kubeconfig == null ? null : kubeconfig.certificateAuthorityPem();
            rootCA = ca == null ? new byte[0] : ca.getBytes(java.nio.charset.StandardCharsets.UTF_8);
        }
        return new io.kube4j.controllermanager.serviceaccount.TokensController(informers, clients.forController("serviceaccount-token"),
                io.kube4j.controllermanager.serviceaccount.LegacyTokenGenerator.fromPemFile(Path.of(keyFile)), rootCA);
    }

    static final String HAS_SA_KEY = "!'${kube4j.controller-manager.service-account-private-key-file:}'.isBlank()";

    /** Without the key, says so as kube-controller-manager does ("Controller is disabled because there is no private key"). */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnExpression("!(" + HAS_SA_KEY + ")")
    org.springframework.boot.ApplicationRunner tokensControllerDisabled() {
        return args -> org.slf4j.LoggerFactory.getLogger(ControllerManagerConfiguration.class)
                .info("Controller is disabled because there is no private key (controller serviceaccount-token;"
                        + " set kube4j.controller-manager.service-account-private-key-file)");
    }

    /** Kubernetes' bootstrapsigner controller: kube-public/cluster-info signed with every bootstrap token marked for signing. */
    @Bean
    io.kube4j.controllermanager.bootstrap.BootstrapSigner bootstrapSigner(SharedInformers informers, ControllerClients clients, Clock clock) {
        return new io.kube4j.controllermanager.bootstrap.BootstrapSigner(informers, clients.forController("bootstrapsigner"), clock);
    }

    /** Kubernetes' tokencleaner controller: expired bootstrap token Secrets deleted. */
    @Bean
    io.kube4j.controllermanager.bootstrap.TokenCleaner tokenCleaner(SharedInformers informers, ControllerClients clients, Clock clock) {
        return new io.kube4j.controllermanager.bootstrap.TokenCleaner(informers, clients.forController("tokencleaner"), clock);
    }

    /** Kubernetes' csrapproving controller: kubelet client certificate requests approved after a SubjectAccessReview. */
    @Bean
    io.kube4j.controllermanager.certificates.CsrApprovingController csrApprovingController(SharedInformers informers, ControllerClients clients) {
        return new io.kube4j.controllermanager.certificates.CsrApprovingController(informers, clients.forController("csrapproving"));
    }

    /**
     * Kubernetes' csrsigning controllers, with the CA of {@code kube4j.controller-manager.cluster-signing-cert-file}/{@code -key-file}
     * (default: {@code kube4j.security.root-ca-file} and the {@code ca.key} beside it) for
     * {@code kube4j.controller-manager.cluster-signing-duration} (8760h, as {@code --cluster-signing-duration}).
     */
    @Bean
    @org.springframework.context.annotation.Conditional(io.kube4j.controllermanager.certificates.ClusterSigningFiles.Present.class)
    io.kube4j.controllermanager.certificates.CsrSigningController csrSigningController(SharedInformers informers, ControllerClients clients, Clock clock,
            org.springframework.core.env.Environment env,
            @Value("${kube4j.controller-manager.cluster-signing-duration:8760h}") Duration duration) {
        var files = io.kube4j.controllermanager.certificates.ClusterSigningFiles.resolve(env);
        return new io.kube4j.controllermanager.certificates.CsrSigningController(informers, clients.forController("csrsigning"),
                io.kube4j.controllermanager.certificates.CertificateAuthority.load(files.certFile(), files.keyFile()), duration, clock);
    }

    /** Without the CA's files, says so as kube-controller-manager does. */
    @Bean
    @org.springframework.context.annotation.Conditional(io.kube4j.controllermanager.certificates.ClusterSigningFiles.Absent.class)
    org.springframework.boot.ApplicationRunner csrSigningDisabled(org.springframework.core.env.Environment env) {
        var files = io.kube4j.controllermanager.certificates.ClusterSigningFiles.resolve(env);
        return args -> org.slf4j.LoggerFactory.getLogger(ControllerManagerConfiguration.class)
                .info("Skipping CSR signer controller because no csr cert/key was specified (cert {}, key {}; set"
                        + " kube4j.controller-manager.cluster-signing-cert-file and -key-file)", files.certFile(), files.keyFile());
    }

    @Bean
    PersistentVolumeController persistentVolumeController(SharedInformers informers, ControllerClients clients) {
        return new PersistentVolumeController(informers, clients.forController("persistentvolume-binder"));
    }

    @Bean
    DisruptionController disruptionController(SharedInformers informers, ControllerClients clients, Clock clock) {
        return new DisruptionController(informers, clients.forController("disruption"), clock);
    }

    @Bean
    NamespaceController namespaceController(SharedInformers informers, ControllerClients clients, io.kube4j.controllermanager.runtime.CustomResources customResources,
                                            ControllerManagerProperties props) {
        // "the namespace cleanup controller is very chatty": a pass lists every namespaced kind, so Kubernetes
        // gives its client 20 times the QPS and 100 times the burst, and runs --concurrent-namespace-syncs workers
        return new NamespaceController(informers, clients.forController("namespace", 20, 100), customResources, props.concurrentNamespaceSyncs());
    }

    @Bean
    JobController jobController(SharedInformers informers, ControllerClients clients, Clock clock, ControllerManagerProperties props) {
        return new JobController(informers, clients.forController("job"), clock, props.podRequestsInFlight());
    }

    @Bean
    CronJobController cronJobController(SharedInformers informers, ControllerClients clients, Clock clock) {
        return new CronJobController(informers, clients.forController("cronjob"), clock);
    }

    @Bean
    TtlAfterFinishedController ttlAfterFinishedController(SharedInformers informers, ControllerClients clients, Clock clock) {
        return new TtlAfterFinishedController(informers, clients.forController("ttl-after-finished"), clock);
    }

    @Bean
    io.kube4j.controllermanager.clusterroleaggregation.ClusterRoleAggregationController clusterRoleAggregationController(SharedInformers informers, ControllerClients clients) {
        return new io.kube4j.controllermanager.clusterroleaggregation.ClusterRoleAggregationController(informers, clients.forController("clusterrole-aggregation"));
    }

    @Bean
    DaemonSetController daemonSetController(SharedInformers informers, ControllerClients clients, Clock clock, ControllerManagerProperties props) {
        return new DaemonSetController(informers, clients.forController("daemonset"), clock, props.podRequestsInFlight());
    }

    @Bean
    StatefulSetController statefulSetController(SharedInformers informers, ControllerClients clients, Clock clock, ControllerManagerProperties props) {
        return new StatefulSetController(informers, clients.forController("statefulset"), clock, props.podRequestsInFlight());
    }

    /**
     * The HPA controller, with kube-controller-manager's flags as properties under
     * {@code kube4j.controller-manager.horizontal-pod-autoscaler-*} (same names and defaults).
     */
    @Bean
    HorizontalController horizontalController(SharedInformers informers, ControllerClients clients, ApiClient client, Clock clock,
            @Value("${kube4j.controller-manager.horizontal-pod-autoscaler-sync-period:15s}") Duration syncPeriod,
            @Value("${kube4j.controller-manager.horizontal-pod-autoscaler-downscale-stabilization:5m}") Duration downscaleStabilization,
            @Value("${kube4j.controller-manager.horizontal-pod-autoscaler-tolerance:0.1}") double tolerance,
            @Value("${kube4j.controller-manager.horizontal-pod-autoscaler-cpu-initialization-period:5m}") Duration cpuInitializationPeriod,
            @Value("${kube4j.controller-manager.horizontal-pod-autoscaler-initial-readiness-delay:30s}") Duration initialReadinessDelay) {
        return new HorizontalController(informers, clients.forController("horizontal-pod-autoscaler"), new ApiScaleClient(client),
                new RestMetricsClient(client), new ReplicaCalculator(tolerance, cpuInitializationPeriod, initialReadinessDelay, clock),
                clock, syncPeriod, downscaleStabilization);
    }

    @Bean
    ControllerManager controllerManager(ApiClient client, SharedInformers informers, List<Controller> controllers,
                                        ControllerManagerProperties props, ReplicaIdentity identity, MeterRegistry registry,
                                        ConfigurableApplicationContext context) {
        Runnable exit = () -> Thread.ofPlatform().start(() -> System.exit(SpringApplication.exit(context, () -> 1)));
        // --controllers: a disabled controller is still constructed (its informer handlers fill a queue nobody drains,
        // one key per object at most), but never started
        ControllerSelection selection = ControllerSelection.parse(props.controllers());
        List<Controller> enabled = controllers.stream().filter(c -> selection.isEnabled(c.name())).toList();
        controllers.stream().filter(c -> !selection.isEnabled(c.name()))
                .forEach(c -> org.slf4j.LoggerFactory.getLogger(ControllerManager.class)
                        .info("Warning: controller is disabled controller=\"{}\"", ControllerSelection.canonicalName(c.name())));
        return new ControllerManager(client, informers, enabled, props, identity.name(), registry, exit);
    }

    /** This replica's name in the leader-election Lease and in Events. */
    record ReplicaIdentity(String name) {
    }
}
