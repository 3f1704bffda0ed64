package io.kube4j.apiserver.discovery;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.api.Scale;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.web.MediaTypes;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * OpenAPI for kubectl: {@code /openapi/v3} (an index of group-versions), {@code /openapi/v3/api/v1} and
 * {@code /openapi/v3/apis/{group}/{version}} (paths and real schemas: {@code kubectl explain} reads the
 * schemas, and a PATCH operation listing {@code fieldValidation} tells kubectl to validate on the
 * server), and {@code /openapi/v2} with the same content in Swagger 2.0, as JSON or as the protobuf
 * Document kubectl asks for (see {@link OpenApiV2Protobuf}). Built once: the types are fixed.
 */
@RestController
class OpenApiController {
    private final Map<String, byte[]> v3 = new LinkedHashMap<>();
    private final Map<String, String> hashes = new LinkedHashMap<>();
    private final byte[] v3Index;
    private final byte[] v2;
    private final byte[] v2Protobuf;

    /**
     * The forms of /openapi/v2 in kube-openapi's order (handler.go): JSON, then the protobuf media type
     * client-go asks for and its newer spelling; both protobuf ones are answered with the newer one.
     */
    private static final List<String> V2_TYPES = List.of("application/json",
            "application/com.github.proto-openapi.spec.v2@v1.0+protobuf", OpenApiV2Protobuf.CONTENT_TYPE);

    private final ServedResources served;
    private final io.kube4j.apiserver.registry.Strategies strategies;

    /** Built-in kinds only (tests of the static documents). */
    OpenApiController() {
        this(null, null);
    }

    @org.springframework.beans.factory.annotation.Autowired
    OpenApiController(ServedResources served, io.kube4j.apiserver.registry.Strategies strategies) {
        this.served = served;
        this.strategies = strategies;
        ObjectNode index = Json.mapper().createObjectNode();
        ObjectNode paths = index.putObject("paths");
        for (ServedResources.GroupVersion gv : ServedResources.groupVersions()) {
            byte[] doc = Json.writeBytes(v3Document(gv));
            v3.put(gv.path(), doc);
            hashes.put(gv.path(), sha512(doc));
            paths.putObject(gv.path()).put("serverRelativeURL", "/openapi/v3/" + gv.path() + "?hash=" + hashes.get(gv.path()));
        }
        v3Index = Json.writeBytes(index);
        ObjectNode v2Doc = v2Document();
        v2 = Json.writeBytes(v2Doc);
        v2Protobuf = OpenApiV2Protobuf.encode(v2Doc);
    }

    @GetMapping("/openapi/v3")
    ResponseEntity<byte[]> index() {
        Map<String, byte[]> custom = customDocuments();
        if (custom.isEmpty()) {
            return ok(v3Index);
        }
        ObjectNode index = (ObjectNode) Json.tree(v3Index);
        ObjectNode paths = (ObjectNode) index.get("paths");
        custom.forEach((path, doc) -> paths.putObject(path).put("serverRelativeURL", "/openapi/v3/" + path + "?hash=" + sha512(doc)));
        return ok(Json.writeBytes(index));
    }

    /**
     * The v3 documents of the custom resources' group-versions, built from their CRDs' schemas as
     * Kubernetes' CRD OpenAPI controller builds them (apiextensions-apiserver/pkg/controller/openapi/builder):
     * each kind's schema named by its reversed group ({@code com.example.stable.v1.CronTab}) with apiVersion,
     * kind, metadata and {@code x-kubernetes-group-version-kind}, so kubectl explain and kubectl's
     * server-side field validation find them.
     */
    private Map<String, byte[]> customDocuments() {
        Map<String, byte[]> out = new LinkedHashMap<>();
        if (served == null) {
            return out;
        }
        for (ServedResources.GroupVersion gv : served.all()) {
            if (gv.resources().isEmpty() || !(strategies.of(gv.resources().getFirst()) instanceof io.kube4j.apiserver.crd.CustomResourceStrategy)) {
                continue;
            }
            OpenApiSchemas schemas = new OpenApiSchemas("#/components/schemas/", List.of(ResourceTypes.NAMESPACES));
            ObjectNode doc = Json.mapper().createObjectNode();
            doc.put("openapi", "3.0.0");
            info(doc);
            ObjectNode paths = doc.putObject("paths");
            ObjectNode components = doc.putObject("components").putObject("schemas");
            for (ResourceType rt : gv.resources()) {
                io.kube4j.apiserver.crd.CustomResourceStrategy crs = (io.kube4j.apiserver.crd.CustomResourceStrategy) strategies.of(rt);
                String name = schemaName(rt);
                ObjectNode ref = Json.mapper().createObjectNode();
                ref.putArray("allOf").addObject().put("$ref", "#/components/schemas/" + name);
                addPaths(paths, rt, ref, true);
                ObjectNode schema = crs.schema().root() == null ? Json.mapper().createObjectNode() : (ObjectNode) crs.schema().root().deepCopy();
                ObjectNode props = schema.has("properties") ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
                props.putObject("apiVersion").put("type", "string").put("description",
                        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources");
                props.putObject("kind").put("type", "string").put("description",
                        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds");
                ObjectNode meta = props.putObject("metadata");
                meta.put("description", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
                meta.set("allOf", schemas.ref(io.kube4j.api.ObjectMeta.class).get("allOf"));
                ObjectNode gvk = schema.putArray("x-kubernetes-group-version-kind").addObject();
                gvk.put("group", rt.group());
                gvk.put("version", rt.version());
                gvk.put("kind", rt.kind());
                components.set(name, schema);
            }
            schemas.addAll(components, List.of(io.kube4j.api.ObjectMeta.class), Map.of());
            out.put(gv.path(), Json.writeBytes(doc));
        }
        return out;
    }

    /** The OpenAPI name of a custom resource's schema: the group reversed, the version, the kind. */
    static String schemaName(ResourceType rt) {
        List<String> parts = new java.util.ArrayList<>(List.of(rt.group().split("\\.")));
        java.util.Collections.reverse(parts);
        return String.join(".", parts) + "." + rt.version() + "." + rt.kind();
    }

    @GetMapping({"/openapi/v3/api/{version}", "/openapi/v3/apis/{group}/{version}"})
    ResponseEntity<byte[]> groupVersion(HttpServletRequest req) {
        String path = req.getRequestURI().substring(req.getContextPath().length() + "/openapi/v3/".length());
        byte[] doc = v3.get(path);
        if (doc == null) {
            doc = customDocuments().get(path);
        }
        if (doc == null) {
            throw new ApiError(io.kube4j.api.Status.failure(404, "NotFound", "the server could not find the requested resource"));
        }
        return ok(doc);
    }

    /**
     * Swagger 2.0 as JSON or as gnostic's protobuf Document, chosen from Accept as kube-openapi chooses
     * (no Accept is {@code *}{@code /*}, hence JSON); 406 with no body when no clause matches.
     */
    @GetMapping("/openapi/v2")
    ResponseEntity<byte[]> swagger(HttpServletRequest req) {
        String accept = req.getHeader(HttpHeaders.ACCEPT);
        int chosen = MediaTypes.choose(accept == null || accept.isBlank() ? "*/*" : accept, V2_TYPES);
        if (chosen < 0) {
            return ResponseEntity.status(406).header(HttpHeaders.VARY, HttpHeaders.ACCEPT).build();
        }
        ObjectNode withCustom = v2WithCustomResources();
        if (chosen == 0) {
            return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json").header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                    .body(withCustom == null ? v2 : Json.writeBytes(withCustom));
        }
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, OpenApiV2Protobuf.CONTENT_TYPE).header(HttpHeaders.VARY, HttpHeaders.ACCEPT)
                .body(withCustom == null ? v2Protobuf : OpenApiV2Protobuf.encode(withCustom));
    }

    /**
     * The v2 document with the custom resources served now, or null when there are none: each kind's
     * definition (named as in v3, {@code com.example.stable.v1.CronTab}) and paths, as Kubernetes' CRD
     * OpenAPI controller merges them into /openapi/v2 (builder.go with {@code v2=true}: the structural
     * schema converted to Swagger 2.0, which has no {@code nullable}, and definitions under
     * {@code #/definitions/}), so clients that read only v2 (older kubectl explain, kubectl validate)
     * know them.
     */
    private ObjectNode v2WithCustomResources() {
        if (served == null) {
            return null;
        }
        ObjectNode doc = null;
        for (ServedResources.GroupVersion gv : served.all()) {
            if (gv.resources().isEmpty() || !(strategies.of(gv.resources().getFirst()) instanceof io.kube4j.apiserver.crd.CustomResourceStrategy)) {
                continue;
            }
            if (doc == null) {
                doc = (ObjectNode) Json.tree(v2);
            }
            ObjectNode paths = (ObjectNode) doc.get("paths");
            ObjectNode definitions = (ObjectNode) doc.get("definitions");
            OpenApiSchemas schemas = new OpenApiSchemas("#/definitions/", List.of(ResourceTypes.NAMESPACES));
            for (ResourceType rt : gv.resources()) {
                io.kube4j.apiserver.crd.CustomResourceStrategy crs = (io.kube4j.apiserver.crd.CustomResourceStrategy) strategies.of(rt);
                String name = schemaName(rt);
                ObjectNode ref = Json.mapper().createObjectNode().put("$ref", "#/definitions/" + name);
                addPaths(paths, rt, ref, false);
                ObjectNode schema = crs.schema().root() == null ? Json.mapper().createObjectNode() : (ObjectNode) crs.schema().root().deepCopy();
                withoutNullable(schema);
                ObjectNode props = schema.has("properties") ? (ObjectNode) schema.get("properties") : schema.putObject("properties");
                props.putObject("apiVersion").put("type", "string").put("description",
                        "APIVersion defines the versioned schema of this representation of an object. Servers should convert recognized schemas to the latest internal value, and may reject unrecognized values. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#resources");
                props.putObject("kind").put("type", "string").put("description",
                        "Kind is a string value representing the REST resource this object represents. Servers may infer this from the endpoint the client submits requests to. Cannot be updated. In CamelCase. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#types-kinds");
                ObjectNode meta = schemas.ref(io.kube4j.api.ObjectMeta.class);
                meta.put("description", "Standard object's metadata. More info: https://git.k8s.io/community/contributors/devel/sig-architecture/api-conventions.md#metadata");
                props.set("metadata", meta);
                ObjectNode gvk = schema.putArray("x-kubernetes-group-version-kind").addObject();
                gvk.put("group", rt.group());
                gvk.put("version", rt.version());
                gvk.put("kind", rt.kind());
                definitions.set(name, schema);
            }
        }
        return doc;
    }

    // Swagger 2.0 has no nullable, oneOf, anyOf or not (Kubernetes' v2 conversion, ToStructuralOpenAPIV2, drops them)
    private static void withoutNullable(tools.jackson.databind.JsonNode node) {
        if (node instanceof ObjectNode o) {
            o.remove(List.of("nullable", "oneOf", "anyOf", "not"));
            o.properties().forEach(e -> withoutNullable(e.getValue()));
        } else if (node instanceof ArrayNode a) {
            a.forEach(OpenApiController::withoutNullable);
        }
    }

    private static ResponseEntity<byte[]> ok(byte[] body) {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json").body(body);
    }

    /** Every served resource: the stored kinds and the other versions served as views of them. */

    private static ObjectNode v3Document(ServedResources.GroupVersion gv) {
        OpenApiSchemas schemas = new OpenApiSchemas("#/components/schemas/", everything());
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("openapi", "3.0.0");
        info(doc);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType rt : gv.resources()) {
            addPaths(paths, rt, schemas, true);
        }
        ObjectNode components = doc.putObject("components").putObject("schemas");
        addSchemas(components, gv.resources(), schemas);
        return doc;
    }

    private static ObjectNode v2Document() {
        OpenApiSchemas schemas = new OpenApiSchemas("#/definitions/", everything());
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("swagger", "2.0");
        info(doc);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType rt : everything()) {
            addPaths(paths, rt, schemas, false);
        }
        addSchemas(doc.putObject("definitions"), everything(), schemas);
        return doc;
    }

    /** The stored resources and the read-only metrics ones. */
    /** Every built-in kind: stored ones, other versions served as views, and the read-only metrics. */
    private static List<ResourceType> everything() {
        List<ResourceType> all = new java.util.ArrayList<>(ResourceTypes.ALL);
        all.addAll(ResourceTypes.VIEWS);
        all.addAll(ResourceTypes.METRICS);
        return all;
    }

    private static void info(ObjectNode doc) {
        ObjectNode info = doc.putObject("info");
        info.put("title", "kube4j");
        info.put("version", io.kube4j.version.KubernetesVersion.GIT_VERSION);
    }

    private static void addSchemas(ObjectNode target, List<ResourceType> resources, OpenApiSchemas schemas) {
        Map<Class<?>, ResourceType> kinds = new HashMap<>();
        List<Class<?>> roots = new java.util.ArrayList<>();
        for (ResourceType rt : resources) {
            kinds.put(rt.type(), rt);
            roots.add(rt.type());
        }
        if (resources.contains(ResourceTypes.DEPLOYMENTS)) {
            roots.add(Scale.class);
        }
        schemas.addAll(target, roots, kinds);
    }

    /** The collection and object paths of one resource, each operation tagged with its kind. */
    private static void addPaths(ObjectNode paths, ResourceType rt, OpenApiSchemas schemas, boolean v3) {
        addPaths(paths, rt, schemas.ref(rt.type()), v3);
    }

    /** As above, with the schema reference of the kind given. */
    private static void addPaths(ObjectNode paths, ResourceType rt, ObjectNode schemas, boolean v3) {
        String collection = rt.namespaced()
                ? rt.groupVersionPath() + "/namespaces/{namespace}/" + rt.resource()
                : rt.groupVersionPath() + "/" + rt.resource();
        ObjectNode coll = paths.putObject(collection);
        if (ServedResources.readOnly(rt)) {
            operation(coll, "get", "list", rt, schemas, v3, List.of("labelSelector", "fieldSelector"));
            ObjectNode one = paths.putObject(collection + "/{name}");
            operation(one, "get", "get", rt, schemas, v3, List.of());
            ArrayNode params = one.putArray("parameters");
            pathParam(params, "name", v3);
            if (rt.namespaced()) {
                pathParam(params, "namespace", v3);
                pathParam(coll.putArray("parameters"), "namespace", v3);
            }
            return;
        }
        operation(coll, "get", "list", rt, schemas, v3, List.of("labelSelector", "fieldSelector", "limit", "continue", "resourceVersion", "watch", "timeoutSeconds"));
        operation(coll, "post", "post", rt, schemas, v3, List.of("dryRun", "fieldManager", "fieldValidation"));
        operation(coll, "delete", "deletecollection", rt, schemas, v3, List.of("labelSelector", "fieldSelector", "dryRun"));
        ObjectNode one = paths.putObject(collection + "/{name}");
        operation(one, "get", "get", rt, schemas, v3, List.of());
        operation(one, "put", "put", rt, schemas, v3, List.of("dryRun", "fieldManager", "fieldValidation"));
        operation(one, "patch", "patch", rt, schemas, v3, List.of("dryRun", "fieldManager", "fieldValidation", "force"));
        operation(one, "delete", "delete", rt, schemas, v3, List.of("dryRun", "gracePeriodSeconds", "propagationPolicy"));
        ArrayNode params = one.putArray("parameters");
        pathParam(params, "name", v3);
        if (rt.namespaced()) {
            pathParam(params, "namespace", v3);
            pathParam(coll.putArray("parameters"), "namespace", v3);
        }
    }

    private static void operation(ObjectNode path, String method, String action, ResourceType rt, ObjectNode ref, boolean v3, List<String> query) {
        ObjectNode op = path.putObject(method);
        op.put("operationId", action + rt.kind());
        op.put("x-kubernetes-action", action);
        ObjectNode gvk = op.putObject("x-kubernetes-group-version-kind");
        gvk.put("group", rt.group());
        gvk.put("version", rt.version());
        gvk.put("kind", rt.kind());
        ArrayNode params = op.putArray("parameters");
        for (String q : query) {
            ObjectNode p = params.addObject();
            p.put("name", q);
            p.put("in", "query");
            String type = q.equals("limit") || q.equals("timeoutSeconds") || q.equals("gracePeriodSeconds") ? "integer"
                    : q.equals("force") || q.equals("watch") ? "boolean" : "string";
            if (v3) {
                p.putObject("schema").put("type", type);
            } else {
                p.put("type", type);
            }
        }
        ObjectNode ok = op.putObject("responses").putObject("200");
        ok.put("description", "OK");
        if (!action.equals("list") && !action.equals("deletecollection")) {
            if (v3) {
                ok.putObject("content").putObject("application/json").set("schema", ref.deepCopy());
            } else {
                ok.set("schema", ref.deepCopy());
            }
        }
    }

    private static void pathParam(ArrayNode params, String name, boolean v3) {
        ObjectNode p = params.addObject();
        p.put("name", name);
        p.put("in", "path");
        p.put("required", true);
        if (v3) {
            p.putObject("schema").put("type", "string");
        } else {
            p.put("type", "string");
        }
    }

    private static String sha512(byte[] doc) {
        try {
            return HexFormat.of().withUpperCase().formatHex(MessageDigest.getInstance("SHA-512").digest(doc));
        } catch (NoSuchAlgorithmException e) {
            // every JDK has SHA-512; fall back to a content hash rather than failing startup
            return Integer.toHexString(new String(doc, StandardCharsets.UTF_8).hashCode());
        }
    }
}
