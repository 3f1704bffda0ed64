package io.kube4j.services;

import io.kube4j.api.Service;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

class ServiceEnvironmentTest {

    static Service service(String name, String clusterIp, Object... ports) {
        Service s = new Service();
        s.metadata.name = name;
        s.metadata.namespace = "default";
        s.spec.clusterIP = clusterIp;
        for (int i = 0; i < ports.length; i += 3) {
            Service.ServicePort p = new Service.ServicePort();
            p.name = (String) ports[i];
            p.port = (Integer) ports[i + 1];
            p.protocol = (String) ports[i + 2];
            s.spec.ports.add(p);
        }
        return s;
    }

    @Test
    void singlePortServiceGivesHostPortAndDockerLinkVariables() {
        Map<String, String> env = ServiceEnvironment.of(List.of(service("redis-primary", "10.96.0.11", null, 6379, "TCP")));
        assertThat(env).containsExactly(
                entry("REDIS_PRIMARY_SERVICE_HOST", "10.96.0.11"),
                entry("REDIS_PRIMARY_SERVICE_PORT", "6379"),
                entry("REDIS_PRIMARY_PORT", "tcp://10.96.0.11:6379"),
                entry("REDIS_PRIMARY_PORT_6379_TCP", "tcp://10.96.0.11:6379"),
                entry("REDIS_PRIMARY_PORT_6379_TCP_PROTO", "tcp"),
                entry("REDIS_PRIMARY_PORT_6379_TCP_PORT", "6379"),
                entry("REDIS_PRIMARY_PORT_6379_TCP_ADDR", "10.96.0.11"));
    }

    @Test
    void namedPortsGetTheirOwnServicePortVariable() {
        Map<String, String> env = ServiceEnvironment.of(List.of(service("web", "10.96.0.10", "http", 80, "TCP", "dns-udp", 53, "UDP")));
        assertThat(env)
                .containsEntry("WEB_SERVICE_PORT", "80")
                .containsEntry("WEB_SERVICE_PORT_HTTP", "80")
                .containsEntry("WEB_SERVICE_PORT_DNS_UDP", "53")
                .containsEntry("WEB_PORT", "tcp://10.96.0.10:80")
                .containsEntry("WEB_PORT_53_UDP", "udp://10.96.0.10:53")
                .containsEntry("WEB_PORT_53_UDP_PROTO", "udp");
    }

    @Test
    void headlessAndUnallocatedServicesGiveNothing() {
        Map<String, String> env = ServiceEnvironment.of(List.of(service("headless", "None", null, 80, "TCP"), service("pending", null, null, 80, "TCP")));
        assertThat(env).isEmpty();
    }

    @Test
    void servicesComeInNameOrderAndAMissingProtocolMeansTcp() {
        Map<String, String> env = ServiceEnvironment.of(List.of(service("zeta", "10.96.0.3", null, 1, null), service("alpha", "10.96.0.2", null, 2, null)));
        assertThat(env.keySet()).first().isEqualTo("ALPHA_SERVICE_HOST");
        assertThat(env).containsEntry("ZETA_PORT_1_TCP_PROTO", "tcp");
    }
}
