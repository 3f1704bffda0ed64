package io.kube4j.apiserver;

import io.kube4j.api.Service;
import io.kube4j.api.Status;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

/**
 * ClusterIP and NodePort allocation through two real apiservers on one etcd. The ranges are small
 * (30 addresses, 40 ports) so that concurrent random picks really collide and the transactions'
 * guards are exercised, not just the odds of a 2^20 range.
 */
class ServiceAllocationIT {
    static final String[] RANGES = {"--kube4j.services.cluster-ip-range=10.96.0.0/27", "--kube4j.services.node-port-range=30000-30039"};
    static ApiServerFixture fx;
    static ApiServerProcess second;
    static ApiClient api;
    static ApiClient api2;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start(RANGES);
        second = new ApiServerProcess(fx.etcd.endpoint(), RANGES).start();
        api = fx.client;
        api2 = new ApiClient(second.url());
    }

    @AfterAll
    static void stop() {
        if (second != null) {
            second.close();
        }
        fx.close();
    }

    static Service service(String name, String type, Integer nodePort) {
        Service s = new Service();
        s.metadata.name = name;
        s.metadata.namespace = "default";
        s.spec.type = type;
        s.spec.selector.put("app", name);
        Service.ServicePort p = new Service.ServicePort();
        p.port = 80;
        p.nodePort = nodePort;
        s.spec.ports.add(p);
        return s;
    }

    @Test
    void concurrentCreatesOnTwoApiserversNeverShareAnIpOrPort() throws Exception {
        int n = 24;
        CountDownLatch go = new CountDownLatch(1);
        List<Future<Service>> results = new ArrayList<>();
        try (ExecutorService pool = Executors.newFixedThreadPool(n)) {
            for (int i = 0; i < n; i++) {
                ApiClient client = i % 2 == 0 ? api : api2;
                Service s = service("race-" + i, "NodePort", null);
                results.add(pool.submit(() -> {
                    go.await();
                    return client.create(s);
                }));
            }
            go.countDown();
            Set<String> ips = new HashSet<>();
            Set<Integer> ports = new HashSet<>();
            for (Future<Service> f : results) {
                Service created = f.get();
                assertThat(created.spec.clusterIP).startsWith("10.96.0.");
                ips.add(created.spec.clusterIP);
                ports.add(created.spec.ports.get(0).nodePort);
            }
            assertThat(ips).hasSize(n);
            assertThat(ports).hasSize(n).allMatch(p -> p >= 30000 && p <= 30039);
        } finally {
            for (int i = 0; i < n; i++) {
                api.delete(Service.class, "default", "race-" + i);
            }
        }
    }

    @Test
    void requestedNodePortThatIsTakenIsRejectedWith422() {
        api.create(service("owner", "NodePort", 30020));
        try {
            ApiException e = catchThrowableOfType(ApiException.class, () -> api2.create(service("thief", "NodePort", 30020)));
            assertThat(e.code()).isEqualTo(422);
            assertThat(e.status().reason).isEqualTo("Invalid");
            Status.Cause cause = e.status().details.causes.get(0);
            assertThat(cause.field).isEqualTo("spec.ports[0].nodePort");
            assertThat(cause.message).contains("provided port is already allocated");
            assertThat(api.find(Service.class, "default", "thief")).isEmpty();
        } finally {
            api.delete(Service.class, "default", "owner");
        }
    }

    @Test
    void requestedNodePortOutsideTheRangeIsRejectedWith422() {
        ApiException e = catchThrowableOfType(ApiException.class, () -> api.create(service("outside", "NodePort", 31000)));
        assertThat(e.code()).isEqualTo(422);
        assertThat(e.status().details.causes.get(0).message).contains("The range of valid ports is 30000-30039");
    }

    @Test
    void deleteReleasesTheClusterIpAndNodePort() {
        Service first = service("reuse-a", "NodePort", 30030);
        first.spec.clusterIP = "10.96.0.30";
        api.create(first);
        api.delete(Service.class, "default", "reuse-a");

        Service again = service("reuse-b", "NodePort", 30030);
        again.spec.clusterIP = "10.96.0.30";
        Service created = api2.create(again);
        assertThat(created.spec.clusterIP).isEqualTo("10.96.0.30");
        assertThat(created.spec.ports.get(0).nodePort).isEqualTo(30030);
        api.delete(Service.class, "default", "reuse-b");
    }

    @Test
    void updateKeepsAddressesAndTypeChangeReleasesTheNodePort() {
        Service created = api.create(service("retype", "NodePort", 30031));
        // a PUT that leaves clusterIP and nodePort out keeps them, as kubectl apply relies on
        Service put = service("retype", "NodePort", null);
        put.metadata.resourceVersion = created.metadata.resourceVersion;
        put.spec.ports.get(0).port = 8080;
        Service updated = api.update(put);
        assertThat(updated.spec.clusterIP).isEqualTo(created.spec.clusterIP);
        assertThat(updated.spec.ports.get(0).nodePort).isEqualTo(30031);

        Service toClusterIp = Json.copy(updated);
        toClusterIp.spec.type = "ClusterIP";
        Service clusterIpOnly = api.update(toClusterIp);
        assertThat(clusterIpOnly.spec.ports.get(0).nodePort).isNull();
        assertThat(clusterIpOnly.spec.clusterIP).isEqualTo(created.spec.clusterIP);

        Service taker = api.create(service("taker", "NodePort", 30031));
        assertThat(taker.spec.ports.get(0).nodePort).isEqualTo(30031);
        api.delete(Service.class, "default", "taker");
        api.delete(Service.class, "default", "retype");
    }

    @Test
    void headlessServiceHasNoClusterIp() {
        Service headless = service("headless", "ClusterIP", null);
        headless.spec.clusterIP = "None";
        Service created = api.create(headless);
        assertThat(created.spec.clusterIP).isEqualTo("None");
        api.delete(Service.class, "default", "headless");
    }
}
