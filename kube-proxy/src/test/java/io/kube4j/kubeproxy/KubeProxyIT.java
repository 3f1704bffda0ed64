package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Service;
import io.kube4j.client.ApiClient;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.ComponentProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.xbill.DNS.ARecord;
import org.xbill.DNS.DClass;
import org.xbill.DNS.Message;
import org.xbill.DNS.Name;
import org.xbill.DNS.Record;
import org.xbill.DNS.Section;
import org.xbill.DNS.SimpleResolver;
import org.xbill.DNS.Type;

import java.io.IOException;
import java.net.ConnectException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

/**
 * The kube-proxy process against a real apiserver and etcd, forwarding real TCP connections to three
 * backend HTTP servers. The test writes Services and EndpointSlices itself, as the EndpointSlice controller would.
 */
class KubeProxyIT {
    static EtcdContainer etcd;
    static ApiServerProcess apiserver;
    static ComponentProcess proxy;
    static ApiClient api;
    static int dnsPort;
    final List<Backend> backends = new ArrayList<>();

    @BeforeAll
    static void start() {
        etcd = new EtcdContainer();
        etcd.start();
        // a NodePort range away from the one the compose cluster publishes
        apiserver = new ApiServerProcess(etcd.endpoint(), "--kube4j.services.node-port-range=32000-32700").start();
        api = new ApiClient(apiserver.url());
        dnsPort = ApiServerProcess.freePort();
        proxy = new ComponentProcess("kube-proxy", "kube-proxy", ApiServerProcess.freePort(), "/healthz", List.of(
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kube-proxy.bind-address=127.0.0.1",
                "--kube4j.dns.bind-address=127.0.0.1",
                "--kube4j.dns.port=" + dnsPort)).start();
    }

    @AfterAll
    static void stop() {
        if (proxy != null) {
            proxy.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    @AfterEach
    void stopBackends() {
        backends.forEach(Backend::close);
    }

    List<Backend> backends(String... names) throws IOException {
        List<Backend> out = new ArrayList<>();
        for (String n : names) {
            Backend b = new Backend(n);
            backends.add(b);
            out.add(b);
        }
        return out;
    }

    static Service service(String name, String affinity) {
        Service s = new Service();
        s.metadata.name = name;
        s.metadata.namespace = "default";
        s.spec.type = "NodePort";
        s.spec.sessionAffinity = affinity;
        Service.ServicePort p = new Service.ServicePort();
        p.name = "http";
        p.port = 80;
        s.spec.ports.add(p);
        return api.create(s);
    }

    /**
     * EndpointSlices as the EndpointSlice controller writes them: the backends all listen on 127.0.0.1
     * on different ports, like pods whose named target port resolves to different numbers, so each
     * gets its own slice; slices of backends no longer listed are deleted.
     */
    static void endpoints(String name, List<Backend> ready) {
        endpoints(name, ready, true, true, false);
    }

    /** As {@link #endpoints(String, List)}, with the given conditions on every endpoint. */
    static void endpoints(String name, List<Backend> backends, boolean ready, boolean serving, boolean terminating) {
        List<String> wanted = new ArrayList<>();
        for (Backend b : backends) {
            String sliceName = name + "-" + b.name;
            wanted.add(sliceName);
            if (api.find(EndpointSlice.class, "default", sliceName).isPresent()) {
                continue;
            }
            EndpointSlice s = new EndpointSlice();
            s.metadata.name = sliceName;
            s.metadata.namespace = "default";
            s.metadata.labels.put(EndpointSlice.LABEL_SERVICE_NAME, name);
            s.metadata.labels.put(EndpointSlice.LABEL_MANAGED_BY, "endpointslice-controller.k8s.io");
            s.addressType = "IPv4";
            EndpointSlice.EndpointPort p = new EndpointSlice.EndpointPort();
            p.name = "http";
            p.port = b.port();
            p.protocol = "TCP";
            s.ports.add(p);
            EndpointSlice.Endpoint e = new EndpointSlice.Endpoint();
            e.addresses.add("127.0.0.1");
            e.conditions = new EndpointSlice.EndpointConditions();
            e.conditions.ready = ready;
            e.conditions.serving = serving;
            e.conditions.terminating = terminating;
            s.endpoints.add(e);
            api.create(s);
        }
        for (EndpointSlice s : api.list(EndpointSlice.class, "default").items) {
            if (name.equals(s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME)) && !wanted.contains(s.metadata.name)) {
                api.delete(EndpointSlice.class, "default", s.metadata.name);
            }
        }
    }

    static Map<String, Integer> spread(int nodePort, int requests) throws IOException {
        Map<String, Integer> hits = new HashMap<>();
        for (int i = 0; i < requests; i++) {
            hits.merge(Backend.get(nodePort), 1, Integer::sum);
        }
        return hits;
    }

    /** Waits until the proxy forwards to exactly {@code names} (each seen within a few round-robin cycles). */
    static void awaitBackends(int nodePort, String... names) {
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).ignoreExceptions()
                .untilAsserted(() -> assertThat(spread(nodePort, names.length * 3).keySet()).containsExactlyInAnyOrder(names));
    }

    @Test
    void requestsSpreadAcrossAllThreeEndpointsAndMoveOffAStoppedOneWithoutAFailure() throws Exception {
        List<Backend> b = backends("a", "b", "c");
        Service svc = service("web", "None");
        endpoints("web", b);
        int nodePort = svc.spec.ports.get(0).nodePort;
        awaitBackends(nodePort, "a", "b", "c");

        Map<String, Integer> hits = spread(nodePort, 30);
        assertThat(hits).containsOnlyKeys("a", "b", "c");
        assertThat(hits.values()).allMatch(n -> n == 10);

        // the endpoint dies before the EndpointSlice controller notices: refused connections move on to the next
        b.get(2).close();
        Map<String, Integer> beforeUpdate = spread(nodePort, 20);
        assertThat(beforeUpdate).containsOnlyKeys("a", "b");
        endpoints("web", b.subList(0, 2));
        for (int i = 0; i < 10; i++) {
            assertThat(spread(nodePort, 10)).containsOnlyKeys("a", "b");
            Thread.sleep(50);
        }

        String metrics = get(proxy.url() + "/actuator/prometheus");
        assertThat(metrics).contains("kubeproxy_connections_total{service=\"default/web:http\"}");
        assertThat(metrics).containsPattern("kubeproxy_bytes_total\\{direction=\"out\",service=\"default/web:http\"} [1-9]");
        assertThat(metrics).contains("kubeproxy_endpoints{service=\"default/web:http\"} 2.0");
        api.delete(Service.class, "default", "web");
    }

    @Test
    void clientIpAffinityKeepsTheClientOnOneEndpoint() throws Exception {
        List<Backend> b = backends("x", "y", "z");
        Service svc = service("sticky", "ClientIP");
        endpoints("sticky", b);
        int nodePort = svc.spec.ports.get(0).nodePort;
        await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() -> !Backend.get(nodePort).isEmpty());
        assertThat(spread(nodePort, 20)).hasSize(1);
        api.delete(Service.class, "default", "sticky");
    }

    @Test
    void deletingTheServiceClosesItsPort() throws Exception {
        List<Backend> b = backends("only");
        Service svc = service("doomed", "None");
        endpoints("doomed", b);
        int nodePort = svc.spec.ports.get(0).nodePort;
        awaitBackends(nodePort, "only");
        api.delete(Service.class, "default", "doomed");
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThatThrownBy(() -> {
                    try (Socket s = new Socket()) {
                        s.connect(new InetSocketAddress("127.0.0.1", nodePort), 1000);
                    }
                }).isInstanceOf(ConnectException.class));
    }

    @Test
    void clusterDnsAnswersWithTheServicesClusterIp() throws Exception {
        Service svc = service("named", "None");
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", dnsPort));
        resolver.setTimeout(Duration.ofSeconds(2));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("named.default.svc.cluster.local."), Type.A, DClass.IN));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            List<Record> answers = resolver.send(query).getSection(Section.ANSWER);
            assertThat(answers).singleElement().satisfies(r -> assertThat(((ARecord) r).getAddress().getHostAddress()).isEqualTo(svc.spec.clusterIP));
        });
        api.delete(Service.class, "default", "named");
    }

    @Test
    void withNoReadyEndpointLeftConnectionsGoToTheOnesStillServingWhileTerminating() throws Exception {
        List<Backend> b = backends("leaving", "stopped");
        Service svc = service("draining", "None");
        endpoints("draining", b.subList(0, 1), false, true, true);
        // a terminating endpoint that no longer serves is never used
        EndpointSlice notServing = api.get(EndpointSlice.class, "default", "draining-leaving");
        notServing.metadata.name = "draining-stopped";
        notServing.metadata.resourceVersion = null;
        notServing.metadata.uid = null;
        notServing.ports.getFirst().port = b.get(1).port();
        notServing.endpoints.getFirst().conditions.serving = false;
        api.create(notServing);
        int nodePort = svc.spec.ports.get(0).nodePort;
        awaitBackends(nodePort, "leaving");
        assertThat(spread(nodePort, 10)).containsOnlyKeys("leaving");
        api.delete(Service.class, "default", "draining");
    }

    @Test
    void aHeadlessServiceResolvesToTheReadyAddressesOfItsSlices() throws Exception {
        Service s = new Service();
        s.metadata.name = "peers";
        s.metadata.namespace = "default";
        s.spec.clusterIP = "None";
        Service.ServicePort p = new Service.ServicePort();
        p.name = "http";
        p.port = 80;
        s.spec.ports.add(p);
        api.create(s);
        EndpointSlice slice = new EndpointSlice();
        slice.metadata.name = "peers-abcde";
        slice.metadata.namespace = "default";
        slice.metadata.labels.put(EndpointSlice.LABEL_SERVICE_NAME, "peers");
        slice.addressType = "IPv4";
        for (String[] ep : new String[][]{{"10.1.0.5", "true"}, {"10.1.0.6", "false"}}) {
            EndpointSlice.Endpoint e = new EndpointSlice.Endpoint();
            e.addresses.add(ep[0]);
            e.conditions = new EndpointSlice.EndpointConditions();
            e.conditions.ready = Boolean.parseBoolean(ep[1]);
            slice.endpoints.add(e);
        }
        api.create(slice);
        SimpleResolver resolver = new SimpleResolver(new InetSocketAddress("127.0.0.1", dnsPort));
        resolver.setTimeout(Duration.ofSeconds(2));
        Message query = Message.newQuery(Record.newRecord(Name.fromString("peers.default.svc.cluster.local."), Type.A, DClass.IN));
        await().atMost(Duration.ofSeconds(20)).pollInterval(Duration.ofMillis(100)).untilAsserted(() ->
                assertThat(resolver.send(query).getSection(Section.ANSWER)).singleElement()
                        .satisfies(r -> assertThat(((ARecord) r).getAddress().getHostAddress()).isEqualTo("10.1.0.5")));
        api.delete(Service.class, "default", "peers");
    }

    static String get(String url) throws Exception {
        try (HttpClient http = HttpClient.newHttpClient()) {
            return http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.ofString()).body();
        }
    }
}
