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

import static org.assertj.core.api.Assertions.assertThat;

/** Discovery of custom resources and the polled cache, against a canned discovery document. */
class CustomResourcesTest {
    final Map<String, String> answers = new ConcurrentHashMap<>();
    final HttpServer server;

    CustomResourcesTest() throws IOException {
        server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/", exchange -> {
            String body = answers.get(exchange.getRequestURI().getPath());
            byte[] bytes = (body == null ? "{\"kind\":\"Status\",\"code\":404,\"reason\":\"NotFound\"}" : body).getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "application/json");
            exchange.sendResponseHeaders(body == null ? 404 : 200, bytes.length);
            exchange.getResponseBody().write(bytes);
            exchange.close();
        });
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

    @Test
    void pollingTellsTheHandlersWhatWasAddedChangedAndDeleted() {
        CustomResources resources = new CustomResources(client(), Duration.ofSeconds(30), Duration.ofSeconds(1));
        List<String> seen = new ArrayList<>();
        resources.addHandler(new CustomResources.Handler() {
            @Override
            public void onAdd(CustomObject obj) {
                seen.add("add " + obj.kind + " " + obj.key() + " " + obj.resource.groupResource());
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
        resources.discover();
        // list items may come without apiVersion and kind
        answers.put("/apis/example.com/v2/widgets", """
                {"kind":"WidgetList","items":[{"metadata":{"name":"a","namespace":"ns","uid":"u-a","resourceVersion":"1"},"spec":{"x":1}}]}""");
        resources.poll();
        answers.put("/apis/example.com/v2/widgets", """
                {"kind":"WidgetList","items":[{"metadata":{"name":"a","namespace":"ns","uid":"u-a","resourceVersion":"2"},"spec":{"x":2}}]}""");
        resources.poll();
        resources.poll();
        answers.put("/apis/example.com/v2/widgets", "{\"kind\":\"WidgetList\",\"items\":[]}");
        resources.poll();

        assertThat(seen).containsExactly("add Widget ns/a widgets.example.com", "update ns/a 1->2", "delete ns/a");
        assertThat(resources.discoveryError()).isNull();
    }

    @Test
    void aFailedDiscoveryKeepsWhatWasFound() {
        CustomResources resources = new CustomResources(client(), Duration.ofSeconds(30), Duration.ofSeconds(1));
        resources.discover();
        answers.remove("/apis");

        resources.discover();

        assertThat(resources.resources()).extracting(ApiResource::groupResource).containsExactly("widgets.example.com", "clusterthings.example.com");
        assertThat(resources.discoveryError()).contains("404");
    }
}
