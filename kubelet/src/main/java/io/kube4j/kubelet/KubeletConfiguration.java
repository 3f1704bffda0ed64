package io.kube4j.kubelet;

import io.kube4j.client.ApiClient;
import io.kube4j.kubelet.network.KubenetMasquerade;
import io.kube4j.kubelet.network.PodCidrRoutes;
import io.kube4j.kubelet.node.MachineInfo;
import io.kube4j.kubelet.pod.EnvironmentProvider;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring: the apiserver client, the runtime factory and the kubelets of this process. */
@Configuration(proxyBeanMethods = false)
// BootstrapProperties is found by the application's @ConfigurationPropertiesScan too; named here so a context built
// from this configuration alone (wiring tests) has it
@org.springframework.boot.context.properties.EnableConfigurationProperties(BootstrapProperties.class)
class KubeletConfiguration {

    /** The HTTP connector's own errors (bad request targets, oversized headers) answered as a Status. */
    @org.springframework.context.annotation.Bean
    org.springframework.boot.tomcat.TomcatContextCustomizer statusErrorReportValve() {
        return io.kube4j.web.StatusErrorReportValve::install;
    }


    /**
     * The kubelet's client: with {@code kube4j.apiserver.kubeconfig}, its credentials; else, with
     * {@code kube4j.kubelet.bootstrap-token}, the credential TLS bootstrapping wrote into the cert dir (requested first
     * when there is none yet, so the kubelet starts only once it has its certificate, as Kubernetes' does).
     */
    @Bean
    ApiClient apiClient(ApiServerProperties apiServer, BootstrapProperties bootstrap, KubeletProperties props) {
        java.nio.file.Path kubeconfig = bootstrapClientCert(apiServer, bootstrap, props);
        if (kubeconfig == null) {
            return apiServer.client("kubelet/kube4j");
        }
        io.kube4j.client.Kubeconfig credentials = io.kube4j.client.Kubeconfig.load(kubeconfig);
        return new ApiClient(apiServer.url(), "kubelet/kube4j", credentials);
    }

    /**
     * With {@code kube4j.kubelet.bootstrap-token} and no {@code kube4j.apiserver.kubeconfig}: the kubeconfig TLS
     * bootstrapping wrote into the cert dir (requested first when there is none yet); else null. {@code KubeletApplication.main}
     * calls it before the application context starts, so a failed join ends the process before any bean or the web server;
     * the {@link #apiClient} bean then finds the credential written.
     *
     * @throws io.kube4j.kubelet.certificate.TlsBootstrapFailure when bootstrapping failed, after logging
     *                                                          {@code TLS bootstrap failed: <reason>}
     */
    static java.nio.file.Path bootstrapClientCert(ApiServerProperties apiServer, BootstrapProperties bootstrap, KubeletProperties props) {
        if (!bootstrap.enabled() || !apiServer.kubeconfig().isBlank()) {
            return null;
        }
        try {
            if (props.count() != 1) {
                throw new IllegalArgumentException("kube4j.kubelet.bootstrap-token joins one node: kube4j.kubelet.count must be 1, not " + props.count());
            }
            if (apiServer.url().isBlank()) {
                throw new IllegalArgumentException("kube4j.kubelet.bootstrap-token needs kube4j.apiserver.url (the apiserver's https URL)");
            }
            String nodeName = props.nodeName().isBlank() ? MachineInfo.hostname() : props.nodeName();
            var settings = new io.kube4j.kubelet.certificate.TlsBootstrap.Settings(apiServer.url(), bootstrap.bootstrapToken().trim(),
                    bootstrap.discoveryTokenCaCertHash(), bootstrap.discoveryTokenUnsafeSkipCaVerification(), bootstrap.certDir(props, nodeName),
                    nodeName, bootstrap.discoveryTimeout(), bootstrap.certificateTimeout());
            return new io.kube4j.kubelet.certificate.TlsBootstrap(settings).loadClientCert();
        } catch (RuntimeException e) {
            // the reason on its own line, and nothing else: the kubelet then exits 1 (KubeletApplication.main)
            org.slf4j.LoggerFactory.getLogger(KubeletConfiguration.class).error("TLS bootstrap failed: {}", e.getMessage());
            throw new io.kube4j.kubelet.certificate.TlsBootstrapFailure(e);
        }
    }

    @Bean
    RuntimeFactory runtimeFactory(CriProperties cri) {
        return new RuntimeFactory(cri);
    }

    @Bean
    Kubelets kubelets(KubeletProperties props, ApiClient client, MeterRegistry registry,
                      ObjectProvider<EnvironmentProvider> environmentProvider, RuntimeFactory runtimeFactory) {
        // Service environment variables plug in here as an EnvironmentProvider bean
        return new Kubelets(props, client, registry, environmentProvider.getIfAvailable(() -> EnvironmentProvider.NONE), runtimeFactory);
    }

    /**
     * Host-gw routes to the other Nodes' pod CIDRs, only with {@code kube4j.kubelet.network-plugin=cni} (with Docker's
     * own bridge the pod IPs are not from the Nodes' podCIDRs). Routes the node named by {@code kube4j.kubelet.node-name}
     * (or the hostname) skips: one kubelet per network namespace.
     */
    @Bean(initMethod = "start", destroyMethod = "stop")
    @ConditionalOnProperty(name = "kube4j.kubelet.network-plugin", havingValue = "cni")
    PodCidrRoutes podCidrRoutes(KubeletProperties props, ApiClient client) {
        String nodeName = props.nodeName().isBlank() ? MachineInfo.hostname() : props.nodeName();
        return new PodCidrRoutes(client, nodeName, PodCidrRoutes.CommandRunner.PROCESS);
    }

    /**
     * kubenet's masquerade rule for pod traffic leaving {@code kube4j.kubelet.non-masquerade-cidr}, only with
     * {@code kube4j.kubelet.network-plugin=cni} (the generated bridge network does not masquerade: pod-to-pod
     * traffic across nodes keeps the pod IP).
     */
    @Bean(initMethod = "start", destroyMethod = "stop")
    @ConditionalOnProperty(name = "kube4j.kubelet.network-plugin", havingValue = "cni")
    KubenetMasquerade kubenetMasquerade(KubeletProperties props) {
        return new KubenetMasquerade(props.nonMasqueradeCidr(), PodCidrRoutes.CommandRunner.PROCESS);
    }

    /**
     * kubenet's {@code Init} for the CNI bridge network ({@code network-plugin=cni}): {@code modprobe br-netfilter}
     * and {@code net.bridge.bridge-nf-call-iptables=1} in the kubelet's network namespace, so that traffic between
     * two pods on {@code cni0} passes iptables (Service DNAT replies, network policies); a warning naming the sysctl
     * when the kernel has no bridge netfilter. {@code kube4j.kubelet.bridge-netfilter=false} leaves the sysctl alone
     * (a network plugin that does not use a Linux bridge; tests in the machine's own network namespace).
     */
    @Bean
    @ConditionalOnProperty(name = "kube4j.kubelet.network-plugin", havingValue = "cni")
    io.kube4j.net.BridgeNetfilter.Status bridgeNetfilter(org.springframework.core.env.Environment env) {
        if (!env.getProperty("kube4j.kubelet.bridge-netfilter", Boolean.class, true)) {
            return new io.kube4j.net.BridgeNetfilter.Status(false, "disabled by kube4j.kubelet.bridge-netfilter=false");
        }
        return io.kube4j.net.BridgeNetfilter.system().ensure();
    }
}
