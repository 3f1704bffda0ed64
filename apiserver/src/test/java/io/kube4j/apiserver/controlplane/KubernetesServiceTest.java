package io.kube4j.apiserver.controlplane;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.allocation.ServiceAllocationProperties;
import io.kube4j.apiserver.allocation.ServiceAllocator;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.TestStrategies;
import io.kube4j.apiserver.registry.kinds.SystemObjects;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The default/kubernetes Service, Endpoints and EndpointSlice as Kubernetes' kubernetesservice controller and
 * lease endpoint reconciler keep them: created, put back when changed, one address per live apiserver,
 * an expired lease dropped, and our address removed at shutdown.
 */
class KubernetesServiceTest {
    MemoryStorage storage;
    WatchCache cache;
    Registry registry;
    Instant now = Instant.parse("2026-03-01T10:00:00Z");
    final Clock clock = new Clock() {
        @Override
        public java.time.ZoneId getZone() {
            return ZoneOffset.UTC;
        }

        @Override
        public Clock withZone(java.time.ZoneId zone) {
            return this;
        }

        @Override
        public Instant instant() {
            return now;
        }
    };

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        ServiceAllocator allocator = new ServiceAllocator(storage, new ServiceAllocationProperties("10.96.0.0/12", "30000-32767"));
        registry = new Registry(storage, cache, props, TestStrategies.builtIn(allocator), List.of(new NamespaceLifecycle(cache, storage)));
        cache.start();
        for (int i = 0; i < 200 && !cache.isReady(); i++) {
            Thread.sleep(10);
        }
        new SystemObjects(registry).ensure();
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    KubernetesService apiserver(String ip) {
        return new KubernetesService(registry, storage, "10.96.0.1", ip, 6443, clock);
    }

    JsonNode get(io.kube4j.api.ResourceType rt) {
        return registry.get(rt, "default", "kubernetes");
    }

    @Test
    void createsTheServiceEndpointsAndSliceAsKubernetes() {
        apiserver("192.168.1.10").reconcile();
        JsonNode svc = get(ResourceTypes.SERVICES);
        assertThat(svc.path("metadata").path("labels").toString()).isEqualTo("{\"component\":\"apiserver\",\"provider\":\"kubernetes\"}");
        assertThat(svc.path("spec").path("clusterIP").asString()).isEqualTo("10.96.0.1");
        assertThat(svc.path("spec").path("type").asString()).isEqualTo("ClusterIP");
        assertThat(svc.path("spec").path("sessionAffinity").asString()).isEqualTo("None");
        assertThat(svc.path("spec").has("selector")).isFalse();
        JsonNode port = svc.path("spec").path("ports").get(0);
        assertThat(port.path("name").asString()).isEqualTo("https");
        assertThat(port.path("port").asInt()).isEqualTo(443);
        assertThat(port.path("protocol").asString()).isEqualTo("TCP");
        assertThat(port.path("targetPort").asInt()).isEqualTo(6443);

        JsonNode ep = get(ResourceTypes.ENDPOINTS);
        assertThat(ep.path("metadata").path("labels").path("endpointslice.kubernetes.io/skip-mirror").asString()).isEqualTo("true");
        assertThat(ep.path("subsets").toString())
                .isEqualTo("[{\"addresses\":[{\"ip\":\"192.168.1.10\"}],\"ports\":[{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}]}]");

        JsonNode slice = get(ResourceTypes.ENDPOINTSLICES);
        assertThat(slice.path("metadata").path("labels").path("kubernetes.io/service-name").asString()).isEqualTo("kubernetes");
        assertThat(slice.path("addressType").asString()).isEqualTo("IPv4");
        assertThat(slice.path("endpoints").get(0).path("addresses").toString()).isEqualTo("[\"192.168.1.10\"]");
        assertThat(slice.path("endpoints").get(0).path("conditions").path("ready").asBoolean()).isTrue();
        assertThat(slice.path("ports").get(0).path("port").asInt()).isEqualTo(6443);
        assertThat(slice.path("ports").get(0).path("name").asString()).isEqualTo("https");
    }

    @Test
    void changedPortsAreWrittenBackAndASecondRoundWritesNothing() {
        KubernetesService ks = apiserver("192.168.1.10");
        ks.reconcile();
        registry.guaranteedUpdate(ResourceTypes.SERVICES, "default", "kubernetes", null, Registry.Part.MAIN, false, cur -> {
            ((tools.jackson.databind.node.ObjectNode) cur.path("spec").path("ports").get(0)).put("targetPort", 1234);
            return cur;
        });
        registry.guaranteedUpdate(ResourceTypes.ENDPOINTSLICES, "default", "kubernetes", null, Registry.Part.MAIN, false, cur -> {
            ((tools.jackson.databind.node.ObjectNode) cur.path("metadata").path("labels")).put("extra", "x");
            return cur;
        });
        ks.reconcile();
        assertThat(get(ResourceTypes.SERVICES).path("spec").path("ports").get(0).path("targetPort").asInt()).isEqualTo(6443);
        assertThat(get(ResourceTypes.ENDPOINTSLICES).path("metadata").path("labels").toString()).isEqualTo("{\"kubernetes.io/service-name\":\"kubernetes\"}");
        String rvService = get(ResourceTypes.SERVICES).path("metadata").path("resourceVersion").asString();
        String rvEndpoints = get(ResourceTypes.ENDPOINTS).path("metadata").path("resourceVersion").asString();
        String rvSlice = get(ResourceTypes.ENDPOINTSLICES).path("metadata").path("resourceVersion").asString();
        ks.reconcile();
        assertThat(get(ResourceTypes.SERVICES).path("metadata").path("resourceVersion").asString()).isEqualTo(rvService);
        assertThat(get(ResourceTypes.ENDPOINTS).path("metadata").path("resourceVersion").asString()).isEqualTo(rvEndpoints);
        assertThat(get(ResourceTypes.ENDPOINTSLICES).path("metadata").path("resourceVersion").asString()).isEqualTo(rvSlice);
    }

    @Test
    void everyLiveApiserverIsAnEndpointSortedAndAnExpiredOneIsDropped() {
        KubernetesService a = apiserver("10.0.0.2");
        KubernetesService b = apiserver("10.0.0.10");
        a.reconcile();
        b.reconcile();
        a.reconcile();
        // lexicographic, as RepackSubsets keeps it
        assertThat(get(ResourceTypes.ENDPOINTS).path("subsets").get(0).path("addresses").toString())
                .isEqualTo("[{\"ip\":\"10.0.0.10\"},{\"ip\":\"10.0.0.2\"}]");
        assertThat(get(ResourceTypes.ENDPOINTSLICES).path("endpoints")).hasSize(2);
        // b stops renewing: after the 15 s TTL, a's next round drops it
        now = now.plus(Duration.ofSeconds(10));
        a.reconcile();
        assertThat(get(ResourceTypes.ENDPOINTS).path("subsets").get(0).path("addresses")).hasSize(2);
        now = now.plus(Duration.ofSeconds(10));
        a.reconcile();
        assertThat(get(ResourceTypes.ENDPOINTS).path("subsets").get(0).path("addresses").toString()).isEqualTo("[{\"ip\":\"10.0.0.2\"}]");
        assertThat(get(ResourceTypes.ENDPOINTSLICES).path("endpoints").toString()).isEqualTo("[{\"addresses\":[\"10.0.0.2\"],\"conditions\":{\"ready\":true}}]");
    }

    @Test
    void shutdownRemovesOurAddressAndTheLastOneLeavesNoSubsets() {
        KubernetesService a = apiserver("10.0.0.2");
        KubernetesService b = apiserver("10.0.0.3");
        a.reconcile();
        b.reconcile();
        a.shutdown();
        assertThat(get(ResourceTypes.ENDPOINTS).path("subsets").get(0).path("addresses").toString()).isEqualTo("[{\"ip\":\"10.0.0.3\"}]");
        b.shutdown();
        assertThat(get(ResourceTypes.ENDPOINTS).path("subsets").isEmpty()).isTrue();
        assertThat(get(ResourceTypes.ENDPOINTSLICES).path("endpoints").isEmpty()).isTrue();
        // the Service stays, as in Kubernetes
        assertThat(get(ResourceTypes.SERVICES).path("spec").path("clusterIP").asString()).isEqualTo("10.96.0.1");
    }

    @Test
    void leasesAndTheEmptyEndpoints() {
        KubernetesService a = apiserver("10.0.0.2");
        a.reconcile();
        assertThat(a.liveLeases()).containsExactly("10.0.0.2");
        assertThat(Json.write(a.endpoints(List.of()).path("subsets"))).isEqualTo("[]");
        // and a stopped apiserver no longer renews its lease
        a.shutdown();
        a.reconcile();
        assertThat(a.liveLeases()).isEmpty();
    }

    @Test
    void theDefaultAdvertiseAddressIsAnIpv4Address() {
        assertThat(KubernetesService.defaultAdvertiseAddress()).matches("\\d+\\.\\d+\\.\\d+\\.\\d+");
    }
}
