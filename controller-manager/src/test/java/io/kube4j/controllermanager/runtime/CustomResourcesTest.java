package io.kube4j.controllermanager.runtime;

import com.sun.net.httpserver.HttpServer;
import io.kube4j.client.ApiClient;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Discovery of custom resources and their informers' cache, against a canned discovery document. */
class CustomResourcesTest {
    final Map<String, String> answers = new ConcurrentHashMap<>();
    // path -> the batches its polls answer, in turn
    final Map<String, Queue<String>> watchBatches = new ConcurrentHashMap<>();
    final List<String> requests = new CopyOnWriteArrayList<>();
    final HttpServer server;

    CustomResourcesTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String query = exchange.getRequestURI().getQuery();
            String body;
            if (query != null && query.contains("watch=poll")) {
                // one canned batch of events per poll; none left: an empty batch after a while, as a timed-out poll
                requests.add(exchange.getRequestURI().getPath() + "?watch");
                body = watchBatches.computeIfAbsent(exchange.getRequestURI().getPath(), k -> new ConcurrentLinkedQueue<>()).poll();
                if (body == null) {
                    sleep(100);
                    body = "{\"kind\":\"WatchEventList\",\"metadata\":{},\"items\":[]}";
                }
            } else {
                requests.add(exchange.getRequestURI().getPath());
                body = answers.get(exchange.getRequestURI().getPath());
            }
            byte[] bytes = (body == null ? "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newCachedThreadPool());
        server.start();
        answers.put("/apis", """
                {"kind":"APIGroupList","groups":[
                 {"name":"apps","versions":[{"groupVersion":"apps/v1","version":"v1"}],"preferredVersion":{"groupVersion":"apps/v1","version":"v1"}},
                 {"name":"example.com","versions":[{"groupVersion":"example.com/v2","version":"v2"},{"groupVersion":"example.com/v1","version":"v1"}],
                  "preferredVersion":{"groupVersion":"example.com/v2","version":"v2"}}]}""");
        answers.put("/apis/example.com/v2", """
                {"kind":"APIResourceList","groupVersion":"example.com/v2","resources":[
                 {"name":"widgets","singularName":"widget","namespaced":true,"kind":"Widget","verbs":["delete","deletecollection","get","list","patch","create","update","watch"]},
                 {"name":"widgets/status","singularName":"","namespaced":true,"kind":"Widget","verbs":["get","patch","update"]},
                 {"name":"clusterthings","namespaced":false,"kind":"ClusterThing","verbs":["get","list"]}]}""");
    }

    @AfterEach
    void stop() {
        server.stop(0);
    }

    ApiClient client() {
        return new ApiClient("http://127.0.0.1:" + server.getAddress().getPort());
    }

    @Test
    void discoveryFindsThePreferredVersionOfCustomGroupsWithoutSubresources() {
        List<ApiResource> found = CustomResources.discoverCustom(client());

        assertThat(found).containsExactly(
                new ApiResource("example.com", "v2", "widgets", "Widget", true, List.of("delete", "deletecollection", "get", "list", "patch", "create", "update", "watch")),
                new ApiResource("example.com", "v2", "clusterthings", "ClusterThing", false, List.of("get", "list")));
        assertThat(found.getFirst().collectionPath("ns")).isEqualTo("/apis/example.com/v2/namespaces/ns/widgets");
        assertThat(found.getFirst().objectPath("ns", "w")).isEqualTo("/apis/example.com/v2/namespaces/ns/widgets/w");
        assertThat(found.get(1).objectPath("ns", "c")).isEqualTo("/apis/example.com/v2/clusterthings/c");
    }

    static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Test
    void aWatchOfEachDiscoveredResourceTellsTheHandlersWhatWasAddedChangedAndDeleted() {
        CustomResources resources = new CustomResources(client(), Duration.ofSeconds(30));
        List<String> seen = new CopyOnWriteArrayList<>();
        resources.addHandler(new CustomResources.Handler() {
            @Override
            public void onAdd(CustomObject obj) {
                seen.add("add " + obj.kind + " " + obj.apiVersion + " " + obj.key() + " " + obj.resource.groupResource());
            }

            @Override
            public void onUpdate(CustomObject old, CustomObject obj) {
                seen.add("update " + obj.key() + " " + old.metadata.resourceVersion + "->" + obj.metadata.resourceVersion);
            }

            @Override
            public void onDelete(CustomObject obj) {
                seen.add("delete " + obj.key());
            }
        });
        answers.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "{\"kind\":\"CustomResourceDefinitionList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
        // list items may come without apiVersion and kind
        answers.put("/apis/example.com/v2/widgets", """
                {"kind":"WidgetList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a","namespace":"ns","uid":"u-a","resourceVersion":"1"},"spec":{"x":1}}]}""");
        watchBatches.computeIfAbsent("/apis/example.com/v2/widgets", k -> new ConcurrentLinkedQueue<>()).add("""
                {"kind":"WatchEventList","metadata":{"resourceVersion":"3"},"items":[
                 {"type":"MODIFIED","object":{"apiVersion":"example.com/v2","kind":"Widget","metadata":{"name":"a","namespace":"ns","uid":"u-a","resourceVersion":"2"},"spec":{"x":2}}},
                 {"type":"DELETED","object":{"apiVersion":"example.com/v2","kind":"Widget","metadata":{"name":"a","namespace":"ns","uid":"u-a","resourceVersion":"3"}}}]}""");

        resources.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> seen.size() == 3);
            assertThat(seen).containsExactly("add Widget example.com/v2 ns/a widgets.example.com", "update ns/a 1->2", "delete ns/a");
            // only what the GC can act on is watched: clusterthings has no watch or delete verb
            assertThat(resources.watched()).containsExactly("widgets.example.com");
            assertThat(resources.get("widgets.example.com", "ns/a")).isNull();
            assertThat(requests).contains("/apis/example.com/v2/widgets", "/apis/example.com/v2/widgets?watch").doesNotContain("/apis/example.com/v2/clusterthings");
        } finally {
            resources.stop();
        }
        assertThat(resources.watched()).isEmpty();
    }

    @Test
    void aResourceNoLongerDiscoveredIsNoLongerWatchedAndItsObjectsAreGone() {
        CustomResources resources = new CustomResources(client(), Duration.ofSeconds(30));
        List<String> seen = new CopyOnWriteArrayList<>();
        resources.addHandler(new CustomResources.Handler() {
            @Override
            public void onAdd(CustomObject obj) {
                seen.add("add " + obj.key());
            }

            @Override
            public void onUpdate(CustomObject old, CustomObject obj) {
                seen.add("update " + obj.key());
            }

            @Override
            public void onDelete(CustomObject obj) {
                seen.add("delete " + obj.key());
            }
        });
        answers.put("/apis/apiextensions.k8s.io/v1/customresourcedefinitions", "{\"kind\":\"CustomResourceDefinitionList\",\"metadata\":{\"resourceVersion\":\"1\"},\"items\":[]}");
        answers.put("/apis/example.com/v2/widgets", """
                {"kind":"WidgetList","metadata":{"resourceVersion":"1"},"items":[{"metadata":{"name":"a","namespace":"ns","uid":"u-a","resourceVersion":"1"}}]}""");
        resources.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> resources.get("widgets.example.com", "ns/a") != null);

            resources.setResources(List.of());

            assertThat(resources.watched()).isEmpty();
            assertThat(resources.get("widgets.example.com", "ns/a")).isNull();
            assertThat(seen).containsExactly("add ns/a", "delete ns/a");
        } finally {
            resources.stop();
        }
    }

    @Test
    void aFailedDiscoveryKeepsWhatWasFound() {
        CustomResources resources = new CustomResources(client(), Duration.ofSeconds(30));
        resources.discover();
        answers.remove("/apis");

        resources.discover();

        assertThat(resources.resources()).extracting(ApiResource::groupResource).containsExactly("widgets.example.com", "clusterthings.example.com");
        assertThat(resources.discoveryError()).contains("404");
    }
}
