package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.discovery.ServedResources;

import java.util.ArrayList;
import java.util.List;

/**
 * A parsed resource URL: {@code /api/v1/namespaces/{ns}/pods/{name}/status} and friends.
 *
 * @param type        the resource
 * @param namespace   the namespace from the URL, or null (cluster-scoped, or a list across namespaces)
 * @param name        the object's name, or null for the collection
 * @param subresource status, binding, scale, log, finalize, ... or null
 */
public record RequestPath(ResourceType type, String namespace, String name, String subresource) {
    /** Parses the path after the context root; 404 for anything that is not a served resource or subresource. */
    public static RequestPath parse(String uri, ServedResources served) {
        List<String> seg = new ArrayList<>();
        for (String s : uri.split("/")) {
            if (!s.isEmpty()) {
                seg.add(java.net.URLDecoder.decode(s, java.nio.charset.StandardCharsets.UTF_8));
            }
        }
        String group;
        String version;
        int rest;
        if (seg.size() >= 2 && seg.get(0).equals("api")) {
            group = "";
            version = seg.get(1);
            rest = 2;
        } else if (seg.size() >= 3 && seg.get(0).equals("apis")) {
            group = seg.get(1);
            version = seg.get(2);
            rest = 3;
        } else {
            throw notFound();
        }
        List<String> r = seg.subList(rest, seg.size());
        if (r.isEmpty()) {
            throw notFound();
        }
        String namespace = null;
        if (r.size() >= 3 && r.get(0).equals("namespaces") && lookup(served, group, version, r.get(2)).map(ResourceType::namespaced).orElse(false)) {
            namespace = r.get(1);
            r = r.subList(2, r.size());
        }
        ResourceType type = lookup(served, group, version, r.get(0)).orElseThrow(RequestPath::notFound);
        if (!type.group().equals(group) || !type.version().equals(version)) {
            throw notFound();
        }
        String name = r.size() > 1 ? r.get(1) : null;
        if (name != null) {
            checkPathSegmentName(name);
        }
        String sub = r.size() > 2 ? r.get(2) : null;
        if (r.size() > 3 || (type.namespaced() && namespace == null && name != null)
                || (sub != null && !served.serves(type, sub))) {
            throw notFound();
        }
        return new RequestPath(type, namespace, name, sub);
    }

    /**
     * Kubernetes' {@code path.IsValidPathSegmentName} as {@code NamespaceKeyFunc} applies it to the name in
     * a URL: {@code .} and {@code ..} are refused, as are names containing {@code /} or {@code %}; 400
     * {@code Name parameter invalid: "..": may not be '..'}.
     */
    static void checkPathSegmentName(String name) {
        List<String> problems = new ArrayList<>();
        if (name.equals(".") || name.equals("..")) {
            problems.add("may not be '" + name + "'");
        } else {
            if (name.contains("/")) {
                problems.add("may not contain '/'");
            }
            if (name.contains("%")) {
                problems.add("may not contain '%'");
            }
        }
        if (!problems.isEmpty()) {
            throw ApiError.badRequest("Name parameter invalid: \"" + name + "\": " + String.join(";", problems));
        }
    }

    /**
     * A resource served now at group/version: a CRD or custom resource first, then another version of a
     * stored kind (events.k8s.io/v1 events, autoscaling/v1 horizontalpodautoscalers), else a built-in kind.
     */
    private static java.util.Optional<ResourceType> lookup(ServedResources served, String group, String version, String resource) {
        ResourceType dynamic = served.dynamicType(group, version, resource);
        return dynamic != null ? java.util.Optional.of(dynamic)
                : ResourceTypes.view(group, version, resource).or(() -> ResourceTypes.byResource(resource));
    }

    /** Kubernetes' 404 for a path it does not serve: with an empty {@code details}, which clients such as kubectl debug dereference. */
    private static ApiError notFound() {
        io.kube4j.api.Status s = io.kube4j.api.Status.failure(404, "NotFound", "the server could not find the requested resource");
        s.details = new io.kube4j.api.Status.Details();
        return new ApiError(s);
    }
}
