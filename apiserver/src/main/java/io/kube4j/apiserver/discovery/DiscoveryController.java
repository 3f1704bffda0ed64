package io.kube4j.apiserver.discovery;

import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import org.springframework.http.HttpHeaders;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * {@code /version} and API discovery: the flat documents ({@code /api}, {@code /apis}, {@code /api/v1},
 * {@code /apis/{group}/{version}}) and, when the client asks for it in Accept, aggregated discovery
 * ({@code apidiscovery.k8s.io/v2}), which saves kubectl one request per group-version.
 */
@RestController
class DiscoveryController {
    /** The exact Content-Type client-go requires before it reads an aggregated discovery answer. */
    static final String AGGREGATED = "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";

    private final ServedResources served;

    DiscoveryController(ServedResources served) {
        this.served = served;
    }

    /**
     * {@code GET /}: the sorted paths the server serves, as Kubernetes' index handler
     * (apiserver/pkg/server/routes/index.go, metav1.RootPaths {@code {"paths": [...]}}): every API
     * group and group-version, discovery, OpenAPI, health and version.
     */
    @GetMapping("/")
    ResponseEntity<byte[]> rootPaths() {
        java.util.TreeSet<String> paths = new java.util.TreeSet<>(List.of("/.well-known/openid-configuration", "/api", "/apis", "/apis/",
                "/healthz", "/livez", "/readyz", "/openapi/v2", "/openapi/v3", "/openapi/v3/", "/openid/v1/jwks", "/version",
                "/apis/" + REVIEW_GROUP, "/apis/" + REVIEW_GROUP + "/" + REVIEW_VERSION));
        for (ServedResources.GroupVersion gv : served.discoverable()) {
            paths.add("/" + gv.path());
            if (!gv.group().isEmpty()) paths.add("/apis/" + gv.group());
        }
        ObjectNode out = Json.mapper().createObjectNode();
        ArrayNode list = out.putArray("paths");
        paths.forEach(list::add);
        return json(out);
    }

    /** {@code /version}, and {@code /version/} as Kubernetes' version handler serves it (system:public-info-viewer lists both). */
    @GetMapping({"/version", "/version/"})
    ResponseEntity<byte[]> version() {
        ObjectNode v = Json.mapper().createObjectNode();
        v.put("major", io.kube4j.version.KubernetesVersion.MAJOR);
        // kubectl dispatchers pick their client binary from minor, and client-go parses gitVersion as semver
        v.put("minor", io.kube4j.version.KubernetesVersion.MINOR);
        v.put("gitVersion", io.kube4j.version.KubernetesVersion.GIT_VERSION);
        v.put("gitCommit", "kube4j");
        v.put("gitTreeState", "clean");
        v.put("buildDate", "2025-01-01T00:00:00Z");
        v.put("goVersion", "java" + Runtime.version().feature());
        v.put("compiler", "kube4j");
        v.put("platform", "linux/amd64");
        return json(v);
    }

    @GetMapping("/api")
    ResponseEntity<byte[]> api(HttpServletRequest req) {
        if (wantsAggregated(req)) {
            return aggregated(served.discoverable().stream().filter(gv -> gv.group().isEmpty()).toList(), false);
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "APIVersions");
        out.putArray("versions").add("v1");
        ObjectNode addr = out.putArray("serverAddressByClientCIDRs").addObject();
        addr.put("clientCIDR", "0.0.0.0/0");
        addr.put("serverAddress", req.getLocalAddr() + ":" + req.getLocalPort());
        return json(out);
    }

    @GetMapping("/apis")
    ResponseEntity<byte[]> apis(HttpServletRequest req) {
        List<ServedResources.GroupVersion> named = served.discoverable().stream().filter(gv -> !gv.group().isEmpty()).toList();
        if (wantsAggregated(req)) {
            return aggregated(named, true);
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "APIGroupList");
        out.put("apiVersion", "v1");
        ArrayNode groups = out.putArray("groups");
        byGroup(named).forEach((g, versions) -> groups.add(group(versions)));
        groups.add(reviewGroup());
        return json(out);
    }

    @GetMapping("/apis/{group}")
    ResponseEntity<byte[]> apiGroup(@PathVariable String group) {
        if (group.equals(REVIEW_GROUP)) {
            ObjectNode out = Json.mapper().createObjectNode();
            out.put("kind", "APIGroup");
            out.put("apiVersion", "v1");
            out.setAll(reviewGroup());
            return json(out);
        }
        List<ServedResources.GroupVersion> versions = byGroup(served.discoverable()).get(group);
        if (group.isEmpty() || versions == null) {
            throw notFound();
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "APIGroup");
        out.put("apiVersion", "v1");
        out.setAll(group(versions));
        return json(out);
    }

    @GetMapping("/api/{version}")
    ResponseEntity<byte[]> coreResources(@PathVariable String version) {
        return resourceList("", version);
    }

    @GetMapping("/apis/{group}/{version}")
    ResponseEntity<byte[]> groupResources(@PathVariable String group, @PathVariable String version) {
        return resourceList(group, version);
    }

    private ResponseEntity<byte[]> resourceList(String group, String version) {
        if (group.equals(REVIEW_GROUP) && version.equals(REVIEW_VERSION)) {
            ObjectNode out = Json.mapper().createObjectNode();
            out.put("kind", "APIResourceList");
            out.put("apiVersion", "v1");
            out.put("groupVersion", REVIEW_GROUP + "/" + REVIEW_VERSION);
            ArrayNode resources = out.putArray("resources");
            for (Review r : REVIEWS) {
                ObjectNode n = resources.addObject();
                n.put("name", r.resource());
                n.put("singularName", r.singular());
                n.put("namespaced", r.namespaced());
                n.put("kind", r.kind());
                n.putArray("verbs").add("create");
            }
            return json(out);
        }
        ServedResources.GroupVersion gv = served.served(group, version);
        if (gv == null) {
            gv = ServedResources.CREATE_ONLY.stream().filter(g -> g.group().equals(group) && g.version().equals(version)).findFirst().orElse(null);
        }
        if (gv == null) {
            throw notFound();
        }
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "APIResourceList");
        out.put("apiVersion", "v1");
        out.put("groupVersion", gv.groupVersion());
        ArrayNode resources = out.putArray("resources");
        for (ResourceType rt : gv.resources()) {
            ObjectNode r = resources.addObject();
            r.put("name", rt.resource());
            r.put("singularName", rt.singular());
            r.put("namespaced", rt.namespaced());
            r.put("kind", rt.kind());
            strings(r.putArray("verbs"), ServedResources.verbs(rt));
            if (!rt.shortNames().isEmpty()) {
                strings(r.putArray("shortNames"), rt.shortNames());
            }
            if (!rt.categories().isEmpty()) {
                strings(r.putArray("categories"), rt.categories());
            }
            for (ServedResources.Subresource sub : served.subresources(rt)) {
                ObjectNode s = resources.addObject();
                s.put("name", rt.resource() + "/" + sub.name());
                s.put("singularName", "");
                s.put("namespaced", rt.namespaced());
                if (!sub.group().equals(rt.group()) || !sub.version().equals(rt.version())) {
                    s.put("group", sub.group());
                    s.put("version", sub.version());
                }
                s.put("kind", sub.kind());
                strings(s.putArray("verbs"), sub.verbs());
            }
        }
        return json(out);
    }

    /** The group-versions by group, groups in first-seen order, versions in the order given (preferred first). */
    private static java.util.Map<String, List<ServedResources.GroupVersion>> byGroup(List<ServedResources.GroupVersion> gvs) {
        java.util.Map<String, List<ServedResources.GroupVersion>> out = new java.util.LinkedHashMap<>();
        for (ServedResources.GroupVersion gv : gvs) {
            out.computeIfAbsent(gv.group(), g -> new java.util.ArrayList<>()).add(gv);
        }
        return out;
    }

    /** An APIGroup: all its versions, the first one preferred. */
    private static ObjectNode group(List<ServedResources.GroupVersion> versions) {
        ObjectNode g = Json.mapper().createObjectNode();
        g.put("name", versions.getFirst().group());
        ArrayNode vs = g.putArray("versions");
        for (ServedResources.GroupVersion gv : versions) {
            ObjectNode v = vs.addObject();
            v.put("groupVersion", gv.groupVersion());
            v.put("version", gv.version());
        }
        ObjectNode pref = g.putObject("preferredVersion");
        pref.put("groupVersion", versions.getFirst().groupVersion());
        pref.put("version", versions.getFirst().version());
        return g;
    }

    private ResponseEntity<byte[]> aggregated(List<ServedResources.GroupVersion> gvs, boolean withReviews) {
        ObjectNode out = Json.mapper().createObjectNode();
        out.put("kind", "APIGroupDiscoveryList");
        out.put("apiVersion", "apidiscovery.k8s.io/v2");
        out.putObject("metadata");
        ArrayNode items = out.putArray("items");
        java.util.Map<String, ObjectNode> groupItems = new java.util.HashMap<>();
        for (ServedResources.GroupVersion gv : gvs) {
            ObjectNode item = groupItems.computeIfAbsent(gv.group(), g -> {
                ObjectNode i = items.addObject();
                i.putObject("metadata").put("name", g);
                i.putArray("versions");
                return i;
            });
            ObjectNode version = ((ArrayNode) item.get("versions")).addObject();
            version.put("version", gv.version());
            version.put("freshness", "Current");
            ArrayNode resources = version.putArray("resources");
            for (ResourceType rt : gv.resources()) {
                ObjectNode r = resources.addObject();
                r.put("resource", rt.resource());
                kind(r.putObject("responseKind"), rt.group(), rt.version(), rt.kind());
                r.put("scope", rt.namespaced() ? "Namespaced" : "Cluster");
                r.put("singularResource", rt.singular());
                strings(r.putArray("verbs"), ServedResources.verbs(rt));
                if (!rt.shortNames().isEmpty()) {
                    strings(r.putArray("shortNames"), rt.shortNames());
                }
                if (!rt.categories().isEmpty()) {
                    strings(r.putArray("categories"), rt.categories());
                }
                List<ServedResources.Subresource> subs = served.subresources(rt);
                if (!subs.isEmpty()) {
                    ArrayNode sa = r.putArray("subresources");
                    for (ServedResources.Subresource sub : subs) {
                        ObjectNode s = sa.addObject();
                        s.put("subresource", sub.name());
                        kind(s.putObject("responseKind"), sub.group(), sub.version(), sub.kind());
                        strings(s.putArray("verbs"), sub.verbs());
                    }
                }
            }
        }
        if (withReviews) {
            ObjectNode item = items.addObject();
            item.putObject("metadata").put("name", REVIEW_GROUP);
            ObjectNode version = item.putArray("versions").addObject();
            version.put("version", REVIEW_VERSION);
            version.put("freshness", "Current");
            ArrayNode resources = version.putArray("resources");
            for (Review rv : REVIEWS) {
                ObjectNode r = resources.addObject();
                r.put("resource", rv.resource());
                kind(r.putObject("responseKind"), REVIEW_GROUP, REVIEW_VERSION, rv.kind());
                r.put("scope", rv.namespaced() ? "Namespaced" : "Cluster");
                r.put("singularResource", rv.singular());
                r.putArray("verbs").add("create");
            }
        }
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, AGGREGATED).body(Json.writeBytes(out));
    }

    /**
     * authorization.k8s.io/v1: the access reviews, created and answered but never stored, so not in
     * {@link io.kube4j.api.ResourceTypes} (served by web.AccessReviewController); Kubernetes lists them
     * with the single verb {@code create}.
     */
    static final String REVIEW_GROUP = "authorization.k8s.io";
    static final String REVIEW_VERSION = "v1";

    /** One access-review resource as discovery shows it. */
    record Review(String resource, String singular, String kind, boolean namespaced) {
    }

    static final List<Review> REVIEWS = List.of(
            new Review("localsubjectaccessreviews", "localsubjectaccessreview", "LocalSubjectAccessReview", true),
            new Review("selfsubjectaccessreviews", "selfsubjectaccessreview", "SelfSubjectAccessReview", false),
            new Review("selfsubjectrulesreviews", "selfsubjectrulesreview", "SelfSubjectRulesReview", false),
            new Review("subjectaccessreviews", "subjectaccessreview", "SubjectAccessReview", false));

    /** The APIGroup of the access reviews. */
    private static ObjectNode reviewGroup() {
        ObjectNode g = Json.mapper().createObjectNode();
        g.put("name", REVIEW_GROUP);
        ObjectNode v = g.putArray("versions").addObject();
        v.put("groupVersion", REVIEW_GROUP + "/" + REVIEW_VERSION);
        v.put("version", REVIEW_VERSION);
        ObjectNode pref = g.putObject("preferredVersion");
        pref.put("groupVersion", REVIEW_GROUP + "/" + REVIEW_VERSION);
        pref.put("version", REVIEW_VERSION);
        return g;
    }

    private static void kind(ObjectNode k, String group, String version, String kind) {
        k.put("group", group);
        k.put("version", version);
        k.put("kind", kind);
    }

    private static void strings(ArrayNode a, List<String> values) {
        values.forEach(a::add);
    }

    /** Whether Accept lists aggregated discovery v2 (client-go lists it first, with plain JSON as fallback). */
    static boolean wantsAggregated(HttpServletRequest req) {
        String accept = req.getHeader("Accept");
        if (accept == null) {
            return false;
        }
        for (String part : accept.split(",")) {
            java.util.Set<String> params = new java.util.HashSet<>();
            for (String p : part.split(";")) {
                params.add(p.trim());
            }
            if (params.containsAll(List.of("g=apidiscovery.k8s.io", "v=v2", "as=APIGroupDiscoveryList"))) {
                return true;
            }
        }
        return false;
    }

    static ResponseEntity<byte[]> json(ObjectNode body) {
        return ResponseEntity.ok().header(HttpHeaders.CONTENT_TYPE, "application/json").body(Json.writeBytes(body));
    }

    private static ApiError notFound() {
        return new ApiError(io.kube4j.api.Status.failure(404, "NotFound", "the server could not find the requested resource"));
    }
}
