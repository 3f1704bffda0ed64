package io.kube4j.apiserver;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;

import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Every served kind through the real apiserver and etcd: create, get, list, a streaming watch that sees
 * the change, update, delete; and kubectl {@code create}, {@code get} (its table) and {@code describe}.
 * {@link #SAMPLES} must name every kind in {@link ResourceTypes#ALL}, so a kind added without one fails.
 */
class AllKindsIT {
    static final String POD_SPEC = "{containers: [{name: c, image: busybox}]}";
    static final String TEMPLATE = "{metadata: {labels: {app: x}}, spec: " + POD_SPEC + "}";
    /** A small valid object of each kind, without its name (added per test). */
    static final Map<String, String> SAMPLES = new LinkedHashMap<>();

    static {
        SAMPLES.put("namespaces", "{}");
        SAMPLES.put("nodes", "{spec: {unschedulable: true}}");
        SAMPLES.put("pods", "{spec: " + POD_SPEC + "}");
        SAMPLES.put("services", "{spec: {ports: [{port: 80}]}}");
        SAMPLES.put("endpoints", "{subsets: [{addresses: [{ip: 10.0.0.1}], ports: [{port: 80}]}]}");
        SAMPLES.put("events", "{involvedObject: {kind: Pod, name: p, namespace: default}, reason: Test, message: hello, type: Normal}");
        SAMPLES.put("configmaps", "{data: {a: b}}");
        SAMPLES.put("secrets", "{stringData: {a: b}}");
        SAMPLES.put("serviceaccounts", "{}");
        SAMPLES.put("persistentvolumes", "{spec: {capacity: {storage: 1Gi}, accessModes: [ReadWriteOnce], hostPath: {path: /tmp/kube4j-test}, storageClassName: manual}}");
        SAMPLES.put("persistentvolumeclaims", "{spec: {accessModes: [ReadWriteOnce], resources: {requests: {storage: 1Gi}}, storageClassName: manual}}");
        SAMPLES.put("replicationcontrollers", "{spec: {replicas: 0, selector: {app: x}, template: " + TEMPLATE + "}}");
        SAMPLES.put("limitranges", "{spec: {limits: [{type: Container, max: {cpu: '1'}}]}}");
        SAMPLES.put("resourcequotas", "{spec: {hard: {pods: '100'}}}");
        SAMPLES.put("podtemplates", "{template: " + TEMPLATE + "}");
        SAMPLES.put("replicasets", "{spec: {replicas: 0, selector: {matchLabels: {app: x}}, template: " + TEMPLATE + "}}");
        SAMPLES.put("deployments", "{spec: {replicas: 0, selector: {matchLabels: {app: x}}, template: " + TEMPLATE + "}}");
        SAMPLES.put("daemonsets", "{spec: {selector: {matchLabels: {app: x}}, template: " + TEMPLATE + "}}");
        SAMPLES.put("statefulsets", "{spec: {replicas: 0, serviceName: s, selector: {matchLabels: {app: x}}, template: " + TEMPLATE + "}}");
        SAMPLES.put("controllerrevisions", "{data: {spec: {}}, revision: 1}");
        SAMPLES.put("leases", "{spec: {holderIdentity: me}}");
        SAMPLES.put("jobs", "{spec: {suspend: true, template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}");
        SAMPLES.put("cronjobs", "{spec: {schedule: '*/5 * * * *', suspend: true, jobTemplate: {spec: {template: {spec: {restartPolicy: Never, containers: [{name: c, image: busybox}]}}}}}}");
        SAMPLES.put("poddisruptionbudgets", "{spec: {minAvailable: 1, selector: {matchLabels: {app: x}}}}");
        SAMPLES.put("priorityclasses", "{value: 100, description: test}");
        SAMPLES.put("endpointslices", "{addressType: IPv4, endpoints: [{addresses: [10.0.0.1]}], ports: [{port: 80}]}");
        SAMPLES.put("storageclasses", "{provisioner: example.com/none}");
        SAMPLES.put("ingresses", "{spec: {rules: [{http: {paths: [{path: /, pathType: Prefix, backend: {service: {name: s, port: {number: 80}}}}]}}]}}");
        SAMPLES.put("ingressclasses", "{spec: {controller: example.com/ingress}}");
        SAMPLES.put("networkpolicies", "{spec: {podSelector: {}, policyTypes: [Ingress]}}");
        SAMPLES.put("roles", "{rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]}");
        SAMPLES.put("clusterroles", "{rules: [{apiGroups: [''], resources: [pods], verbs: [get]}]}");
        SAMPLES.put("rolebindings", "{roleRef: {apiGroup: rbac.authorization.k8s.io, kind: Role, name: r}, subjects: [{kind: User, name: u, apiGroup: rbac.authorization.k8s.io}]}");
        SAMPLES.put("clusterrolebindings", "{roleRef: {apiGroup: rbac.authorization.k8s.io, kind: ClusterRole, name: r}, subjects: [{kind: Group, name: g, apiGroup: rbac.authorization.k8s.io}]}");
        SAMPLES.put("horizontalpodautoscalers", "{spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}, maxReplicas: 3}}");
        SAMPLES.put("validatingadmissionpolicies", "{spec: {validations: [{expression: 'true'}]}}");
        SAMPLES.put("validatingadmissionpolicybindings", "{spec: {policyName: p, validationActions: [Deny]}}");
        SAMPLES.put("flowschemas", "{spec: {priorityLevelConfiguration: {name: global-default}, rules: [{subjects: [{kind: Group, group: {name: g}}], nonResourceRules: [{verbs: [get], nonResourceURLs: [/healthz]}]}]}}");
        // a real PKCS#10 request (EC P-256, CN system:node:sample, O system:nodes): validation parses and verifies it
        SAMPLES.put("certificatesigningrequests", "{spec: {request: LS0tLS1CRUdJTiBDRVJUSUZJQ0FURSBSRVFVRVNULS0tLS0KTUlIdU1JR1dBZ0VBTURReEZUQVRCZ05WQkFvTURITjVjM1JsYlRwdWIyUmxjekViTUJrR0ExVUVBd3dTYzNsegpkR1Z0T201dlpHVTZjMkZ0Y0d4bE1Ga3dFd1lIS29aSXpqMENBUVlJS29aSXpqMERBUWNEUWdBRWQ2dlJJODlDCnUzZFAzRWlabjRwbXBBazFlVEV0NEVZZ01Ib1FGMFhlL2owSkNVTDNTQWdYNndiVjJuZUJXVGFweWQxUUpYT3AKNDZXWDY2NFg3eXZxRGFBQU1Bb0dDQ3FHU000OUJBTUNBMGNBTUVRQ0lDV0RRQTU5QWNCd2hsdDE5cXZ2NWxDRwpJTVUvaHZpLzBxVTlwTE5jRjkzdUFpQTlTNHc2T0drQ0lENms0NGRVZVdnNXhHTUNHamZXUy9SMkdjdTFDaklnCklnPT0KLS0tLS1FTkQgQ0VSVElGSUNBVEUgUkVRVUVTVC0tLS0tCg==, signerName: example.com/sample, usages: [client auth]}}");
        SAMPLES.put("prioritylevelconfigurations", "{spec: {type: Limited, limited: {limitResponse: {type: Queue, queuing: {queues: 16, handSize: 4}}}}}");
    }

    static ApiServerFixture fx;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    /** A sample of each other version served as a view of a stored kind ({@code ResourceTypes.VIEWS}), by apiVersion. */
    static final Map<String, String> VIEW_SAMPLES = Map.of(
            "events.k8s.io/v1", "{regarding: {kind: Pod, name: p, namespace: default}, reason: Test, note: hello, type: Normal,"
                    + " reportingController: kube4j.io/test, reportingInstance: test-1, action: Testing, eventTime: '2026-01-01T00:00:00.000000Z'}",
            "autoscaling/v1", "{spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: d}, maxReplicas: 3, targetCPUUtilizationPercentage: 60}}");

    static Stream<ResourceType> kinds() {
        return Stream.concat(ResourceTypes.ALL.stream(), ResourceTypes.VIEWS.stream());
    }

    /** A name part unique per served resource: the singular, plus the group and version for a view. */
    static String id(ResourceType rt) {
        String id = rt.singular().replace('.', '-');
        return ResourceTypes.VIEWS.contains(rt) ? id + "-" + rt.group().split("\\.")[0] + "-" + rt.version() : id;
    }

    /** What kubectl is told to get: {@code resource.group}, with the version too for a view (else kubectl picks the preferred one). */
    static String kubectlResource(ResourceType rt) {
        if (rt.group().isEmpty()) {
            return rt.resource();
        }
        return ResourceTypes.VIEWS.contains(rt) ? rt.resource() + "." + rt.version() + "." + rt.group() : rt.resource() + "." + rt.group();
    }

    static String body(ResourceType rt, String name) {
        JsonNode sample = Json.yaml().readTree(ResourceTypes.VIEWS.contains(rt) ? VIEW_SAMPLES.get(rt.apiVersion()) : SAMPLES.get(rt.resource()));
        var obj = Json.mapper().createObjectNode();
        obj.put("apiVersion", rt.apiVersion());
        obj.put("kind", rt.kind());
        obj.putObject("metadata").put("name", name);
        sample.properties().forEach(e -> obj.set(e.getKey(), e.getValue()));
        return Json.write(obj);
    }

    /** kubectl get's header for kinds whose columns are checked here (Kubernetes' printers.go column names). */
    static final Map<String, String> HEADERS = Map.of(
            "flowschemas", "NAME PRIORITYLEVEL MATCHINGPRECEDENCE DISTINGUISHERMETHOD AGE MISSINGPL",
            "prioritylevelconfigurations", "NAME TYPE NOMINALCONCURRENCYSHARES QUEUES HANDSIZE QUEUELENGTHLIMIT AGE",
            "certificatesigningrequests", "NAME AGE SIGNERNAME REQUESTOR REQUESTEDDURATION CONDITION");

    @Test
    void everyServedKindHasASample() {
        assertThat(SAMPLES.keySet()).containsExactlyInAnyOrderElementsOf(ResourceTypes.ALL.stream().map(ResourceType::resource).toList());
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void crudAndWatch(ResourceType rt) throws Exception {
        String name = "crud-" + id(rt);
        String ns = rt.namespaced() ? "default" : null;
        String collection = rt.collectionPath(ns);
        String rv = Json.tree(fx.send("GET", collection, null, null).body()).path("metadata").path("resourceVersion").asString();

        HttpResponse<String> created = fx.send("POST", collection, "application/json", body(rt, name));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        JsonNode obj = Json.tree(created.body());
        assertThat(obj.path("kind").asString()).isEqualTo(rt.kind());
        assertThat(obj.path("metadata").path("uid").asString()).isNotEmpty();

        HttpResponse<String> got = fx.send("GET", rt.objectPath(ns, name), null, null);
        assertThat(got.statusCode()).isEqualTo(200);
        JsonNode list = Json.tree(fx.send("GET", collection, null, null).body());
        assertThat(list.path("kind").asString()).isEqualTo(rt.listKind());
        assertThat(list.path("items").findValuesAsString("name")).contains(name);

        HttpResponse<String> watched = fx.send("GET", collection + "?watch=true&timeoutSeconds=2&resourceVersion=" + rv, null, null);
        assertThat(watched.body().lines().map(Json::tree).filter(e -> e.path("object").path("metadata").path("name").asString("").equals(name)))
                .anySatisfy(e -> assertThat(e.path("type").asString()).isEqualTo("ADDED"));

        HttpResponse<String> patched = fx.send("PATCH", rt.objectPath(ns, name), "application/merge-patch+json", "{\"metadata\":{\"labels\":{\"touched\":\"yes\"}}}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        assertThat(Json.tree(patched.body()).path("metadata").path("labels").path("touched").asString()).isEqualTo("yes");

        HttpResponse<String> deleted = fx.send("DELETE", rt.objectPath(ns, name), null, null);
        assertThat(deleted.statusCode()).as(deleted.body()).isIn(200, 202);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("kinds")
    void kubectlCreatesGetsAndDescribes(ResourceType rt) throws Exception {
        String name = "kubectl-" + id(rt);
        Path file = Files.createTempFile("kind", ".json");
        Files.writeString(file, body(rt, name));
        Kubectl k = Kubectl.forServer(fx.apiserver.url(), Files.createTempDirectory("kubectl"));
        String ns = rt.namespaced() ? "default" : null;
        Kubectl.Result create = ns == null ? k.run("create", "-f", file.toString()) : k.run("create", "-n", ns, "-f", file.toString());
        assertThat(create.exitCode()).as(create.toString()).isEqualTo(0);
        assertThat(create.out()).contains(name).contains("created");
        String resource = kubectlResource(rt);
        Kubectl.Result get = ns == null ? k.run("get", resource, name) : k.run("get", "-n", ns, resource, name);
        assertThat(get.exitCode()).as(get.toString()).isEqualTo(0);
        if (rt == ResourceTypes.EVENTS || rt == ResourceTypes.EVENTS_V1) {
            // events print LAST SEEN, TYPE, REASON, OBJECT, MESSAGE; their name is a wide column
            assertThat(get.out().lines().findFirst().orElse("")).startsWith("LAST SEEN");
            assertThat(get.out()).contains("pod/p");
        } else {
            assertThat(get.out().lines().findFirst().orElse("")).startsWith("NAME");
            assertThat(get.out()).contains(name);
        }
        if (HEADERS.containsKey(rt.resource())) {
            assertThat(List.of(get.out().lines().findFirst().orElse("").trim().split("\\s+"))).isEqualTo(List.of(HEADERS.get(rt.resource()).split(" ")));
        }
        Kubectl.Result describe = ns == null ? k.run("describe", resource, name) : k.run("describe", "-n", ns, resource, name);
        assertThat(describe.exitCode()).as(describe.toString()).isEqualTo(0);
        assertThat(describe.out()).contains(name);
        Files.deleteIfExists(file);
    }

    @Test
    void aWriteThroughOneVersionIsReadThroughTheOther() throws Exception {
        // autoscaling/v1 -> autoscaling/v2: the CPU target is a Resource metric
        HttpResponse<String> created = fx.send("POST", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers", "application/json",
                body(ResourceTypes.HORIZONTALPODAUTOSCALERS_V1, "cross-hpa"));
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        assertThat(Json.tree(created.body()).path("apiVersion").asString()).isEqualTo("autoscaling/v1");
        JsonNode v2 = Json.tree(fx.send("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/cross-hpa", null, null).body());
        assertThat(v2.path("apiVersion").asString()).isEqualTo("autoscaling/v2");
        assertThat(v2.path("spec").path("metrics").get(0).path("resource").path("target").path("averageUtilization").asInt()).isEqualTo(60);
        assertThat(v2.path("spec").path("minReplicas").asInt()).as("v2's defaults apply").isEqualTo(1);

        // autoscaling/v2 adds a memory metric: v1 keeps the CPU target and carries memory in Kubernetes' annotation
        HttpResponse<String> patched = fx.send("PATCH", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/cross-hpa", "application/merge-patch+json",
                "{\"spec\":{\"metrics\":[{\"type\":\"Resource\",\"resource\":{\"name\":\"cpu\",\"target\":{\"type\":\"Utilization\",\"averageUtilization\":60}}},"
                        + "{\"type\":\"Resource\",\"resource\":{\"name\":\"memory\",\"target\":{\"type\":\"AverageValue\",\"averageValue\":\"100Mi\"}}}]}}");
        assertThat(patched.statusCode()).as(patched.body()).isEqualTo(200);
        JsonNode v1 = Json.tree(fx.send("GET", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/cross-hpa", null, null).body());
        assertThat(v1.path("spec").path("targetCPUUtilizationPercentage").asInt()).isEqualTo(60);
        assertThat(v1.path("metadata").path("annotations").path("autoscaling.alpha.kubernetes.io/metrics").asString()).contains("memory").contains("100Mi");

        // a v1 merge patch of the CPU target keeps the memory metric
        HttpResponse<String> v1Patch = fx.send("PATCH", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/cross-hpa", "application/merge-patch+json",
                "{\"spec\":{\"targetCPUUtilizationPercentage\":75}}");
        assertThat(v1Patch.statusCode()).as(v1Patch.body()).isEqualTo(200);
        JsonNode after = Json.tree(fx.send("GET", "/apis/autoscaling/v2/namespaces/default/horizontalpodautoscalers/cross-hpa", null, null).body());
        assertThat(after.path("spec").path("metrics").findValuesAsString("name")).contains("cpu", "memory");
        assertThat(after.path("spec").path("metrics").get(0).path("resource").path("target").path("averageUtilization").asInt()).isEqualTo(75);
        assertThat(after.path("metadata").path("annotations").has("autoscaling.alpha.kubernetes.io/metrics")).as("not stored").isFalse();

        // core/v1 Event -> events.k8s.io/v1, in a list and in a watch
        String rv = Json.tree(fx.send("GET", "/apis/events.k8s.io/v1/namespaces/default/events", null, null).body()).path("metadata").path("resourceVersion").asString();
        HttpResponse<String> event = fx.send("POST", "/api/v1/namespaces/default/events", "application/json", body(ResourceTypes.EVENTS, "cross-event"));
        assertThat(event.statusCode()).as(event.body()).isEqualTo(201);
        JsonNode ev1 = Json.tree(fx.send("GET", "/apis/events.k8s.io/v1/namespaces/default/events/cross-event", null, null).body());
        assertThat(ev1.path("apiVersion").asString()).isEqualTo("events.k8s.io/v1");
        assertThat(ev1.path("note").asString()).isEqualTo("hello");
        assertThat(ev1.path("regarding").path("name").asString()).isEqualTo("p");
        assertThat(ev1.has("message")).isFalse();
        JsonNode list = Json.tree(fx.send("GET", "/apis/events.k8s.io/v1/namespaces/default/events", null, null).body());
        assertThat(list.path("kind").asString()).isEqualTo("EventList");
        assertThat(list.path("apiVersion").asString()).isEqualTo("events.k8s.io/v1");
        assertThat(list.path("items").findValuesAsString("note")).contains("hello");
        HttpResponse<String> watched = fx.send("GET", "/apis/events.k8s.io/v1/namespaces/default/events?watch=true&timeoutSeconds=2&resourceVersion=" + rv, null, null);
        assertThat(watched.body().lines().map(Json::tree).filter(e -> e.path("object").path("metadata").path("name").asString("").equals("cross-event")))
                .anySatisfy(e -> {
                    assertThat(e.path("object").path("apiVersion").asString()).isEqualTo("events.k8s.io/v1");
                    assertThat(e.path("object").path("note").asString()).isEqualTo("hello");
                });
        fx.send("DELETE", "/apis/autoscaling/v1/namespaces/default/horizontalpodautoscalers/cross-hpa", null, null);
        fx.send("DELETE", "/apis/events.k8s.io/v1/namespaces/default/events/cross-event", null, null);
    }

    @Test
    void discoveryListsEveryVersionWithTheStoredOnePreferred() throws Exception {
        JsonNode autoscaling = Json.tree(fx.send("GET", "/apis/autoscaling", null, null).body());
        assertThat(autoscaling.path("versions").findValuesAsString("version")).containsExactly("v2", "v1");
        assertThat(autoscaling.path("preferredVersion").path("version").asString()).isEqualTo("v2");
        JsonNode events = Json.tree(fx.send("GET", "/apis/events.k8s.io/v1", null, null).body());
        assertThat(events.path("resources").findValuesAsString("name")).contains("events");
        JsonNode v1 = Json.tree(fx.send("GET", "/apis/autoscaling/v1", null, null).body());
        assertThat(v1.path("resources").findValuesAsString("name")).contains("horizontalpodautoscalers", "horizontalpodautoscalers/status");
        Kubectl k = Kubectl.forServer(fx.apiserver.url(), Files.createTempDirectory("kubectl"));
        Kubectl.Result explain = k.run("explain", "horizontalpodautoscalers.spec.targetCPUUtilizationPercentage", "--api-version=autoscaling/v1");
        assertThat(explain.exitCode()).as(explain.toString()).isEqualTo(0);
        Kubectl.Result explainEvents = k.run("explain", "events.note", "--api-version=events.k8s.io/v1");
        assertThat(explainEvents.exitCode()).as(explainEvents.toString()).isEqualTo(0);
        Kubectl.Result versions = k.run("api-versions");
        assertThat(versions.out().lines()).contains("autoscaling/v1", "autoscaling/v2", "events.k8s.io/v1");
    }
}
