package io.kube4j.apiserver;

import io.kube4j.json.Json;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * CustomResourceDefinitions on a real apiserver and etcd: the CRD's own validation and conditions,
 * discovery, CRUD, list/watch, selectors, patches, subresources, versions, schemas (validation,
 * defaulting, pruning), printer columns, OpenAPI and the cleanup of a deleted CRD, each asserted
 * against Kubernetes' codes, reasons and messages.
 */
class CustomResourceDefinitionIT {
    static ApiServerFixture fx;
    static final String CRDS = "/apis/apiextensions.k8s.io/v1/customresourcedefinitions";

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static HttpResponse<String> req(String method, String path, String contentType, String body, String accept) {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + path)).timeout(Duration.ofSeconds(30));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        if (accept != null) {
            b.header("Accept", accept);
        }
        b.method(method, body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        try {
            return fx.http.send(b.build(), HttpResponse.BodyHandlers.ofString());
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    static HttpResponse<String> post(String path, String body) {
        return req("POST", path, "application/json", body, null);
    }

    static JsonNode json(HttpResponse<String> r) {
        return Json.tree(r.body());
    }

    static String yamlToJson(String yaml) {
        return Json.write(Json.readYaml(yaml, Object.class));
    }

    /** A CronTab CRD in stable.example.com, namespaced, two versions (v1 storage), status and scale subresources. */
    static final String CRONTAB = """
            apiVersion: apiextensions.k8s.io/v1
            kind: CustomResourceDefinition
            metadata:
              name: crontabs.stable.example.com
            spec:
              group: stable.example.com
              scope: Namespaced
              names:
                plural: crontabs
                singular: crontab
                kind: CronTab
                shortNames: [ct]
                categories: [all]
              versions:
              - name: v1
                served: true
                storage: true
                subresources:
                  status: {}
                  scale:
                    specReplicasPath: .spec.replicas
                    statusReplicasPath: .status.replicas
                    labelSelectorPath: .status.labelSelector
                selectableFields:
                - jsonPath: .spec.color
                additionalPrinterColumns:
                - name: Spec
                  type: string
                  jsonPath: .spec.cronSpec
                - name: Replicas
                  type: integer
                  jsonPath: .spec.replicas
                - name: Age
                  type: date
                  jsonPath: .metadata.creationTimestamp
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        required: [cronSpec]
                        properties:
                          cronSpec:
                            type: string
                            pattern: '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'
                          image:
                            type: string
                            maxLength: 20
                            minLength: 2
                          replicas:
                            type: integer
                            minimum: 1
                            maximum: 10
                            default: 1
                          color:
                            type: string
                            enum: [red, green, blue]
                          port:
                            x-kubernetes-int-or-string: true
                          tags:
                            type: array
                            maxItems: 2
                            items:
                              type: string
                          email:
                            type: string
                            format: email
                          note:
                            type: string
                            nullable: true
                          free:
                            type: object
                            x-kubernetes-preserve-unknown-fields: true
                      status:
                        type: object
                        properties:
                          replicas:
                            type: integer
                          labelSelector:
                            type: string
              - name: v2
                served: true
                storage: false
                schema:
                  openAPIV3Schema:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
              - name: v3
                served: false
                storage: false
                schema:
                  openAPIV3Schema:
                    type: object
                    x-kubernetes-preserve-unknown-fields: true
            """;

    static final String CT = "/apis/stable.example.com/v1/namespaces/default/crontabs";

    static JsonNode awaitEstablished(String name) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline) {
            JsonNode crd = json(req("GET", CRDS + "/" + name, null, null, null));
            for (JsonNode c : crd.path("status").path("conditions")) {
                if (c.path("type").asString("").equals("Established") && c.path("status").asString("").equals("True")) {
                    return crd;
                }
            }
            Thread.sleep(50);
        }
        throw new AssertionError("CRD " + name + " not established in 10 s");
    }

    static synchronized void ensureCronTab() throws InterruptedException {
        if (req("GET", CRDS + "/crontabs.stable.example.com", null, null, null).statusCode() == 404) {
            assertThat(post(CRDS, yamlToJson(CRONTAB)).statusCode()).isEqualTo(201);
        }
        awaitEstablished("crontabs.stable.example.com");
    }

    static String cronTab(String name, String spec) {
        return "{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\",\"metadata\":{\"name\":\"" + name + "\"},\"spec\":" + spec + "}";
    }

    // ---- 1. the CRD kind ----------------------------------------------------------------------

    @Test
    void crdValidationUsesKubernetesMessages() {
        String bad = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"wrong.example.com"},
                 "spec":{"group":"example","scope":"Everywhere","names":{"plural":"Foos","kind":"Foo"},
                   "versions":[{"name":"v1","served":true,"storage":false,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}""";
        HttpResponse<String> r = post(CRDS, bad);
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode st = json(r);
        assertThat(st.path("reason").asString()).isEqualTo("Invalid");
        assertThat(st.path("details").path("kind").asString()).isEqualTo("CustomResourceDefinition");
        List<String> causes = new ArrayList<>();
        st.path("details").path("causes").forEach(c -> causes.add(c.path("field").asString() + ": " + c.path("message").asString()));
        assertThat(causes).anyMatch(c -> c.equals("metadata.name: Invalid value: \"wrong.example.com\": must be spec.names.plural+\".\"+spec.group"));
        assertThat(causes).anyMatch(c -> c.equals("spec.group: Invalid value: \"example\": should be a domain with at least one dot"));
        assertThat(causes).anyMatch(c -> c.equals("spec.scope: Unsupported value: \"Everywhere\": supported values: \"Cluster\", \"Namespaced\""));
        assertThat(causes).anyMatch(c -> c.startsWith("spec.versions: Invalid value: ") && c.endsWith(": must have exactly one version marked as storage version"));
        assertThat(causes).anyMatch(c -> c.startsWith("spec.names.plural: Invalid value: \"Foos\": a DNS-1035 label"));
    }

    @Test
    void nonStructuralSchemaIsRejected() {
        String bad = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"bars.example.com"},
                 "spec":{"group":"example.com","scope":"Cluster","names":{"plural":"bars","kind":"Bar"},
                   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object",
                     "properties":{"spec":{"properties":{"size":{"type":"string"}}},"list":{"type":"array"}}}}}]}}""";
        HttpResponse<String> r = post(CRDS, bad);
        assertThat(r.statusCode()).isEqualTo(422);
        List<String> causes = new ArrayList<>();
        json(r).path("details").path("causes").forEach(c -> causes.add(c.path("field").asString() + ": " + c.path("message").asString()));
        assertThat(causes).contains(
                "spec.versions[0].schema.openAPIV3Schema.properties[spec].type: Required value: must not be empty for specified object fields",
                "spec.versions[0].schema.openAPIV3Schema.properties[list].items: Required value: must be specified");
    }

    @Test
    void crdGetsConditionsDefaultsAndStoredVersions() throws Exception {
        ensureCronTab();
        JsonNode crd = awaitEstablished("crontabs.stable.example.com");
        JsonNode names = crd.path("status").path("acceptedNames");
        assertThat(names.path("plural").asString()).isEqualTo("crontabs");
        assertThat(names.path("listKind").asString()).isEqualTo("CronTabList");
        assertThat(crd.path("spec").path("names").path("listKind").asString()).isEqualTo("CronTabList");
        assertThat(crd.path("spec").path("conversion").path("strategy").asString()).isEqualTo("None");
        assertThat(crd.path("status").path("storedVersions").toString()).isEqualTo("[\"v1\"]");
        JsonNode na = null;
        JsonNode est = null;
        for (JsonNode c : crd.path("status").path("conditions")) {
            if (c.path("type").asString().equals("NamesAccepted")) {
                na = c;
            }
            if (c.path("type").asString().equals("Established")) {
                est = c;
            }
        }
        assertThat(na.path("status").asString()).isEqualTo("True");
        assertThat(na.path("reason").asString()).isEqualTo("NoConflicts");
        assertThat(na.path("message").asString()).isEqualTo("no conflicts found");
        assertThat(est.path("reason").asString()).isEqualTo("InitialNamesAccepted");
        assertThat(est.path("message").asString()).isEqualTo("the initial names have been accepted");
    }

    @Test
    void aCustomListKindNamesEveryListAndTheNamesAreValidatedAsKubernetesDoes() throws Exception {
        String crd = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"gizmos.lists.example.com"},
                 "spec":{"group":"lists.example.com","scope":"Namespaced",
                   "names":{"plural":"gizmos","kind":"Gizmo","listKind":"GizmoCollection","shortNames":["gz"],"categories":["all","toys"]},
                   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}""";
        assertThat(post(CRDS, crd).statusCode()).isEqualTo(201);
        JsonNode names = awaitEstablished("gizmos.lists.example.com").path("status").path("acceptedNames");
        assertThat(names.path("listKind").asString()).isEqualTo("GizmoCollection");
        assertThat(names.path("singular").asString()).isEqualTo("gizmo");
        assertThat(names.path("shortNames").toString()).isEqualTo("[\"gz\"]");
        assertThat(names.path("categories").toString()).isEqualTo("[\"all\",\"toys\"]");
        String path = "/apis/lists.example.com/v1/namespaces/default/gizmos";
        assertThat(post(path, "{\"apiVersion\":\"lists.example.com/v1\",\"kind\":\"Gizmo\",\"metadata\":{\"name\":\"g\"}}").statusCode()).isEqualTo(201);
        JsonNode list = json(req("GET", path, null, null, null));
        assertThat(list.path("kind").asString()).isEqualTo("GizmoCollection");
        assertThat(list.path("apiVersion").asString()).isEqualTo("lists.example.com/v1");
        assertThat(json(req("GET", "/apis/lists.example.com/v1/gizmos", null, null, null)).path("kind").asString()).isEqualTo("GizmoCollection");
        assertThat(list.path("items").get(0).path("kind").asString()).isEqualTo("Gizmo");

        String bad = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"things.lists.example.com"},
                 "spec":{"group":"lists.example.com","scope":"Namespaced",
                   "names":{"plural":"things","singular":"A_Thing","kind":"Thing","listKind":"Thing","shortNames":["T"],"categories":["bad cat"]},
                   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}""";
        HttpResponse<String> r = post(CRDS, bad);
        assertThat(r.statusCode()).isEqualTo(422);
        List<String> causes = new ArrayList<>();
        json(r).path("details").path("causes").forEach(c -> causes.add(c.path("field").asString() + ": " + c.path("message").asString()));
        String dns1035 = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, "
                + "and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";
        assertThat(causes).contains(
                "spec.names.singular: Invalid value: \"A_Thing\": " + dns1035,
                "spec.names.shortNames[0]: Invalid value: \"T\": " + dns1035,
                "spec.names.listKind: Invalid value: \"Thing\": kind and listKind may not be the same",
                "spec.names.categories[0]: Invalid value: \"bad cat\": " + dns1035);
    }

    @Test
    void openApiV2CarriesTheCustomResources() throws Exception {
        ensureCronTab();
        JsonNode v2 = json(req("GET", "/openapi/v2", null, null, "application/json"));
        JsonNode def = v2.path("definitions").path("com.example.stable.v1.CronTab");
        assertThat(def.path("x-kubernetes-group-version-kind").get(0).path("kind").asString()).isEqualTo("CronTab");
        assertThat(def.path("properties").path("spec").path("properties").has("cronSpec")).isTrue();
        assertThat(def.path("properties").path("metadata").path("$ref").asString()).isEqualTo("#/definitions/io.k8s.apimachinery.pkg.apis.meta.v1.ObjectMeta");
        assertThat(def.toString()).doesNotContain("\"nullable\"");
        assertThat(v2.path("paths").has("/apis/stable.example.com/v1/namespaces/{namespace}/crontabs/{name}")).isTrue();
        // the built-in kinds are still there
        assertThat(v2.path("definitions").has("io.k8s.api.core.v1.Pod")).isTrue();
        // kubectl's protobuf form carries them too
        HttpRequest pb = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + "/openapi/v2"))
                .header("Accept", "application/com.github.proto-openapi.spec.v2@v1.0+protobuf").build();
        HttpResponse<byte[]> r = fx.http.send(pb, HttpResponse.BodyHandlers.ofByteArray());
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(new String(r.body(), StandardCharsets.ISO_8859_1)).contains("com.example.stable.v1.CronTab");
    }

    @Test
    void embeddedResourcesAndRulesOfAnInvalidObject() throws Exception {
        String crd = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"runners.embed.example.com"},
                 "spec":{"group":"embed.example.com","scope":"Namespaced","names":{"plural":"runners","kind":"Runner"},
                   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{
                     "spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.replicas >= 0"}],"properties":{
                       "replicas":{"type":"integer"},
                       "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}}}}}}]}}""";
        assertThat(post(CRDS, crd).statusCode()).isEqualTo(201);
        awaitEstablished("runners.embed.example.com");
        String path = "/apis/embed.example.com/v1/namespaces/default/runners";
        HttpResponse<String> r = post(path, "{\"apiVersion\":\"embed.example.com/v1\",\"kind\":\"Runner\",\"metadata\":{\"name\":\"r\"},"
                + "\"spec\":{\"replicas\":\"two\",\"template\":{\"kind\":\"Pod\",\"metadata\":{\"name\":\"a/b\"}}}}");
        assertThat(r.statusCode()).isEqualTo(422);
        List<String> causes = new ArrayList<>();
        json(r).path("details").path("causes").forEach(c -> causes.add(c.path("field").asString() + ": " + c.path("message").asString()));
        assertThat(causes).containsExactlyInAnyOrder(
                "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"",
                "spec.template.apiVersion: Required value",
                "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
                "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
        assertThat(post(path, "{\"apiVersion\":\"embed.example.com/v1\",\"kind\":\"Runner\",\"metadata\":{\"name\":\"r\"},"
                + "\"spec\":{\"replicas\":2,\"template\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"p\"}}}}").statusCode()).isEqualTo(201);
    }

    @Test
    void conflictingNamesAreNotAccepted() throws Exception {
        ensureCronTab();
        String other = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"crontabz.stable.example.com"},
                 "spec":{"group":"stable.example.com","scope":"Namespaced","names":{"plural":"crontabz","kind":"CronTab"},
                   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object"}}}]}}""";
        assertThat(post(CRDS, other).statusCode()).isEqualTo(201);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode na = null;
        while (System.nanoTime() < deadline && na == null) {
            for (JsonNode c : json(req("GET", CRDS + "/crontabz.stable.example.com", null, null, null)).path("status").path("conditions")) {
                if (c.path("type").asString().equals("NamesAccepted")) {
                    na = c;
                }
            }
            Thread.sleep(50);
        }
        assertThat(na).isNotNull();
        assertThat(na.path("status").asString()).isEqualTo("False");
        // kind and listKind both conflict; the naming controller reports the last check, listKind
        assertThat(na.path("reason").asString()).isEqualTo("ListKindConflict");
        assertThat(na.path("message").asString()).isEqualTo("\"CronTabList\" is already in use");
        assertThat(req("DELETE", CRDS + "/crontabz.stable.example.com", null, null, null).statusCode()).isEqualTo(200);
    }

    // ---- 2. serving custom resources ----------------------------------------------------------

    @Test
    void discoveryListsTheCustomResource() throws Exception {
        ensureCronTab();
        JsonNode group = json(req("GET", "/apis/stable.example.com", null, null, null));
        // Kubernetes prefers the highest kube-aware version of the group (v2 over v1), served or storage alike
        assertThat(group.path("preferredVersion").path("version").asString()).isEqualTo("v2");
        assertThat(group.path("versions").size()).isEqualTo(2);
        JsonNode list = json(req("GET", "/apis/stable.example.com/v1", null, null, null));
        JsonNode res = null;
        for (JsonNode r : list.path("resources")) {
            if (r.path("name").asString().equals("crontabs")) {
                res = r;
            }
        }
        assertThat(res.path("kind").asString()).isEqualTo("CronTab");
        assertThat(res.path("singularName").asString()).isEqualTo("crontab");
        assertThat(res.path("namespaced").asBoolean()).isTrue();
        assertThat(res.path("shortNames").toString()).isEqualTo("[\"ct\"]");
        assertThat(res.path("categories").toString()).isEqualTo("[\"all\"]");
        assertThat(list.toString()).contains("crontabs/status", "crontabs/scale");
        assertThat(req("GET", "/apis", null, null, null).body()).contains("stable.example.com", "apiextensions.k8s.io");
        String agg = req("GET", "/apis", null, null, "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList").body();
        assertThat(agg).contains("\"resource\":\"crontabs\"", "\"singularResource\":\"crontab\"");
        assertThat(req("GET", "/apis/stable.example.com/v3", null, null, null).statusCode()).isEqualTo(404);
        assertThat(req("GET", "/apis/stable.example.com/v3/namespaces/default/crontabs", null, null, null).statusCode()).isEqualTo(404);
    }

    @Test
    void crudWithDefaultsPruningAndVersions() throws Exception {
        ensureCronTab();
        HttpResponse<String> created = post(CT, cronTab("crud", "{\"cronSpec\":\"* * * * */5\",\"image\":\"my-image\",\"unknown\":1,\"free\":{\"x\":{\"y\":1}}}"));
        assertThat(created.statusCode()).isEqualTo(201);
        JsonNode o = json(created);
        assertThat(o.path("spec").path("replicas").asInt()).as("defaulted").isEqualTo(1);
        assertThat(o.path("spec").has("unknown")).as("pruned").isFalse();
        assertThat(o.path("spec").path("free").path("x").path("y").asInt()).as("preserved").isEqualTo(1);
        assertThat(o.path("metadata").path("generation").asInt()).isEqualTo(1);
        assertThat(created.headers().allValues("Warning")).anyMatch(w -> w.contains("unknown field \\\"spec.unknown\\\""));
        // read through v2: same object, apiVersion rewritten
        JsonNode v2 = json(req("GET", "/apis/stable.example.com/v2/namespaces/default/crontabs/crud", null, null, null));
        assertThat(v2.path("apiVersion").asString()).isEqualTo("stable.example.com/v2");
        assertThat(v2.path("spec").path("image").asString()).isEqualTo("my-image");
        // update through v1
        JsonNode cur = json(req("GET", CT + "/crud", null, null, null));
        ((tools.jackson.databind.node.ObjectNode) cur.get("spec")).put("image", "other");
        HttpResponse<String> updated = req("PUT", CT + "/crud", "application/json", cur.toString(), null);
        assertThat(updated.statusCode()).isEqualTo(200);
        assertThat(json(updated).path("metadata").path("generation").asInt()).isEqualTo(2);
        // strict field validation reports pruned fields
        HttpResponse<String> strict = req("POST", CT + "?fieldValidation=Strict", "application/json", cronTab("strict", "{\"cronSpec\":\"* * * * *\",\"bogus\":true}"), null);
        assertThat(strict.statusCode()).isEqualTo(400);
        assertThat(json(strict).path("message").asString()).isEqualTo("CronTab in version \"v1\" cannot be handled as a CronTab: strict decoding error: unknown field \"spec.bogus\"");
        assertThat(req("DELETE", CT + "/crud", null, null, null).statusCode()).isEqualTo(200);
        assertThat(req("GET", CT + "/crud", null, null, null).statusCode()).isEqualTo(404);
        JsonNode nf = json(req("GET", CT + "/crud", null, null, null));
        assertThat(nf.path("message").asString()).isEqualTo("crontabs.stable.example.com \"crud\" not found");
    }

    @Test
    void schemaValidationMessages() throws Exception {
        ensureCronTab();
        HttpResponse<String> r = post(CT, cronTab("invalid", "{\"cronSpec\":\"bogus\",\"image\":\"x\",\"replicas\":11,\"color\":\"pink\",\"tags\":[\"a\",\"b\",\"c\"],\"port\":true,\"email\":\"nope\",\"note\":null}"));
        assertThat(r.statusCode()).isEqualTo(422);
        JsonNode st = json(r);
        assertThat(st.path("message").asString()).startsWith("CronTab.stable.example.com \"invalid\" is invalid: [");
        List<String> causes = new ArrayList<>();
        st.path("details").path("causes").forEach(c -> causes.add(c.path("field").asString() + ": " + c.path("message").asString()));
        assertThat(causes).contains(
                "spec.cronSpec: Invalid value: \"bogus\": spec.cronSpec in body should match '^(\\d+|\\*)(/\\d+)?(\\s+(\\d+|\\*)(/\\d+)?){4}$'",
                "spec.image: Invalid value: \"x\": spec.image in body should be at least 2 chars long",
                "spec.replicas: Invalid value: 11: spec.replicas in body should be less than or equal to 10",
                "spec.color: Unsupported value: \"pink\": supported values: \"red\", \"green\", \"blue\"",
                "spec.tags: Too many: 3: must have at most 2 items",
                "spec.port: Invalid value: \"boolean\": spec.port in body must be of type integer,string: \"boolean\"",
                "spec.email: Invalid value: \"nope\": spec.email in body must be of type email: \"nope\"");
        assertThat(causes).noneMatch(c -> c.startsWith("spec.note"));
        HttpResponse<String> missing = post(CT, cronTab("missing", "{\"replicas\":\"two\"}"));
        List<String> m = new ArrayList<>();
        json(missing).path("details").path("causes").forEach(c -> m.add(c.path("field").asString() + ": " + c.path("message").asString()));
        assertThat(m).contains("spec.cronSpec: Required value",
                "spec.replicas: Invalid value: \"string\": spec.replicas in body must be of type integer: \"string\"");
    }

    @Test
    void listWatchAndSelectors() throws Exception {
        ensureCronTab();
        post(CT, "{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\",\"metadata\":{\"name\":\"red\",\"labels\":{\"tier\":\"a\"}},\"spec\":{\"cronSpec\":\"* * * * *\",\"color\":\"red\"}}");
        post(CT, "{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\",\"metadata\":{\"name\":\"blue\",\"labels\":{\"tier\":\"b\"}},\"spec\":{\"cronSpec\":\"* * * * *\",\"color\":\"blue\"}}");
        JsonNode list = json(req("GET", CT + "?labelSelector=tier%3Da", null, null, null));
        assertThat(list.path("kind").asString()).isEqualTo("CronTabList");
        assertThat(list.path("items").size()).isEqualTo(1);
        assertThat(list.path("items").get(0).path("metadata").path("name").asString()).isEqualTo("red");
        JsonNode byField = json(req("GET", CT + "?fieldSelector=spec.color%3Dblue", null, null, null));
        assertThat(byField.path("items").size()).isEqualTo(1);
        assertThat(byField.path("items").get(0).path("metadata").path("name").asString()).isEqualTo("blue");
        JsonNode byName = json(req("GET", "/apis/stable.example.com/v1/crontabs?fieldSelector=metadata.name%3Dred", null, null, null));
        assertThat(byName.path("items").size()).isEqualTo(1);
        HttpResponse<String> badField = req("GET", CT + "?fieldSelector=spec.image%3Dx", null, null, null);
        assertThat(badField.statusCode()).isEqualTo(400);
        // streaming watch from the list's resourceVersion sees a new object
        String rv = json(req("GET", CT, null, null, null)).path("metadata").path("resourceVersion").asString();
        HttpRequest w = HttpRequest.newBuilder(URI.create(fx.apiserver.url() + CT + "?watch=true&resourceVersion=" + rv + "&timeoutSeconds=5")).build();
        CompletableFuture<HttpResponse<java.io.InputStream>> watch = fx.http.sendAsync(w, HttpResponse.BodyHandlers.ofInputStream());
        Thread.sleep(300);
        post(CT, cronTab("watched", "{\"cronSpec\":\"* * * * *\"}"));
        try (BufferedReader in = new BufferedReader(new InputStreamReader(watch.get(10, TimeUnit.SECONDS).body(), StandardCharsets.UTF_8))) {
            JsonNode event = Json.tree(in.readLine());
            assertThat(event.path("type").asString()).isEqualTo("ADDED");
            assertThat(event.path("object").path("metadata").path("name").asString()).isEqualTo("watched");
            assertThat(event.path("object").path("apiVersion").asString()).isEqualTo("stable.example.com/v1");
        }
        // long-poll watch
        JsonNode poll = json(req("GET", CT + "?watch=poll&resourceVersion=" + rv + "&timeoutSeconds=2", null, null, null));
        assertThat(poll.path("items").toString()).contains("watched");
    }

    @Test
    void patchesAndSubresources() throws Exception {
        ensureCronTab();
        post(CT, cronTab("sub", "{\"cronSpec\":\"* * * * *\",\"replicas\":2}"));
        HttpResponse<String> smp = req("PATCH", CT + "/sub", "application/strategic-merge-patch+json", "{\"spec\":{\"image\":\"x1\"}}", null);
        assertThat(smp.statusCode()).isEqualTo(415);
        assertThat(json(smp).path("reason").asString()).isEqualTo("UnsupportedMediaType");
        // the CRD handler's patch types, never strategic merge, in Kubernetes' order
        assertThat(json(smp).path("message").asString()).isEqualTo("the body of the request was in an unknown format - accepted media types include: "
                + "application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml (got application/strategic-merge-patch+json)");
        JsonNode merged = json(req("PATCH", CT + "/sub", "application/merge-patch+json", "{\"spec\":{\"image\":\"merged\"}}", null));
        assertThat(merged.path("spec").path("image").asString()).isEqualTo("merged");
        assertThat(merged.path("metadata").path("generation").asInt()).isEqualTo(2);
        JsonNode jp = json(req("PATCH", CT + "/sub", "application/json-patch+json", "[{\"op\":\"replace\",\"path\":\"/spec/image\",\"value\":\"jp\"}]", null));
        assertThat(jp.path("spec").path("image").asString()).isEqualTo("jp");
        // status: spec changes ignored on /status, status changes ignored on the main resource, generation unchanged
        JsonNode st = json(req("PATCH", CT + "/sub/status", "application/merge-patch+json", "{\"spec\":{\"image\":\"ignored\"},\"status\":{\"replicas\":2,\"labelSelector\":\"app=x\"}}", null));
        assertThat(st.path("status").path("replicas").asInt()).isEqualTo(2);
        assertThat(st.path("spec").path("image").asString()).isEqualTo("jp");
        assertThat(st.path("metadata").path("generation").asInt()).isEqualTo(3);
        // the same status again is no write: same resourceVersion (kubectl: "patched (no change)")
        JsonNode same = json(req("PATCH", CT + "/sub/status?fieldManager=kubectl-patch", "application/merge-patch+json", "{\"status\":{\"replicas\":2,\"labelSelector\":\"app=x\"}}", null));
        assertThat(same.path("metadata").path("resourceVersion").asString()).isEqualTo(st.path("metadata").path("resourceVersion").asString());
        // a field the schema prunes changes nothing either, and nobody owns it
        JsonNode pruned = json(req("PATCH", CT + "/sub?fieldManager=kubectl-patch", "application/merge-patch+json", "{\"spec\":{\"bogus\":1}}", null));
        assertThat(pruned.path("metadata").path("resourceVersion").asString()).isEqualTo(st.path("metadata").path("resourceVersion").asString());
        assertThat(pruned.path("metadata").path("generation").asInt()).isEqualTo(3);
        assertThat(pruned.path("metadata").path("managedFields").toString()).doesNotContain("bogus");
        // server-side apply on /status
        String statusConfig = "{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\",\"metadata\":{\"name\":\"sub\"},\"status\":{\"replicas\":3}}";
        HttpResponse<String> statusConflict = req("PATCH", CT + "/sub/status?fieldManager=operator", "application/apply-patch+yaml", statusConfig, null);
        // status.replicas belongs to the status writer above (its User-Agent names the manager), with another value
        assertThat(statusConflict.statusCode()).isEqualTo(409);
        assertThat(json(statusConflict).path("details").path("causes").get(0).path("field").asString()).isEqualTo(".status.replicas");
        HttpResponse<String> statusApply = req("PATCH", CT + "/sub/status?fieldManager=operator&force=true", "application/apply-patch+yaml", statusConfig, null);
        assertThat(statusApply.statusCode()).isEqualTo(200);
        assertThat(json(statusApply).path("status").path("replicas").asInt()).isEqualTo(3);
        boolean statusEntry = false;
        for (JsonNode e : json(statusApply).path("metadata").path("managedFields")) {
            statusEntry |= e.path("manager").asString("").equals("operator") && e.path("operation").asString("").equals("Apply")
                    && e.path("subresource").asString("").equals("status") && e.path("fieldsV1").toString().equals("{\"f:status\":{\"f:replicas\":{}}}");
        }
        assertThat(statusEntry).as("an Apply entry with subresource status in %s", json(statusApply).path("metadata").path("managedFields")).isTrue();
        req("PATCH", CT + "/sub/status", "application/merge-patch+json", "{\"status\":{\"replicas\":2}}", null);
        HttpResponse<String> badStatus = req("PATCH", CT + "/sub/status", "application/merge-patch+json", "{\"status\":{\"replicas\":\"two\",\"junk\":1}}", null);
        assertThat(badStatus.statusCode()).isEqualTo(422);
        assertThat(json(badStatus).path("message").asString())
                .isEqualTo("CronTab.stable.example.com \"sub\" is invalid: status.replicas: Invalid value: \"string\": status.replicas in body must be of type integer: \"string\"");
        JsonNode main = json(req("PATCH", CT + "/sub", "application/merge-patch+json", "{\"status\":{\"replicas\":9}}", null));
        assertThat(main.path("status").path("replicas").asInt()).isEqualTo(2);
        // scale
        JsonNode scale = json(req("GET", CT + "/sub/scale", null, null, null));
        assertThat(scale.path("kind").asString()).isEqualTo("Scale");
        assertThat(scale.path("spec").path("replicas").asInt()).isEqualTo(2);
        assertThat(scale.path("status").path("replicas").asInt()).isEqualTo(2);
        assertThat(scale.path("status").path("selector").asString()).isEqualTo("app=x");
        JsonNode scaled = json(req("PATCH", CT + "/sub/scale", "application/merge-patch+json", "{\"spec\":{\"replicas\":5}}", null));
        assertThat(scaled.path("spec").path("replicas").asInt()).isEqualTo(5);
        assertThat(json(req("GET", CT + "/sub", null, null, null)).path("spec").path("replicas").asInt()).isEqualTo(5);
        // server-side apply
        String apply = "{\"apiVersion\":\"stable.example.com/v1\",\"kind\":\"CronTab\",\"metadata\":{\"name\":\"applied\"},\"spec\":{\"cronSpec\":\"* * * * *\",\"image\":\"ssa\"}}";
        HttpResponse<String> applied = req("PATCH", CT + "/applied?fieldManager=test", "application/apply-patch+yaml", apply, null);
        assertThat(applied.statusCode()).isEqualTo(201);
        assertThat(json(applied).path("spec").path("image").asString()).isEqualTo("ssa");
    }

    @Test
    void tablesUsePrinterColumns() throws Exception {
        ensureCronTab();
        post(CT, cronTab("table", "{\"cronSpec\":\"*/5 * * * *\",\"replicas\":3}"));
        JsonNode t = json(req("GET", CT + "/table", null, null, "application/json;as=Table;v=v1;g=meta.k8s.io"));
        assertThat(t.path("kind").asString()).isEqualTo("Table");
        List<String> cols = new ArrayList<>();
        t.path("columnDefinitions").forEach(c -> cols.add(c.path("name").asString()));
        assertThat(cols).containsExactly("Name", "Spec", "Replicas", "Age");
        JsonNode cells = t.path("rows").get(0).path("cells");
        assertThat(cells.get(0).asString()).isEqualTo("table");
        assertThat(cells.get(1).asString()).isEqualTo("*/5 * * * *");
        assertThat(cells.get(2).asInt()).isEqualTo(3);
        // v2 has no columns: Name and the default Age
        JsonNode t2 = json(req("GET", "/apis/stable.example.com/v2/namespaces/default/crontabs", null, null, "application/json;as=Table;v=v1;g=meta.k8s.io"));
        List<String> cols2 = new ArrayList<>();
        t2.path("columnDefinitions").forEach(c -> cols2.add(c.path("name").asString()));
        assertThat(cols2).containsExactly("Name", "Age");
    }

    @Test
    void clusterScopedCrdAndDeletionCleansUp() throws Exception {
        String crd = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"widgets.example.org"},
                 "spec":{"group":"example.org","scope":"Cluster","names":{"plural":"widgets","kind":"Widget"},
                   "versions":[{"name":"v1alpha1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","x-kubernetes-preserve-unknown-fields":true}}}]}}""";
        long t0 = System.nanoTime();
        assertThat(post(CRDS, crd).statusCode()).isEqualTo(201);
        awaitEstablished("widgets.example.org");
        long established = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        assertThat(established).as("established within 1 s").isLessThan(1000);
        String w = "/apis/example.org/v1alpha1/widgets";
        assertThat(post(w, "{\"apiVersion\":\"example.org/v1alpha1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"w1\"},\"anything\":{\"goes\":1}}").statusCode()).isEqualTo(201);
        assertThat(json(req("GET", w + "/w1", null, null, null)).path("anything").path("goes").asInt()).isEqualTo(1);
        assertThat(json(req("GET", w + "/w1", null, null, null)).path("metadata").has("namespace")).isFalse();
        // an instance with a finalizer holds the CRD in Terminating, where creates are refused
        assertThat(post(w, "{\"apiVersion\":\"example.org/v1alpha1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"held\",\"finalizers\":[\"example.org/hold\"]}}").statusCode()).isEqualTo(201);
        HttpResponse<String> del = req("DELETE", CRDS + "/widgets.example.org", null, null, null);
        assertThat(del.statusCode()).isEqualTo(200);
        JsonNode marked = json(del);
        assertThat(marked.path("metadata").path("finalizers").toString()).contains("customresourcecleanup.apiextensions.k8s.io");
        assertThat(marked.path("status").path("conditions").toString()).contains("InstanceDeletionPending");
        long until = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        HttpResponse<String> refused = null;
        while (System.nanoTime() < until) {
            refused = post(w, "{\"apiVersion\":\"example.org/v1alpha1\",\"kind\":\"Widget\",\"metadata\":{\"name\":\"late\"}}");
            if (refused.statusCode() != 201) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(refused.statusCode()).isEqualTo(405);
        assertThat(json(refused).path("reason").asString()).isEqualTo("MethodNotAllowed");
        assertThat(json(refused).path("message").asString()).isEqualTo("create is not supported on resources of kind \"widgets.example.org\"");
        long marking = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < marking && !json(req("GET", w + "/held", null, null, null)).path("metadata").has("deletionTimestamp")) {
            Thread.sleep(50);
        }
        assertThat(json(req("GET", w + "/held", null, null, null)).path("metadata").has("deletionTimestamp")).as("the finalizing controller deletes instances").isTrue();
        JsonNode terminating = json(req("GET", CRDS + "/widgets.example.org", null, null, null));
        assertThat(terminating.path("status").path("conditions").toString()).contains("InstanceDeletionInProgress");
        assertThat(req("GET", CRDS + "/widgets.example.org", null, null, null).statusCode()).as("held by the instance's finalizer").isEqualTo(200);
        req("PATCH", w + "/held", "application/merge-patch+json", "{\"metadata\":{\"finalizers\":null}}", null);
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (System.nanoTime() < deadline && req("GET", CRDS + "/widgets.example.org", null, null, null).statusCode() != 404) {
            Thread.sleep(50);
        }
        assertThat(req("GET", CRDS + "/widgets.example.org", null, null, null).statusCode()).isEqualTo(404);
        assertThat(req("GET", w, null, null, null).statusCode()).isEqualTo(404);
        assertThat(req("GET", "/apis", null, null, null).body()).doesNotContain("example.org\"");
        // recreating the CRD does not bring the old objects back
        assertThat(post(CRDS, crd).statusCode()).isEqualTo(201);
        awaitEstablished("widgets.example.org");
        assertThat(json(req("GET", w, null, null, null)).path("items").size()).isZero();
    }

    @Test
    void celValidationRules() throws Exception {
        String crd = """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"scalers.cel.example.com"},
                 "spec":{"group":"cel.example.com","scope":"Namespaced","names":{"plural":"scalers","kind":"Scaler"},
                   "versions":[{"name":"v1","served":true,"storage":true,"schema":{"openAPIV3Schema":{"type":"object","properties":{
                     "spec":{"type":"object","x-kubernetes-validations":[
                        {"rule":"self.minReplicas <= self.maxReplicas","message":"minReplicas cannot be larger than maxReplicas"}],
                      "properties":{"minReplicas":{"type":"integer"},"maxReplicas":{"type":"integer"},
                        "mode":{"type":"string","x-kubernetes-validations":[{"rule":"self == oldSelf","message":"Value is immutable"}]}}}}}}}]}}""";
        String broken = crd.replace("scalers.cel", "brokens.cel").replace("\"scalers\"", "\"brokens\"").replace("Scaler", "Broken")
                .replace("self.minReplicas <= self.maxReplicas", "self.minReplicas <=");
        HttpResponse<String> refused = post(CRDS, broken);
        assertThat(refused.statusCode()).isEqualTo(422);
        assertThat(json(refused).path("details").path("causes").get(0).path("field").asString())
                .isEqualTo("spec.versions[0].schema.openAPIV3Schema.properties[spec].x-kubernetes-validations[0].rule");
        assertThat(post(CRDS, crd).statusCode()).isEqualTo(201);
        awaitEstablished("scalers.cel.example.com");
        String path = "/apis/cel.example.com/v1/namespaces/default/scalers";
        HttpResponse<String> invalid = post(path, "{\"apiVersion\":\"cel.example.com/v1\",\"kind\":\"Scaler\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"minReplicas\":5,\"maxReplicas\":3,\"mode\":\"a\"}}");
        assertThat(invalid.statusCode()).isEqualTo(422);
        assertThat(json(invalid).path("message").asString())
                .isEqualTo("Scaler.cel.example.com \"s\" is invalid: spec: Invalid value: \"object\": minReplicas cannot be larger than maxReplicas");
        assertThat(post(path, "{\"apiVersion\":\"cel.example.com/v1\",\"kind\":\"Scaler\",\"metadata\":{\"name\":\"s\"},\"spec\":{\"minReplicas\":1,\"maxReplicas\":3,\"mode\":\"a\"}}").statusCode()).isEqualTo(201);
        HttpResponse<String> changed = req("PATCH", path + "/s", "application/merge-patch+json", "{\"spec\":{\"mode\":\"b\"}}", null);
        assertThat(changed.statusCode()).isEqualTo(422);
        assertThat(json(changed).path("details").path("causes").get(0).path("field").asString()).isEqualTo("spec.mode");
        assertThat(json(changed).path("details").path("causes").get(0).path("message").asString()).isEqualTo("Invalid value: \"string\": Value is immutable");
        assertThat(req("PATCH", path + "/s", "application/merge-patch+json", "{\"spec\":{\"maxReplicas\":4}}", null).statusCode()).isEqualTo(200);
    }

    static String libsCrd(String v1, String v2, String colorDefault) {
        String schema = """
                {"type":"object","x-kubernetes-validations":[{"rule":"self.metadata.name.startsWith('lib-')","message":"name must start with lib-"}],
                 "properties":{"spec":{"type":"object","properties":{"color":{"type":"string"%s},
                   "items":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                     "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},
                       "v":{"type":"integer","x-kubernetes-validations":[{"rule":"self >= oldSelf","message":"v may only grow"}]}}}}}},
                   "status":{"type":"object","properties":{"phase":{"type":"string"}}}}}""".formatted(colorDefault);
        return """
                {"apiVersion":"apiextensions.k8s.io/v1","kind":"CustomResourceDefinition","metadata":{"name":"libs.ops.example.com"},
                 "spec":{"group":"ops.example.com","scope":"Namespaced","names":{"plural":"libs","kind":"Lib"},"versions":[%s]}}"""
                .formatted(String.join(",", java.util.stream.Stream.of(v1, v2).filter(v -> v != null).map(v -> v.replace("SCHEMA", schema)).toList()));
    }

    /** Issue 17's operator-developer faults, end to end: the root's metadata.name in CEL, map-list transition rules, unknown metadata fields, storedVersions, defaults on read, generation without a status subresource, deprecated versions. */
    @Test
    void operatorDeveloperFaults() throws Exception {
        String v1 = "{\"name\":\"v1\",\"served\":true,\"storage\":false,\"deprecated\":true,\"schema\":{\"openAPIV3Schema\":SCHEMA}}";
        String v2 = "{\"name\":\"v2\",\"served\":true,\"storage\":true,\"schema\":{\"openAPIV3Schema\":SCHEMA}}";
        assertThat(post(CRDS, libsCrd(v1, v2, "")).statusCode()).isEqualTo(201);
        JsonNode crd = awaitEstablished("libs.ops.example.com");
        assertThat(crd.path("status").path("storedVersions").toString()).isEqualTo("[\"v2\"]");
        String v1Path = "/apis/ops.example.com/v1/namespaces/default/libs";
        String path = "/apis/ops.example.com/v2/namespaces/default/libs";
        String lib = "{\"apiVersion\":\"ops.example.com/%s\",\"kind\":\"Lib\",\"metadata\":{\"name\":\"%s\"%s},\"spec\":{\"items\":[{\"name\":\"a\",\"v\":5}]}}";

        // 8: a deprecated version warns
        HttpResponse<String> viaV1 = post(v1Path, lib.formatted("v1", "lib-old", ""));
        assertThat(viaV1.statusCode()).isEqualTo(201);
        assertThat(viaV1.headers().allValues("Warning")).contains("299 - \"ops.example.com/v1 Lib is deprecated; use ops.example.com/v2 Lib\"");
        assertThat(req("GET", v1Path + "/lib-old", null, null, null).headers().allValues("Warning")).hasSize(1);
        assertThat(req("GET", path + "/lib-old", null, null, null).headers().allValues("Warning")).isEmpty();

        // 1: the root rule sees metadata.name
        assertThat(post(path, lib.formatted("v2", "lib-a", "")).statusCode()).isEqualTo(201);
        HttpResponse<String> badName = post(path, lib.formatted("v2", "app-a", ""));
        assertThat(badName.statusCode()).isEqualTo(422);
        assertThat(json(badName).path("message").asString()).isEqualTo("Lib.ops.example.com \"app-a\" is invalid: <nil>: Invalid value: \"object\": name must start with lib-");

        // 4: unknown metadata fields: 400 under Strict, a warning and dropped under Warn
        HttpResponse<String> strict = post(path + "?fieldValidation=Strict", lib.formatted("v2", "lib-s", ",\"bogusMeta\":1"));
        assertThat(strict.statusCode()).isEqualTo(400);
        assertThat(json(strict).path("message").asString()).isEqualTo("Lib in version \"v2\" cannot be handled as a Lib: strict decoding error: unknown field \"metadata.bogusMeta\"");
        HttpResponse<String> warn = post(path, lib.formatted("v2", "lib-w", ",\"bogusMeta\":1"));
        assertThat(warn.statusCode()).isEqualTo(201);
        assertThat(warn.headers().allValues("Warning")).contains("299 - \"unknown field \\\"metadata.bogusMeta\\\"\"");
        assertThat(json(req("GET", path + "/lib-w", null, null, null)).path("metadata").has("bogusMeta")).isFalse();

        // 2: transition rules on map-list items, correlated by key
        HttpResponse<String> shrink = req("PATCH", path + "/lib-a", "application/merge-patch+json", "{\"spec\":{\"items\":[{\"name\":\"a\",\"v\":3}]}}", null);
        assertThat(shrink.statusCode()).isEqualTo(422);
        assertThat(json(shrink).path("message").asString()).isEqualTo("Lib.ops.example.com \"lib-a\" is invalid: spec.items[0].v: Invalid value: \"integer\": v may only grow");
        assertThat(req("PATCH", path + "/lib-a", "application/merge-patch+json", "{\"spec\":{\"items\":[{\"name\":\"b\",\"v\":0},{\"name\":\"a\",\"v\":6}]}}", null).statusCode()).isEqualTo(200);

        // 7: no status subresource: a status change moves generation
        HttpResponse<String> status = req("PATCH", path + "/lib-a", "application/merge-patch+json", "{\"status\":{\"phase\":\"Ready\"}}", null);
        assertThat(status.statusCode()).isEqualTo(200);
        assertThat(json(status).path("metadata").path("generation").asInt()).isEqualTo(3);

        // 6: a default added to the schema later shows on stored objects; 5: v2 stays in storedVersions
        String v1Storage = v1.replace("\"storage\":false", "\"storage\":true");
        String v2NotStorage = v2.replace("\"storage\":true", "\"storage\":false");
        HttpResponse<String> swapped = req("PUT", CRDS + "/libs.ops.example.com", "application/json",
                Json.write(((tools.jackson.databind.node.ObjectNode) json(req("GET", CRDS + "/libs.ops.example.com", null, null, null)))
                        .set("spec", Json.tree(libsCrd(v1Storage, v2NotStorage, ",\"default\":\"blue\"")).get("spec"))), null);
        assertThat(swapped.statusCode()).isEqualTo(200);
        assertThat(json(swapped).path("status").path("storedVersions").toString()).isEqualTo("[\"v2\",\"v1\"]");
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        JsonNode read = null;
        while (System.nanoTime() < deadline) {
            read = json(req("GET", path + "/lib-w", null, null, null));
            if (read.path("spec").has("color")) {
                break;
            }
            Thread.sleep(50);
        }
        assertThat(read.path("spec").path("color").asString()).isEqualTo("blue");
        HttpResponse<String> dropped = req("PUT", CRDS + "/libs.ops.example.com", "application/json",
                Json.write(((tools.jackson.databind.node.ObjectNode) json(req("GET", CRDS + "/libs.ops.example.com", null, null, null)))
                        .set("spec", Json.tree(libsCrd(v1Storage, null, "")).get("spec"))), null);
        assertThat(dropped.statusCode()).isEqualTo(422);
        assertThat(json(dropped).path("message").asString()).isEqualTo(
                "CustomResourceDefinition.apiextensions.k8s.io \"libs.ops.example.com\" is invalid: status.storedVersions[0]: Invalid value: \"v2\": must appear in spec.versions");
    }

    // ---- kubectl ------------------------------------------------------------------------------

    /** The corpus' Shirt example with the real kubectl: apply, get with printer columns, field selector, explain, status patch, delete. */
    @Test
    void kubectlAppliesACrdAndUsesIt(@org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
        Kubectl k = Kubectl.forServer(fx.apiserver.url(), dir);
        // the Kubernetes documentation's example (content/en/examples/customresourcedefinition), as in the e2e corpus
        java.nio.file.Path crdFile = java.nio.file.Files.writeString(dir.resolve("crd.yaml"), """
                apiVersion: apiextensions.k8s.io/v1
                kind: CustomResourceDefinition
                metadata:
                  name: shirts.stable.example.com
                spec:
                  group: stable.example.com
                  scope: Namespaced
                  names:
                    plural: shirts
                    singular: shirt
                    kind: Shirt
                  versions:
                  - name: v1
                    served: true
                    storage: true
                    schema:
                      openAPIV3Schema:
                        type: object
                        properties:
                          spec:
                            type: object
                            properties:
                              color:
                                type: string
                              size:
                                type: string
                    selectableFields:
                    - jsonPath: .spec.color
                    - jsonPath: .spec.size
                    additionalPrinterColumns:
                    - jsonPath: .spec.color
                      name: Color
                      type: string
                    - jsonPath: .spec.size
                      name: Size
                      type: string
                """);
        java.nio.file.Path shirts = java.nio.file.Files.writeString(dir.resolve("shirts.yaml"), """
                ---
                {
                  apiVersion: "stable.example.com/v1",
                  kind: "Shirt",
                  metadata: {
                    name: "example1",
                  },
                  spec: {
                    color: "blue",
                    size: "S",
                  },
                }
                ---
                {
                  apiVersion: "stable.example.com/v1",
                  kind: "Shirt",
                  metadata: {
                    name: "example2",
                  },
                  spec: {
                    color: "blue",
                    size: "M",
                  },
                }
                ---
                {
                  apiVersion: "stable.example.com/v1",
                  kind: "Shirt",
                  metadata: {
                    name: "example3",
                  },
                  spec: {
                    color: "green",
                    size: "M",
                  },
                }
                """);
        Kubectl.Result applied = k.run("apply", "-f", crdFile.toString());
        assertThat(applied.exitCode()).as(applied.toString()).isZero();
        assertThat(applied.out()).contains("customresourcedefinition.apiextensions.k8s.io/shirts.stable.example.com created");
        Kubectl.Result wait = k.run("wait", "--for=condition=Established", "crd/shirts.stable.example.com", "--timeout=10s");
        assertThat(wait.exitCode()).as(wait.toString()).isZero();
        Kubectl.Result created = k.run("apply", "-f", shirts.toString());
        assertThat(created.exitCode()).as(created.toString()).isZero();
        assertThat(created.out()).contains("shirt.stable.example.com/example1 created");
        Kubectl.Result ssa = k.run("apply", "--server-side", "-f", shirts.toString());
        assertThat(ssa.exitCode()).as(ssa.toString()).isZero();
        assertThat(ssa.out()).contains("shirt.stable.example.com/example1 serverside-applied");
        Kubectl.Result get = k.run("get", "shirts");
        assertThat(get.exitCode()).as(get.toString()).isZero();
        assertThat(get.out().lines().findFirst().orElse("")).containsPattern("NAME\\s+COLOR\\s+SIZE");
        assertThat(get.out()).containsPattern("example1\\s+blue\\s+S");
        Kubectl.Result selected = k.run("get", "shirts", "--field-selector", "spec.color=blue,spec.size=M", "-o", "name");
        assertThat(selected.exitCode()).as(selected.toString()).isZero();
        assertThat(selected.out()).isEqualTo("shirt.stable.example.com/example2\n");
        Kubectl.Result explain = k.run("explain", "shirts.spec");
        assertThat(explain.exitCode()).as(explain.toString()).isZero();
        assertThat(explain.out()).containsPattern("KIND:\\s+Shirt").containsPattern("color\\s+<string>");
        Kubectl.Result typo = k.runWithInput("""
                apiVersion: stable.example.com/v1
                kind: Shirt
                metadata:
                  name: typo
                spec:
                  colour: red
                """, "create", "--validate=strict", "-f", "-");
        assertThat(typo.exitCode()).as(typo.toString()).isNotZero();
        assertThat(typo.err()).contains("unknown field \"spec.colour\"");
        // the Shirt CRD declares no status subresource: 404, as Kubernetes
        Kubectl.Result noStatus = k.run("patch", "shirt", "example1", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"sold\":true}}");
        assertThat(noStatus.exitCode()).isNotZero();
        assertThat(noStatus.err()).contains("Error from server (NotFound): the server could not find the requested resource");
        ensureCronTab();
        assertThat(post(CT, cronTab("kstatus", "{\"cronSpec\":\"* * * * *\",\"replicas\":2}")).statusCode()).isEqualTo(201);
        // kubectl picks the group's preferred version (v2, without subresources) unless told the version
        Kubectl.Result status = k.run("patch", "crontabs.v1.stable.example.com", "kstatus", "--subresource=status", "--type=merge", "-p", "{\"status\":{\"replicas\":4}}");
        assertThat(status.exitCode()).as(status.toString()).isZero();
        assertThat(status.out()).contains("crontab.stable.example.com/kstatus patched");
        Kubectl.Result scaled = k.run("scale", "crontabs.v1.stable.example.com", "kstatus", "--replicas=3");
        assertThat(scaled.exitCode()).as(scaled.toString()).isZero();
        Kubectl.Result ct = k.run("get", "crontabs.v1.stable.example.com", "kstatus");
        assertThat(ct.out().lines().findFirst().orElse("")).containsPattern("NAME\\s+SPEC\\s+REPLICAS\\s+AGE");
        assertThat(ct.out()).containsPattern("kstatus\\s+\\* \\* \\* \\* \\*\\s+3\\s+");
        Kubectl.Result deleted = k.run("delete", "-f", crdFile.toString());
        assertThat(deleted.exitCode()).as(deleted.toString()).isZero();
        assertThat(deleted.out()).contains("customresourcedefinition.apiextensions.k8s.io \"shirts.stable.example.com\" deleted");
        Kubectl.Result waited = k.run("wait", "--for=delete", "crd/shirts.stable.example.com", "--timeout=10s");
        assertThat(waited.exitCode()).as(waited.toString()).isZero();
        // kubectl's discovery cache still knows shirts; the list itself is 404 once the CRD is gone
        Kubectl.Result gone = k.run("get", "shirts");
        assertThat(gone.exitCode()).isNotZero();
        assertThat(gone.err()).contains("Error from server (NotFound): Unable to list \"stable.example.com/v1, Resource=shirts\": the server could not find the requested resource");
    }
}
