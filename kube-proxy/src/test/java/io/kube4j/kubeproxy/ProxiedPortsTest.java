package io.kube4j.kubeproxy;

import io.kube4j.api.Endpoints;
import io.kube4j.api.Service;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class ProxiedPortsTest {

    static Service service(String... portNames) {
        Service s = new Service();
        s.metadata.name = "web";
        s.metadata.namespace = "default";
        s.spec.type = "NodePort";
        s.spec.clusterIP = "10.96.0.10";
        int i = 0;
        for (String n : portNames) {
            Service.ServicePort p = new Service.ServicePort();
            p.name = n;
            p.port = 80 + i;
            p.nodePort = 30080 + i++;
            s.spec.ports.add(p);
        }
        return s;
    }

    static Endpoints.EndpointSubset subset(List<String> ready, List<String> notReady, Object... namePorts) {
        Endpoints.EndpointSubset ss = new Endpoints.EndpointSubset();
        for (String ip : ready) {
            Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
            a.ip = ip;
            ss.addresses.add(a);
        }
        for (String ip : notReady) {
            Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
            a.ip = ip;
            ss.notReadyAddresses.add(a);
        }
        for (int i = 0; i < namePorts.length; i += 2) {
            Endpoints.EndpointPort p = new Endpoints.EndpointPort();
            p.name = (String) namePorts[i];
            p.port = (Integer) namePorts[i + 1];
            ss.ports.add(p);
        }
        return ss;
    }

    @Test
    void eachServicePortGetsTheReadyAddressesOfItsNamedEndpointPort() {
        Endpoints eps = new Endpoints();
        eps.subsets.add(subset(List.of("10.1.0.2", "10.1.0.1"), List.of("10.1.0.9"), "http", 8080, "metrics", 9090));
        List<ProxiedPort> ports = ProxiedPorts.of(service("http", "metrics"), eps);
        assertThat(ports).hasSize(2);
        assertThat(ports.get(0).id()).isEqualTo("default/web:http");
        assertThat(ports.get(0).nodePort()).isEqualTo(30080);
        assertThat(ports.get(0).endpoints()).containsExactly(new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080));
        assertThat(ports.get(1).endpoints()).containsExactly(new Endpoint("10.1.0.1", 9090), new Endpoint("10.1.0.2", 9090));
    }

    @Test
    void singlePortServiceTakesASubsetsOnlyPortWhateverItsName() {
        Endpoints eps = new Endpoints();
        eps.subsets.add(subset(List.of("10.1.0.1"), List.of(), "whatever", 8080));
        eps.subsets.add(subset(List.of("10.1.0.2"), List.of(), null, 8081));
        List<ProxiedPort> ports = ProxiedPorts.of(service((String) null), eps);
        assertThat(ports.get(0).endpoints()).containsExactly(new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8081));
        assertThat(ports.get(0).id()).isEqualTo("default/web");
    }

    @Test
    void missingEndpointsMeanNoBackendsAndExternalNameMeansNoPorts() {
        assertThat(ProxiedPorts.of(service("http"), null).get(0).endpoints()).isEmpty();
        Service ext = service("http");
        ext.spec.type = "ExternalName";
        assertThat(ProxiedPorts.of(ext, null)).isEmpty();
    }

    @Test
    void clientIpAffinityUsesTheConfiguredTimeoutOrThreeHours() {
        Service s = service("http");
        s.spec.sessionAffinity = "ClientIP";
        assertThat(ProxiedPorts.of(s, null).get(0).affinityTimeout()).isEqualTo(Duration.ofHours(3));
        s.spec.sessionAffinityConfig = new Service.SessionAffinityConfig();
        s.spec.sessionAffinityConfig.clientIP = new Service.SessionAffinityConfig.ClientIPConfig();
        s.spec.sessionAffinityConfig.clientIP.timeoutSeconds = 60;
        ProxiedPort p = ProxiedPorts.of(s, null).get(0);
        assertThat(p.clientIpAffinity()).isTrue();
        assertThat(p.affinityTimeout()).isEqualTo(Duration.ofSeconds(60));
    }
}
