package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
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
            p.protocol = "TCP";
            p.nodePort = 30080 + i++;
            s.spec.ports.add(p);
        }
        return s;
    }

    /** An endpoint with the three conditions (null: unset). */
    static EndpointSlice.Endpoint endpoint(String ip, Boolean ready, Boolean serving, Boolean terminating) {
        EndpointSlice.Endpoint e = new EndpointSlice.Endpoint();
        e.addresses.add(ip);
        e.conditions = new EndpointSlice.EndpointConditions();
        e.conditions.ready = ready;
        e.conditions.serving = serving;
        e.conditions.terminating = terminating;
        return e;
    }

    static EndpointSlice.Endpoint ready(String ip) {
        return endpoint(ip, true, true, false);
    }

    static EndpointSlice slice(String name, List<EndpointSlice.Endpoint> endpoints, Object... namePorts) {
        EndpointSlice s = new EndpointSlice();
        s.metadata.name = name;
        s.metadata.namespace = "default";
        s.metadata.labels.put(EndpointSlice.LABEL_SERVICE_NAME, "web");
        s.addressType = "IPv4";
        s.endpoints.addAll(endpoints);
        for (int i = 0; i < namePorts.length; i += 2) {
            EndpointSlice.EndpointPort p = new EndpointSlice.EndpointPort();
            p.name = (String) namePorts[i];
            p.port = (Integer) namePorts[i + 1];
            p.protocol = "TCP";
            s.ports.add(p);
        }
        return s;
    }

    @Test
    void eachServicePortGetsTheReadyEndpointsOfTheSlicePortOfItsName() {
        EndpointSlice s = slice("web-abcde", List.of(ready("10.1.0.2"), ready("10.1.0.1"), endpoint("10.1.0.9", false, false, false)),
                "http", 8080, "metrics", 9090);
        List<ProxiedPort> ports = ProxiedPorts.of(service("http", "metrics"), List.of(s));
        assertThat(ports).hasSize(2);
        assertThat(ports.get(0).id()).isEqualTo("default/web:http");
        assertThat(ports.get(0).nodePort()).isEqualTo(30080);
        assertThat(ports.get(0).endpoints()).containsExactly(new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080));
        assertThat(ports.get(1).endpoints()).containsExactly(new Endpoint("10.1.0.1", 9090), new Endpoint("10.1.0.2", 9090));
    }

    @Test
    void endpointsOnThisNodeAreLocalAndExternalTrafficPolicyLocalIsCarried() {
        EndpointSlice.Endpoint here = ready("10.1.0.1");
        here.nodeName = "node-a";
        EndpointSlice.Endpoint there = ready("10.1.0.2");
        there.nodeName = "node-b";
        EndpointSlice.Endpoint hereUnready = endpoint("10.1.0.3", false, false, false);
        hereUnready.nodeName = "node-a";
        Service s = service("http");
        s.spec.externalTrafficPolicy = "Local";
        ProxiedPort p = ProxiedPorts.of(s, List.of(slice("web-a", List.of(here, there, hereUnready), "http", 8080)), "node-a").getFirst();
        assertThat(p.externalPolicyLocal()).isTrue();
        assertThat(p.endpoints()).containsExactly(new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080));
        assertThat(p.localEndpoints()).containsExactly(new Endpoint("10.1.0.1", 8080));

        ProxiedPort unnamedNode = ProxiedPorts.of(service("http"), List.of(slice("web-a", List.of(here, there), "http", 8080))).getFirst();
        assertThat(unnamedNode.externalPolicyLocal()).isFalse();
        assertThat(unnamedNode.localEndpoints()).isEmpty();
    }

    @Test
    void theEndpointsOfAllTheServicesSlicesAreMergedAndDeduplicated() {
        List<EndpointSlice> slices = List.of(
                slice("web-aaaaa", List.of(ready("10.1.0.1"), ready("10.1.0.2")), "http", 8080),
                slice("web-bbbbb", List.of(ready("10.1.0.2"), ready("10.1.0.3")), "http", 8080),
                // pods whose named target port resolved to another number are another slice
                slice("web-ccccc", List.of(ready("10.1.0.4")), "http", 9090));
        assertThat(ProxiedPorts.of(service("http"), slices).getFirst().endpoints()).containsExactly(
                new Endpoint("10.1.0.1", 8080), new Endpoint("10.1.0.2", 8080), new Endpoint("10.1.0.3", 8080), new Endpoint("10.1.0.4", 9090));
    }

    @Test
    void anUnnamedServicePortMatchesTheEmptyNameOnlyAndTheProtocolMustMatch() {
        EndpointSlice unnamed = slice("web-aaaaa", List.of(ready("10.1.0.1")), "", 8080);
        EndpointSlice other = slice("web-bbbbb", List.of(ready("10.1.0.2")), "whatever", 8081);
        EndpointSlice udp = slice("web-ccccc", List.of(ready("10.1.0.3")), "", 8082);
        udp.ports.getFirst().protocol = "UDP";
        List<ProxiedPort> ports = ProxiedPorts.of(service((String) null), List.of(unnamed, other, udp));
        assertThat(ports.getFirst().endpoints()).containsExactly(new Endpoint("10.1.0.1", 8080));
        assertThat(ports.getFirst().id()).isEqualTo("default/web");
    }

    @Test
    void unsetConditionsMeanReady() {
        EndpointSlice.Endpoint unknown = new EndpointSlice.Endpoint();
        unknown.addresses.add("10.1.0.1");
        assertThat(ProxiedPorts.of(service("http"), List.of(slice("web-a", List.of(unknown), "http", 8080))).getFirst().endpoints())
                .containsExactly(new Endpoint("10.1.0.1", 8080));
    }

    @Test
    void withoutAReadyEndpointTheServingTerminatingOnesAreUsed() {
        EndpointSlice draining = slice("web-a", List.of(
                endpoint("10.1.0.1", false, true, true),
                endpoint("10.1.0.2", false, false, true),
                endpoint("10.1.0.3", false, false, false)), "http", 8080);
        assertThat(ProxiedPorts.of(service("http"), List.of(draining)).getFirst().endpoints()).containsExactly(new Endpoint("10.1.0.1", 8080));

        // as soon as one endpoint is ready anywhere, terminating ones get no new connections
        EndpointSlice fresh = slice("web-b", List.of(ready("10.1.0.9")), "http", 8080);
        assertThat(ProxiedPorts.of(service("http"), List.of(draining, fresh)).getFirst().endpoints()).containsExactly(new Endpoint("10.1.0.9", 8080));
    }

    @Test
    void missingSlicesMeanNoBackendsAndExternalNameMeansNoPorts() {
        assertThat(ProxiedPorts.of(service("http"), List.of()).get(0).endpoints()).isEmpty();
        // the placeholder slice of a Service without pods: no ports, no endpoints
        assertThat(ProxiedPorts.of(service("http"), List.of(slice("web-a", List.of()))).get(0).endpoints()).isEmpty();
        Service ext = service("http");
        ext.spec.type = "ExternalName";
        assertThat(ProxiedPorts.of(ext, List.of())).isEmpty();
    }

    @Test
    void clientIpAffinityUsesTheConfiguredTimeoutOrThreeHours() {
        Service s = service("http");
        s.spec.sessionAffinity = "ClientIP";
        assertThat(ProxiedPorts.of(s, List.of()).get(0).affinityTimeout()).isEqualTo(Duration.ofHours(3));
        s.spec.sessionAffinityConfig = new Service.SessionAffinityConfig();
        s.spec.sessionAffinityConfig.clientIP = new Service.SessionAffinityConfig.ClientIPConfig();
        s.spec.sessionAffinityConfig.clientIP.timeoutSeconds = 60;
        ProxiedPort p = ProxiedPorts.of(s, List.of()).get(0);
        assertThat(p.clientIpAffinity()).isTrue();
        assertThat(p.affinityTimeout()).isEqualTo(Duration.ofSeconds(60));
    }
}
