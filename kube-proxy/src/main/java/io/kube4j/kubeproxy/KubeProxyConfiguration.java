package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Service;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import io.kube4j.kubeproxy.iptables.IptablesProxier;
import io.kube4j.kubeproxy.iptables.CommandRunner;
import java.util.List;
import io.kube4j.kubeproxy.userspace.ClusterIpProxier;
import io.kube4j.kubeproxy.userspace.CombinedProxier;
import io.kube4j.kubeproxy.userspace.UserspaceProxier;
import io.micrometer.core.instrument.MeterRegistry;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Wiring: the apiserver client, the Service and EndpointSlice informers, the proxier the configuration asks for, and the sync loop. */
@Configuration(proxyBeanMethods = false)
class KubeProxyConfiguration {

    /** The HTTP connector's own errors (bad request targets, oversized headers) answered as a Status. */
    @org.springframework.context.annotation.Bean
    org.springframework.boot.tomcat.TomcatContextCustomizer statusErrorReportValve() {
        return io.kube4j.web.StatusErrorReportValve::install;
    }


    @Bean
    ApiClient apiClient(ApiServerProperties apiServer) {
        return apiServer.client("kube-proxy/kube4j");
    }

    @Bean
    Informer<Service> serviceInformer(ApiClient client) {
        return new Informer<>(client, Service.class);
    }

    /** The EndpointSlices of all Services, as Kubernetes' kube-proxy reads them (no Endpoints). */
    @Bean
    EndpointSliceCache endpointSliceCache(ApiClient client) {
        return new EndpointSliceCache(new Informer<>(client, EndpointSlice.class));
    }

    @Bean
    ProxyMetrics proxyMetrics(MeterRegistry registry) {
        return new ProxyMetrics(registry);
    }

    @Bean
    Proxier proxier(KubeProxyProperties props, ProxyMetrics metrics) {
        return switch (props.mode()) {
            case USERSPACE -> props.clusterIpListeners()
                    ? new CombinedProxier(List.of(new UserspaceProxier(props.bindAddress(), metrics, props.connectTimeout()),
                            new ClusterIpProxier(metrics, props.connectTimeout(), CommandRunner.PROCESS)))
                    : new UserspaceProxier(props.bindAddress(), metrics, props.connectTimeout());
            case IPTABLES -> new IptablesProxier(props.iptables());
        };
    }

    /** NetworkPolicy enforcement in iptables (kube4j.kube-proxy.network-policy=true; off by default). */
    @Bean
    @org.springframework.boot.autoconfigure.condition.ConditionalOnProperty(name = "kube4j.kube-proxy.network-policy", havingValue = "true")
    io.kube4j.kubeproxy.networkpolicy.NetworkPolicyController networkPolicyController(ApiClient client, KubeProxyProperties props) {
        return new io.kube4j.kubeproxy.networkpolicy.NetworkPolicyController(
                new Informer<>(client, io.kube4j.api.NetworkPolicy.class), new Informer<>(client, io.kube4j.api.Pod.class),
                new Informer<>(client, io.kube4j.api.Namespace.class), props.iptables(), CommandRunner.PROCESS,
                props.nodeName(), props.syncPeriod(), io.kube4j.net.BridgeNetfilter.system());
    }

    @Bean
    ProxySync proxySync(Informer<Service> services, EndpointSliceCache slices, Proxier proxier, ProxyMetrics metrics, KubeProxyProperties props) {
        return new ProxySync(services, slices, proxier, metrics, props.syncPeriod(), props.nodeName());
    }
}
