package io.kube4j.apiserver.discovery;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import org.springframework.http.ResponseEntity;
import org.springframework.mock.web.MockHttpServletRequest;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;

class DiscoveryTest {
    final DiscoveryController discovery = new DiscoveryController(new ServedResources(io.kube4j.apiserver.registry.TestStrategies.builtIn(null)));
    final OpenApiController openapi = new OpenApiController();

    static JsonNode body(ResponseEntity<byte[]> r) {
        return Json.tree(r.getBody());
    }

    static MockHttpServletRequest request(String uri, String accept) {
        MockHttpServletRequest req = new MockHttpServletRequest("GET", uri);
        if (accept != null) {
            req.addHeader("Accept", accept);
        }
        return req;
    }

    @Test
    void versionIsSemverAndMinor32() {
        JsonNode v = body(discovery.version());

        assertThat(v.path("minor").asString()).isEqualTo("32");
        assertThat(v.path("gitVersion").asString()).matches("v1\\.32\\.\\d+");
    }

    @Test
    void coreResourceListNamesVerbsShortNamesAndSubresourceKinds() {
        JsonNode list = body(discovery.coreResources("v1"));
        JsonNode apps = body(discovery.groupResources("apps", "v1"));

        List<String> names = new ArrayList<>();
        list.path("resources").forEach(r -> names.add(r.path("name").asString()));
        assertThat(names).contains("pods", "pods/log", "pods/status", "pods/binding", "nodes", "namespaces/finalize");
        JsonNode pods = list.path("resources").get(names.indexOf("pods"));
        assertThat(pods.path("shortNames").toString()).isEqualTo("[\"po\"]");
        assertThat(pods.path("categories").toString()).isEqualTo("[\"all\"]");
        assertThat(pods.path("verbs")).hasSize(8);
        JsonNode scale = null;
        for (JsonNode r : apps.path("resources")) {
            if (r.path("name").asString().equals("deployments/scale")) {
                scale = r;
            }
        }
        assertThat(scale).isNotNull();
        assertThat(scale.path("group").asString()).isEqualTo("autoscaling");
        assertThat(scale.path("kind").asString()).isEqualTo("Scale");
    }

    @Test
    void theResourceMetricsApiIsDiscoverableWithGetAndListOnly() {
        JsonNode list = body(discovery.groupResources("metrics.k8s.io", "v1beta1"));
        assertThat(list.path("groupVersion").asString()).isEqualTo("metrics.k8s.io/v1beta1");
        assertThat(list.path("resources")).hasSize(2);
        JsonNode nodes = list.path("resources").get(0);
        assertThat(nodes.path("name").asString()).isEqualTo("nodes");
        assertThat(nodes.path("kind").asString()).isEqualTo("NodeMetrics");
        assertThat(nodes.path("namespaced").asBoolean()).isFalse();
        assertThat(nodes.path("verbs").toString()).isEqualTo("[\"get\",\"list\"]");
        assertThat(list.path("resources").get(1).path("kind").asString()).isEqualTo("PodMetrics");
        assertThat(list.path("resources").get(1).path("namespaced").asBoolean()).isTrue();

        String clientGo = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
        List<String> groups = new ArrayList<>();
        body(discovery.apis(request("/apis", clientGo))).path("items").forEach(i -> groups.add(i.path("metadata").path("name").asString()));
        assertThat(groups).contains("metrics.k8s.io");
        List<String> legacy = new ArrayList<>();
        body(discovery.apis(request("/apis", "application/json"))).path("groups").forEach(g -> legacy.add(g.path("name").asString()));
        assertThat(legacy).contains("metrics.k8s.io");
        JsonNode paths = body(openapi.groupVersion(request("/openapi/v3/apis/metrics.k8s.io/v1beta1", null))).path("paths");
        JsonNode pods = paths.path("/apis/metrics.k8s.io/v1beta1/namespaces/{namespace}/pods/{name}");
        assertThat(pods.has("get")).isTrue();
        assertThat(pods.has("delete")).isFalse();
    }

    @Test
    void theAccessReviewsAreDiscoverableWithCreateOnly() {
        JsonNode list = body(discovery.groupResources("authorization.k8s.io", "v1"));
        assertThat(list.path("groupVersion").asString()).isEqualTo("authorization.k8s.io/v1");
        List<String> resources = new ArrayList<>();
        list.path("resources").forEach(r -> resources.add(r.path("name").asString() + " " + r.path("kind").asString() + " " + r.path("namespaced").asBoolean() + " " + r.path("verbs")));
        assertThat(resources).containsExactly(
                "localsubjectaccessreviews LocalSubjectAccessReview true [\"create\"]",
                "selfsubjectaccessreviews SelfSubjectAccessReview false [\"create\"]",
                "selfsubjectrulesreviews SelfSubjectRulesReview false [\"create\"]",
                "subjectaccessreviews SubjectAccessReview false [\"create\"]");
        List<String> legacy = new ArrayList<>();
        body(discovery.apis(request("/apis", "application/json"))).path("groups").forEach(g -> legacy.add(g.path("name").asString()));
        assertThat(legacy).contains("authorization.k8s.io");
        String clientGo = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
        assertThat(body(discovery.apis(request("/apis", clientGo))).toString()).contains("\"resource\":\"selfsubjectrulesreviews\"");
        assertThat(body(discovery.apiGroup("authorization.k8s.io")).path("preferredVersion").path("version").asString()).isEqualTo("v1");
    }

    @Test
    void aggregatedDiscoveryOnlyWhenAskedAndWithItsExactContentType() {
        String clientGo = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json";

        ResponseEntity<byte[]> aggregated = discovery.apis(request("/apis", clientGo));
        ResponseEntity<byte[]> plain = discovery.apis(request("/apis", "application/json"));

        assertThat(aggregated.getHeaders().getFirst("Content-Type")).isEqualTo(DiscoveryController.AGGREGATED);
        JsonNode items = body(aggregated).path("items");
        assertThat(items.get(0).path("metadata").path("name").asString()).isEqualTo("apps");
        assertThat(items.get(0).path("versions").get(0).path("resources").get(0).path("scope").asString()).isEqualTo("Namespaced");
        assertThat(body(plain).path("kind").asString()).isEqualTo("APIGroupList");
        assertThat(body(discovery.api(request("/api", clientGo))).path("items").get(0).path("metadata").path("name").asString()).isEmpty();
    }

    @Test
    void openApiV3ListsGroupVersionsAndPatchesAcceptFieldValidation() {
        JsonNode index = body(openapi.index());
        String url = index.path("paths").path("api/v1").path("serverRelativeURL").asString();
        assertThat(url).startsWith("/openapi/v3/api/v1?hash=");
        assertThat(index.path("paths").has("apis/apps/v1")).isTrue();

        JsonNode doc = body(openapi.groupVersion(request("/openapi/v3/api/v1", null)));
        JsonNode patch = doc.path("paths").path("/api/v1/namespaces/{namespace}/pods/{name}").path("patch");
        assertThat(patch.path("x-kubernetes-group-version-kind").path("kind").asString()).isEqualTo("Pod");
        assertThat(patch.path("parameters").toString()).contains("\"fieldValidation\"");
        JsonNode podSchema = doc.path("components").path("schemas").path("io.k8s.api.core.v1.Pod");
        assertThat(podSchema.path("x-kubernetes-group-version-kind").get(0).path("kind").asString()).isEqualTo("Pod");
        assertThat(podSchema.path("properties").path("spec").path("allOf").get(0).path("$ref").asString()).isEqualTo("#/components/schemas/io.k8s.api.core.v1.PodSpec");
        JsonNode containers = doc.path("components").path("schemas").path("io.k8s.api.core.v1.PodSpec").path("properties").path("containers");
        assertThat(containers.path("x-kubernetes-patch-merge-key").asString()).isEqualTo("name");
    }
}
