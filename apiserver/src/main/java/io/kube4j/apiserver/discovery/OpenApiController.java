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

    OpenApiController() {
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
        return ok(v3Index);
    }

    @GetMapping({"/openapi/v3/api/{version}", "/openapi/v3/apis/{group}/{version}"})
    ResponseEntity<byte[]> groupVersion(HttpServletRequest req) {
        String path = req.getRequestURI().substring(req.getContextPath().length() + "/openapi/v3/".length());
        byte[] doc = v3.get(path);
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
        if (chosen == 0) {
            return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json").header(HttpHeaders.VARY, HttpHeaders.ACCEPT).body(v2);
        }
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, OpenApiV2Protobuf.CONTENT_TYPE).header(HttpHeaders.VARY, HttpHeaders.ACCEPT).body(v2Protobuf);
    }

    private static ResponseEntity<byte[]> ok(byte[] body) {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json").body(body);
    }

    /** Every served resource: the stored kinds and the other versions served as views of them. */
    private static final List<ResourceType> SERVED = java.util.stream.Stream.concat(ResourceTypes.ALL.stream(), ResourceTypes.VIEWS.stream()).toList();

    private static ObjectNode v3Document(ServedResources.GroupVersion gv) {
        OpenApiSchemas schemas = new OpenApiSchemas("#/components/schemas/", SERVED);
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
        OpenApiSchemas schemas = new OpenApiSchemas("#/definitions/", SERVED);
        ObjectNode doc = Json.mapper().createObjectNode();
        doc.put("swagger", "2.0");
        info(doc);
        ObjectNode paths = doc.putObject("paths");
        for (ResourceType rt : SERVED) {
            addPaths(paths, rt, schemas, false);
        }
        addSchemas(doc.putObject("definitions"), SERVED, schemas);
        return doc;
    }

    private static void info(ObjectNode doc) {
        ObjectNode info = doc.putObject("info");
        info.put("title", "kube4j");
        info.put("version", "v1.32.4");
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
        String collection = rt.namespaced()
                ? rt.groupVersionPath() + "/namespaces/{namespace}/" + rt.resource()
                : rt.groupVersionPath() + "/" + rt.resource();
        ObjectNode coll = paths.putObject(collection);
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

    private static void operation(ObjectNode path, String method, String action, ResourceType rt, OpenApiSchemas schemas, boolean v3, List<String> query) {
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
                ok.putObject("content").putObject("application/json").set("schema", schemas.ref(rt.type()));
            } else {
                ok.set("schema", schemas.ref(rt.type()));
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
