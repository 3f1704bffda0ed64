package io.kube4j.apiserver.metrics;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.errors.ApiError;
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
import tools.jackson.databind.node.ObjectNode;

import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MetricsApiControllerTest {
    static final String SUMMARY = """
            {"node":{"nodeName":"node-a","cpu":{"time":"2026-01-01T00:00:10Z","usageNanoCores":1500000000,"usageCoreNanoSeconds":99},
                     "memory":{"time":"2026-01-01T00:00:10Z","workingSetBytes":2147483648}},
             "pods":[{"podRef":{"name":"web","namespace":"default","uid":"%1$s"},
                      "containers":[{"name":"app","cpu":{"time":"2026-01-01T00:00:10Z","usageNanoCores":250000000},"memory":{"workingSetBytes":67108864}},
                                    {"name":"side","cpu":{"time":"2026-01-01T00:00:10Z","usageNanoCores":1234567},"memory":{"workingSetBytes":1000}}],
                      "cpu":{"time":"2026-01-01T00:00:10Z","usageNanoCores":251234567},"memory":{"workingSetBytes":67109864}},
                     {"podRef":{"name":"db","namespace":"default","uid":"%2$s"},
                      "containers":[{"name":"db","cpu":{"time":"2026-01-01T00:00:10Z","usageNanoCores":0},"memory":{"workingSetBytes":4096}}],
                      "cpu":{"time":"2026-01-01T00:00:10Z","usageNanoCores":0},"memory":{"workingSetBytes":4096}}]}
            """;

    MemoryStorage storage;
    WatchCache cache;
    Registry registry;
    HttpServer kubelet;
    // the fake kubelet's serving certificate: one PKI for the class (RSA key generation is slow)
    @org.junit.jupiter.api.io.TempDir
    static java.nio.file.Path pkiDir;
    static io.kube4j.apiserver.auth.Pki pki;
    final List<String> requests = new CopyOnWriteArrayList<>();
    MetricsApiController api;

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        registry = new Registry(storage, cache, props, TestStrategies.builtIn(null), List.of());
        cache.start();
        for (int i = 0; i < 200 && !cache.isReady(); i++) {
            Thread.sleep(10);
        }
        new SystemObjects(registry).ensure();
        kubelet = io.kube4j.apiserver.kubelet.FakeKubeletServer.create(pki().dir());
        kubelet.createContext("/", ex -> {
            requests.add(ex.getRequestURI().toString());
            byte[] body = SUMMARY.formatted(uid("web"), uid("db")).getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(200, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        kubelet.start();
        create(ResourceTypes.NODES, null, """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"node-a","labels":{"zone":"a"}},
                 "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":%d}}}}
                """.formatted(kubelet.getAddress().getPort()));
        create(ResourceTypes.NODES, null, """
                {"apiVersion":"v1","kind":"Node","metadata":{"name":"node-gone","labels":{"zone":"b"}},
                 "status":{"addresses":[{"type":"InternalIP","address":"127.0.0.1"}],"daemonEndpoints":{"kubeletEndpoint":{"Port":1}}}}
                """);
        pod("web", "web");
        pod("db", "db");
        api = new MetricsApiController(new KubeletSummaries(registry, new io.kube4j.apiserver.kubelet.KubeletClient((io.kube4j.apiserver.kubelet.KubeletClient.Credentials) null, null), Duration.ofSeconds(10)), registry);
    }

    private static synchronized io.kube4j.apiserver.auth.Pki pki() {
        if (pki == null) {
            pki = io.kube4j.apiserver.auth.Pki.ensure(pkiDir, List.of(), List.of(), "https://127.0.0.1:6443");
        }
        return pki;
    }

    @AfterEach
    void tearDown() {
        kubelet.stop(0);
        cache.close();
    }

    private void create(io.kube4j.api.ResourceType rt, String ns, String json) {
        registry.create(rt, ns, (ObjectNode) Json.tree(json.getBytes(StandardCharsets.UTF_8)), false);
    }

    private void pod(String name, String app) {
        create(ResourceTypes.PODS, "default", """
                {"apiVersion":"v1","kind":"Pod","metadata":{"name":"%s","namespace":"default","labels":{"app":"%s"}},
                 "spec":{"nodeName":"node-a","containers":[{"name":"c","image":"busybox"}]}}
                """.formatted(name, app));
        waitFor(() -> registry.cached(ResourceTypes.PODS, "default", name) != null);
    }

    /** The uid the registry gave the pod: the kubelet's summary names pods by it. */
    private String uid(String name) {
        return registry.get(ResourceTypes.PODS, "default", name).path("metadata").path("uid").asString();
    }

    private static void waitFor(java.util.function.BooleanSupplier condition) {
        for (int i = 0; i < 300 && !condition.getAsBoolean(); i++) {
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new RuntimeException(e);
            }
        }
        assertThat(condition.getAsBoolean()).isTrue();
    }

    static JsonNode body(org.springframework.http.ResponseEntity<byte[]> r) {
        return Json.tree(r.getBody());
    }

    @Test
    void nodeMetricsComeFromTheRegisteredKubeletAddressWithMetricsServerQuantities() {
        JsonNode list = body(api.listNodes(null, null));

        assertThat(list.path("kind").asString()).isEqualTo("NodeMetricsList");
        assertThat(list.path("apiVersion").asString()).isEqualTo("metrics.k8s.io/v1beta1");
        // node-gone's kubelet does not answer: left out, as metrics-server does
        assertThat(list.path("items")).hasSize(1);
        JsonNode node = list.path("items").get(0);
        assertThat(node.path("metadata").path("name").asString()).isEqualTo("node-a");
        assertThat(node.path("metadata").path("labels").path("zone").asString()).isEqualTo("a");
        assertThat(node.path("usage").path("cpu").asString()).isEqualTo("1500m");
        assertThat(node.path("usage").path("memory").asString()).isEqualTo("2Gi");
        assertThat(node.path("timestamp").asString()).isEqualTo("2026-01-01T00:00:10Z");
        assertThat(node.path("window").asString()).isEqualTo("10s");
        assertThat(requests).containsExactly("/stats/summary?node=node-a");
    }

    @Test
    void summariesAreCachedForTheResolution() {
        api.listNodes(null, null);
        api.getNode("node-a");
        api.listPods("default", null, null);
        assertThat(requests).hasSize(1);
    }

    @Test
    void nodeLabelSelectorAndNotFound() {
        assertThat(body(api.listNodes("zone=b", null)).path("items")).isEmpty();
        assertThat(body(api.getNode("node-a")).path("kind").asString()).isEqualTo("NodeMetrics");
        assertThatThrownBy(() -> api.getNode("node-gone")).isInstanceOf(ApiError.class)
                .hasMessageContaining("nodemetrics.metrics.k8s.io \"node-gone\" not found");
    }

    @Test
    void podMetricsListsContainersWithNanoAndBinaryQuantities() {
        JsonNode list = body(api.listPods("default", null, null));

        assertThat(list.path("kind").asString()).isEqualTo("PodMetricsList");
        assertThat(list.path("items")).hasSize(2);
        JsonNode web = list.path("items").get(1);
        assertThat(web.path("metadata").path("name").asString()).isEqualTo("web");
        assertThat(web.path("metadata").path("namespace").asString()).isEqualTo("default");
        assertThat(web.path("metadata").path("labels").path("app").asString()).isEqualTo("web");
        assertThat(web.path("containers").get(0).path("name").asString()).isEqualTo("app");
        assertThat(web.path("containers").get(0).path("usage").path("cpu").asString()).isEqualTo("250m");
        assertThat(web.path("containers").get(0).path("usage").path("memory").asString()).isEqualTo("64Mi");
        assertThat(web.path("containers").get(1).path("usage").path("cpu").asString()).isEqualTo("1234567n");
        assertThat(web.path("containers").get(1).path("usage").path("memory").asString()).isEqualTo("1k");
        JsonNode db = list.path("items").get(0);
        assertThat(db.path("containers").get(0).path("usage").path("cpu").asString()).isEqualTo("0");
        assertThat(db.path("containers").get(0).path("usage").path("memory").asString()).isEqualTo("4Ki");
    }

    @Test
    void podLabelSelectorsAllNamespacesAndGet() {
        JsonNode selected = body(api.listPods("default", "app=db", null));
        assertThat(selected.path("items")).hasSize(1);
        assertThat(selected.path("items").get(0).path("metadata").path("name").asString()).isEqualTo("db");
        assertThat(body(api.listAllPods(null, null)).path("items")).hasSize(2);
        assertThat(body(api.listPods("kube-system", null, null)).path("items")).isEmpty();
        assertThat(body(api.getPod("default", "web")).path("containers")).hasSize(2);
        assertThatThrownBy(() -> api.getPod("default", "nope")).isInstanceOf(ApiError.class)
                .hasMessageContaining("podmetrics.metrics.k8s.io \"default/nope\" not found");
    }

    @Test
    void onlyLiteralRegisteredAddressesAreContacted() {
        ObjectNode node = (ObjectNode) Json.tree("""
                {"metadata":{"name":"n/../x"},"status":{"addresses":[{"type":"Hostname","address":"evil.example"},{"type":"InternalIP","address":"evil.example/x?"}],
                 "daemonEndpoints":{"kubeletEndpoint":{"Port":10250}}}}""".getBytes(StandardCharsets.UTF_8));
        assertThat(KubeletSummaries.summaryUri(node)).isNull();
        ((ObjectNode) node.path("status").path("addresses").get(1)).put("address", "10.0.0.7");
        assertThat(KubeletSummaries.summaryUri(node).toString()).isEqualTo("https://10.0.0.7:10250/stats/summary?node=n%2F..%2Fx");
    }

    @Test
    void goDurations() {
        assertThat(MetricsApiController.goDuration(Duration.ofSeconds(10))).isEqualTo("10s");
        assertThat(MetricsApiController.goDuration(Duration.ofMillis(1500))).isEqualTo("1.5s");
        assertThat(MetricsApiController.goDuration(Duration.ofSeconds(60))).isEqualTo("1m0s");
    }
}
