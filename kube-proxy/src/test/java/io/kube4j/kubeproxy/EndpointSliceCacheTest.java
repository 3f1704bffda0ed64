package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Endpoints;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import org.junit.jupiter.api.Test;

import java.util.List;

import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

class EndpointSliceCacheTest {
    final Informer<EndpointSlice> informer = new Informer<>(new ApiClient("http://127.0.0.1:1"), EndpointSlice.class);
    final EndpointSliceCache cache = new EndpointSliceCache(informer);

    static EndpointSlice slice(String ns, String name, String service, List<EndpointSlice.Endpoint> endpoints) {
        EndpointSlice s = ProxiedPortsTest.slice(name, endpoints, "http", 8080);
        s.metadata.namespace = ns;
        if (service == null) {
            s.metadata.labels.clear();
        } else {
            s.metadata.labels.put(EndpointSlice.LABEL_SERVICE_NAME, service);
        }
        return s;
    }

    @Test
    void slicesAreGroupedByTheirServiceNameLabel() {
        preload(informer,
                slice("shop", "db-bbbbb", "db", List.of()),
                slice("shop", "db-aaaaa", "db", List.of()),
                slice("other", "db-ccccc", "db", List.of()),
                slice("shop", "orphan", null, List.of()));
        assertThat(cache.slices("shop", "db")).extracting(s -> s.metadata.name).containsExactly("db-aaaaa", "db-bbbbb");
        assertThat(cache.slices("shop", "web")).isEmpty();
    }

    @Test
    void forDnsTheReadyEndpointsOfEachSliceBecomeASubsetWithTheirHostnames() {
        EndpointSlice.Endpoint named = ProxiedPortsTest.ready("10.1.0.7");
        named.hostname = "db-0";
        preload(informer,
                slice("shop", "db-aaaaa", "db", List.of(named, ProxiedPortsTest.endpoint("10.1.0.9", false, true, true))),
                slice("shop", "db-bbbbb", "db", List.of(ProxiedPortsTest.ready("10.1.0.5"))));

        Endpoints eps = cache.endpoints("shop", "db");

        assertThat(eps.subsets).hasSize(2);
        assertThat(eps.subsets).flatExtracting(s -> s.addresses).extracting(a -> a.ip).containsExactly("10.1.0.7", "10.1.0.5");
        assertThat(eps.subsets.getFirst().addresses.getFirst().hostname).isEqualTo("db-0");
        assertThat(eps.subsets.getFirst().ports).singleElement().satisfies(p -> assertThat(p.port).isEqualTo(8080));
        assertThat(cache.endpoints("shop", "none")).isNull();
    }
}
