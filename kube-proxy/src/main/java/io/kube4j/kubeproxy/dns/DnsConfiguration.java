package io.kube4j.kubeproxy.dns;

import io.kube4j.api.Service;
import io.kube4j.informer.Informer;
import io.kube4j.kubeproxy.EndpointSliceCache;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.context.SmartLifecycle;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

import java.io.IOException;

/** Starts cluster DNS on the kube-proxy's Service and EndpointSlice caches when {@code kube4j.dns.enabled} (the default). */
@Configuration(proxyBeanMethods = false)
@ConditionalOnProperty(name = "kube4j.dns.enabled", havingValue = "true", matchIfMissing = true)
class DnsConfiguration {
    private static final Logger log = LoggerFactory.getLogger(DnsConfiguration.class);

    @Bean
    ClusterDns clusterDns(DnsProperties props, Informer<Service> services, EndpointSliceCache slices) {
        return new ClusterDns(props.domain(), props.ttlSeconds(),
                (ns, name) -> services.store().get(ns, name),
                // the Service's EndpointSlices, seen as the Endpoints ClusterDns answers from
                slices::endpoints);
    }

    @Bean
    SmartLifecycle dnsServerLifecycle(ClusterDns zone, DnsProperties props) {
        return new SmartLifecycle() {
            private DnsServer server;
            private volatile boolean running;

            @Override
            public void start() {
                running = true;
                try {
                    server = new DnsServer(zone, props.bindAddress(), props.port());
                    log.info("cluster DNS for {} on {}:{} (udp and tcp)", props.domain(), props.bindAddress(), server.port());
                } catch (IOException e) {
                    // e.g. port 53 without the privilege: the proxy is still useful, so say so and go on
                    log.error("cluster DNS cannot listen on {}:{}: {}", props.bindAddress(), props.port(), e.getMessage());
                }
            }

            @Override
            public void stop() {
                running = false;
                if (server != null) {
                    server.close();
                }
            }

            @Override
            public boolean isRunning() {
                return running;
            }
        };
    }
}
