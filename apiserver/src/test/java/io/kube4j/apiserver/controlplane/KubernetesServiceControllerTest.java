package io.kube4j.apiserver.controlplane;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.allocation.ServiceAllocationProperties;
import io.kube4j.apiserver.allocation.ServiceAllocator;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.TestStrategies;
import io.kube4j.apiserver.registry.kinds.SystemObjects;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

/** The default/kubernetes Service, Endpoints and EndpointSlice, as Kubernetes' apiserver keeps them. */
class KubernetesServiceControllerTest {
    MemoryStorage storage;
    WatchCache cache;
    Registry registry;
    KubernetesServiceController controller;

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        ServiceAllocationProperties services = new ServiceAllocationProperties("10.96.0.0/12", "30000-32767");
        registry = new Registry(storage, cache, props, TestStrategies.builtIn(new ServiceAllocator(storage, services)), List.of());
        cache.start();
        for (int i = 0; i < 200 && !cache.isReady(); i++) {
            Thread.sleep(10);
        }
        new SystemObjects(registry).ensure();
        controller = new KubernetesServiceController(registry, storage, services, "10.244.0.2", 6443);
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    @Test
    void theServiceHasTheFirstServiceAddressAndPort443ToTheApiserversPort() {
        controller.reconcile();
        ObjectNode svc = registry.get(ResourceTypes.SERVICES, "default", "kubernetes");
        assertThat(svc.path("spec").path("clusterIP").asString()).isEqualTo("10.96.0.1");
        assertThat(svc.path("spec").path("type").asString()).isEqualTo("ClusterIP");
        assertThat(svc.path("spec").path("ports").toString()).isEqualTo("[{\"name\":\"https\",\"protocol\":\"TCP\",\"port\":443,\"targetPort\":6443}]");
        assertThat(svc.path("metadata").path("labels").toString()).isEqualTo("{\"component\":\"apiserver\",\"provider\":\"kubernetes\"}");
        assertThat(svc.path("spec").has("selector") && !svc.path("spec").path("selector").isEmpty()).isFalse();
    }

    @Test
    void endpointsAndSliceNameTheAdvertiseAddressAndAreNotMirrored() {
        controller.reconcile();
        ObjectNode ep = registry.get(ResourceTypes.ENDPOINTS, "default", "kubernetes");
        assertThat(ep.path("metadata").path("labels").path("endpointslice.kubernetes.io/skip-mirror").asString()).isEqualTo("true");
        assertThat(ep.path("subsets").toString()).isEqualTo("[{\"addresses\":[{\"ip\":\"10.244.0.2\"}],\"ports\":[{\"name\":\"https\",\"port\":6443,\"protocol\":\"TCP\"}]}]");
        ObjectNode slice = registry.get(ResourceTypes.ENDPOINTSLICES, "default", "kubernetes");
        assertThat(slice.path("metadata").path("labels").path("kubernetes.io/service-name").asString()).isEqualTo("kubernetes");
        assertThat(slice.path("addressType").asString()).isEqualTo("IPv4");
        assertThat(slice.path("endpoints").get(0).path("addresses").toString()).isEqualTo("[\"10.244.0.2\"]");
        assertThat(slice.path("endpoints").get(0).path("conditions").path("ready").asBoolean()).isTrue();
    }

    @Test
    void aSecondRoundWritesNothingAndADriftedEndpointsIsReset() {
        controller.reconcile();
        String rv = registry.get(ResourceTypes.ENDPOINTS, "default", "kubernetes").path("metadata").path("resourceVersion").asString();
        controller.reconcile();
        assertThat(registry.get(ResourceTypes.ENDPOINTS, "default", "kubernetes").path("metadata").path("resourceVersion").asString()).isEqualTo(rv);

        ObjectNode ep = registry.get(ResourceTypes.ENDPOINTS, "default", "kubernetes");
        ((ObjectNode) ep.path("subsets").get(0).path("addresses").get(0)).put("ip", "10.0.0.9");
        registry.update(ResourceTypes.ENDPOINTS, "default", "kubernetes", ep, Registry.Part.MAIN, false);
        controller.reconcile();
        assertThat(registry.get(ResourceTypes.ENDPOINTS, "default", "kubernetes").path("subsets").get(0).path("addresses").get(0).path("ip").asString())
                .isEqualTo("10.244.0.2");
    }

    @Test
    void changedPortsOfTheServiceAreRepaired() {
        controller.reconcile();
        ObjectNode svc = registry.get(ResourceTypes.SERVICES, "default", "kubernetes");
        ((ObjectNode) svc.path("spec").path("ports").get(0)).put("port", 8443);
        registry.update(ResourceTypes.SERVICES, "default", "kubernetes", svc, Registry.Part.MAIN, false);
        controller.reconcile();
        assertThat(registry.get(ResourceTypes.SERVICES, "default", "kubernetes").path("spec").path("ports").get(0).path("port").asInt()).isEqualTo(443);
    }
}
