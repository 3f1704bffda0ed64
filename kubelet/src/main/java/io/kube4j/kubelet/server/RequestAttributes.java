package io.kube4j.kubelet.server;

import jakarta.servlet.http.HttpServletRequest;

/**
 * What a request to the kubelet's API asks for, in the API's terms (Kubernetes' {@code pkg/kubelet/server/auth.go}
 * {@code nodeAuthorizerAttributesGetter}): the verb from the HTTP method, resource {@code nodes} (API group "",
 * version v1, no namespace), the node's name, and a subresource by path: {@code /stats/*} stats,
 * {@code /metrics/*} metrics, {@code /logs/*} log, {@code /checkpoint/*} checkpoint, anything else (exec, attach,
 * port-forward, container logs, pods, healthz) proxy. Kubernetes 1.32's KubeletFineGrainedAuthz gate (alpha, off)
 * is not implemented.
 *
 * @param user        who asks
 * @param verb        {@code get}, {@code create}, {@code update}, {@code patch}, {@code delete}, or "" for another method
 * @param subresource stats, metrics, log, checkpoint or proxy
 * @param name        the node's name
 * @param path        the request path
 */
public record RequestAttributes(User user, String verb, String subresource, String name, String path) {
    /** Always {@code nodes}. */
    public String resource() {
        return "nodes";
    }

    /** The attributes of {@code request} by {@code user} against node {@code nodeName}. */
    public static RequestAttributes of(User user, HttpServletRequest request, String nodeName) {
        String path = request.getRequestURI();
        return new RequestAttributes(user, verb(request.getMethod()), subresource(path), nodeName, path);
    }

    static String verb(String method) {
        return switch (method) {
            case "POST" -> "create";
            case "GET" -> "get";
            case "PUT" -> "update";
            case "PATCH" -> "patch";
            case "DELETE" -> "delete";
            default -> "";
        };
    }

    static String subresource(String path) {
        if (isSubpath(path, "/stats/")) {
            return "stats";
        }
        if (isSubpath(path, "/metrics")) {
            return "metrics";
        }
        if (isSubpath(path, "/logs/")) {
            // "log" to match other log subresources (pods/log), as Kubernetes says
            return "log";
        }
        if (isSubpath(path, "/checkpoint/")) {
            return "checkpoint";
        }
        return "proxy";
    }

    // auth.go isSubpath: the path itself or below it
    static boolean isSubpath(String subpath, String path) {
        String p = path.endsWith("/") ? path.substring(0, path.length() - 1) : path;
        return subpath.equals(p) || subpath.startsWith(p) && subpath.length() > p.length() && subpath.charAt(p.length()) == '/';
    }
}
