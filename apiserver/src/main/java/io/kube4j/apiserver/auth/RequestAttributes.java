package io.kube4j.apiserver.auth;

import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * What a request asks to do, as an authorizer sees it: Kubernetes' {@code authorizer.Attributes} built
 * from the URL by {@code RequestInfoFactory.NewRequestInfo}
 * (staging/src/k8s.io/apiserver/pkg/endpoints/request/requestinfo.go).
 *
 * <p>A resource request is {@code /api/{version}/...} or {@code /apis/{group}/{version}/...} with at
 * least one part after the version; everything else ({@code /healthz}, {@code /version}, {@code /api},
 * {@code /apis/apps/v1}) is a non-resource request whose verb is the lower-cased HTTP method.
 *
 * @param user             who asks; null only in unit tests of the parser
 * @param verb             get, list, watch, create, update, patch, delete, deletecollection, proxy, or
 *                         for non-resource requests get, post, put, patch, delete, head
 * @param resourceRequest  true for API resources, false for paths such as {@code /healthz}
 * @param path             the URL path as sent
 * @param apiGroup         "" for the core group
 * @param apiVersion       the version in the URL
 * @param resource         the plural resource, "" for non-resource requests
 * @param subresource      status, scale, exec, ... or ""
 * @param namespace        the namespace in the URL, or from a namespace's own URL, "" for none
 * @param name             the object's name, or "" for a collection (or from a {@code metadata.name=}
 *                         field selector on list and watch)
 */
public record RequestAttributes(UserInfo user, String verb, boolean resourceRequest, String path, String apiGroup, String apiVersion,
                                String resource, String subresource, String namespace, String name) {

    /** Kubernetes' {@code specialVerbs}: {@code /api/v1/watch/...} and {@code /api/v1/proxy/...}. */
    private static final Set<String> SPECIAL_VERBS = Set.of("proxy", "watch");
    /** Kubernetes' {@code specialVerbsNoSubresources}: {@code proxy} paths never have a subresource. */
    private static final Set<String> SPECIAL_VERBS_NO_SUBRESOURCES = Set.of("proxy");
    /** Kubernetes' {@code namespaceSubresources}: {@code /namespaces/{ns}/status} is the namespace's own subresource. */
    private static final Set<String> NAMESPACE_SUBRESOURCES = Set.of("status", "finalize");

    public RequestAttributes {
        verb = nz(verb);
        path = nz(path);
        apiGroup = nz(apiGroup);
        apiVersion = nz(apiVersion);
        resource = nz(resource);
        subresource = nz(subresource);
        namespace = nz(namespace);
        name = nz(name);
    }

    private static String nz(String s) {
        return s == null ? "" : s;
    }

    /** A resource request, for reviews and tests. */
    public static RequestAttributes resource(UserInfo user, String verb, String apiGroup, String resource, String subresource, String namespace, String name) {
        return new RequestAttributes(user, verb, true, "", apiGroup, "", resource, subresource, namespace, name);
    }

    /** A non-resource request, for reviews and tests. */
    public static RequestAttributes nonResource(UserInfo user, String verb, String path) {
        return new RequestAttributes(user, verb, false, path, "", "", "", "", "", "");
    }

    /** The same request as another user (impersonation). */
    public RequestAttributes withUser(UserInfo other) {
        return new RequestAttributes(other, verb, resourceRequest, path, apiGroup, apiVersion, resource, subresource, namespace, name);
    }

    /**
     * Parses a request as Kubernetes' {@code RequestInfoFactory} does.
     *
     * @param method the HTTP method
     * @param path   the URL path (percent-encoded as sent; segments are decoded here)
     * @param query  the query parameters (only {@code watch} and {@code fieldSelector} matter)
     */
    public static RequestAttributes parse(UserInfo user, String method, String path, Map<String, String[]> query) {
        List<String> parts = new ArrayList<>();
        for (String s : path.split("/")) {
            if (!s.isEmpty()) parts.add(URLDecoder.decode(s.replace("+", "%2B"), StandardCharsets.UTF_8));
        }
        RequestAttributes nonResource = nonResource(user, method.toLowerCase(java.util.Locale.ROOT), path);
        if (parts.size() < 3 || !(parts.get(0).equals("api") || parts.get(0).equals("apis"))) {
            return nonResource;
        }
        int i = 1;
        String group = "";
        if (parts.get(0).equals("apis")) {
            // /apis/{group}/{version}/{resource}: four parts at least
            if (parts.size() < 4) return nonResource;
            group = parts.get(i++);
        }
        String version = parts.get(i++);
        List<String> cur = parts.subList(i, parts.size());
        String verb;
        if (SPECIAL_VERBS.contains(cur.get(0))) {
            if (cur.size() < 2) {
                // Kubernetes answers this as an error ("unable to determine kind and namespace"); treated
                // as a non-resource request here so that it is authorized by path, never allowed by default
                return nonResource;
            }
            verb = cur.get(0);
            cur = cur.subList(1, cur.size());
        } else {
            verb = switch (method) {
                case "POST" -> "create";
                case "GET", "HEAD" -> "get";
                case "PUT" -> "update";
                case "PATCH" -> "patch";
                case "DELETE" -> "delete";
                default -> "";
            };
        }
        String namespace = "";
        if (cur.get(0).equals("namespaces")) {
            if (cur.size() > 1) {
                namespace = cur.get(1);
                // a resource inside the namespace, unless it is the namespace's own status or finalize
                if (cur.size() > 2 && !NAMESPACE_SUBRESOURCES.contains(cur.get(2))) {
                    cur = cur.subList(2, cur.size());
                }
            }
        }
        String resource = cur.get(0);
        String name = cur.size() >= 2 ? cur.get(1) : "";
        String subresource = cur.size() >= 3 && !SPECIAL_VERBS_NO_SUBRESOURCES.contains(verb) ? cur.get(2) : "";
        if (name.isEmpty() && verb.equals("get")) {
            verb = bool(query.get("watch")) ? "watch" : "list";
            String fromSelector = exactName(query.get("fieldSelector"));
            if (fromSelector != null) name = fromSelector;
        }
        if (name.isEmpty() && verb.equals("delete")) verb = "deletecollection";
        return new RequestAttributes(user, verb, true, path, group, version, resource, subresource, namespace, name);
    }

    /** Kubernetes' query-parameter bool: absent, "0", "f", "false", "n", "no" are false, anything else true. */
    private static boolean bool(String[] values) {
        if (values == null || values.length == 0) return false;
        String v = values[0];
        return !(v.equals("0") || v.equalsIgnoreCase("f") || v.equalsIgnoreCase("false") || v.equalsIgnoreCase("n") || v.equalsIgnoreCase("no"));
    }

    /**
     * The name a list or watch is limited to by {@code fieldSelector=metadata.name=x} (or {@code ==x}),
     * as {@code fields.Selector.RequiresExactMatch}, when it is a valid path segment name; else null.
     */
    private static String exactName(String[] values) {
        if (values == null || values.length == 0) return null;
        for (String term : values[0].split(",")) {
            String t = term.strip();
            String value = null;
            if (t.startsWith("metadata.name==")) value = t.substring("metadata.name==".length());
            else if (t.startsWith("metadata.name=")) value = t.substring("metadata.name=".length());
            if (value != null && !value.isEmpty() && !value.equals(".") && !value.equals("..") && !value.contains("/") && !value.contains("%")) {
                return value;
            }
        }
        return null;
    }
}
