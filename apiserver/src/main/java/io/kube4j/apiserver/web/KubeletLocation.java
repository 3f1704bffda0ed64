package io.kube4j.apiserver.web;

import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.InetAddress;
import java.net.URLEncoder;
import java.net.UnknownHostException;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * Where the apiserver reaches a pod's kubelet, and the checks before it does (Kubernetes'
 * {@code pkg/registry/core/pod/strategy.go} LogLocation/ExecLocation/PortForwardLocation and
 * {@code pkg/kubelet/client} NodeConnectionInfo). The host is only ever the pod's node's registered
 * InternalIP (a literal address, never a name to resolve) and the port its registered kubelet port, and
 * every path segment is escaped: a pod, container or parameter cannot point the apiserver anywhere else.
 *
 * @param host the node's InternalIP literal
 * @param port the node's kubelet port (1..65535)
 */
public record KubeletLocation(String host, int port) {

    /** The kubelet of {@code pod}'s node: 400 when the pod is not bound, 503 when the node has no usable address. */
    public static KubeletLocation of(Registry registry, ObjectNode pod) {
        String name = pod.path("metadata").path("name").asString();
        String nodeName = pod.path("spec").path("nodeName").asString("");
        if (nodeName.isEmpty()) {
            throw ApiError.badRequest("pod " + name + " does not have a host assigned");
        }
        ObjectNode node = registry.get(ResourceTypes.NODES, null, nodeName);
        String ip = null;
        for (JsonNode a : node.path("status").path("addresses")) {
            if ("InternalIP".equals(a.path("type").asString())) {
                ip = a.path("address").asString();
            }
        }
        if (ip == null || !isLiteral(ip)) {
            throw ApiError.unavailable("node " + nodeName + " reports no InternalIP address, so its kubelet cannot be reached");
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(10250);
        if (port < 1 || port > 65535) {
            throw ApiError.unavailable("node " + nodeName + " reports an invalid kubelet port " + port);
        }
        return new KubeletLocation(ip, port);
    }

    // an IPv4 or IPv6 literal: InetAddress resolves nothing for those, so no lookup can be steered
    private static boolean isLiteral(String ip) {
        if (!ip.matches("[0-9a-fA-F:.]+")) {
            return false;
        }
        try {
            InetAddress.getByName(ip);
            return true;
        } catch (UnknownHostException e) {
            return false;
        }
    }

    /** {@code host:port}, IPv6 bracketed. */
    public String authority() {
        return (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
    }

    /** An absolute path on the kubelet from raw segments, each percent-escaped. */
    public static String path(String... segments) {
        StringBuilder b = new StringBuilder();
        for (String s : segments) {
            String escaped = URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
            // "." and ".." would be resolved away by the kubelet's server: escaped, they stay names
            b.append('/').append(escaped.equals(".") || escaped.equals("..") ? escaped.replace(".", "%2E") : escaped);
        }
        return b.toString();
    }

    /**
     * The container a request names, or the pod's only one: 400 as Kubernetes words it otherwise
     * (pkg/registry/core/pod/strategy.go validateContainer). Names are looked up, and listed when none is given,
     * over init, regular and ephemeral containers in podutil.VisitContainers' order (init first), the list
     * formatted as Go prints a []string ({@code [a b c]}).
     */
    public static String container(ObjectNode pod, String requested) {
        String name = pod.path("metadata").path("name").asString();
        JsonNode containers = pod.path("spec").path("containers");
        List<String> all = new ArrayList<>();
        pod.path("spec").path("initContainers").forEach(c -> all.add(c.path("name").asString()));
        containers.forEach(c -> all.add(c.path("name").asString()));
        pod.path("spec").path("ephemeralContainers").forEach(c -> all.add(c.path("name").asString()));
        if (requested == null || requested.isEmpty()) {
            if (containers.size() == 1) {
                return containers.get(0).path("name").asString();
            }
            if (containers.isEmpty()) {
                throw ApiError.badRequest("a container name must be specified for pod " + name);
            }
            throw ApiError.badRequest("a container name must be specified for pod " + name + ", choose one of: [" + String.join(" ", all) + "]");
        }
        if (!all.contains(requested)) {
            throw ApiError.badRequest("container " + requested + " is not valid for pod " + name);
        }
        return requested;
    }
}
