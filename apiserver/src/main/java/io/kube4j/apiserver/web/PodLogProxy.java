package io.kube4j.apiserver.web;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Registry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/** Serves {@code pods/{name}/log} by proxying to the kubelet of the pod's node, streaming for {@code follow=true}. */
@Component
public class PodLogProxy {
    private static final List<String> PASSED = List.of("follow", "tailLines", "timestamps", "previous", "sinceSeconds", "limitBytes");

    private final Registry registry;
    private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(3)).version(HttpClient.Version.HTTP_1_1).build();

    public PodLogProxy(Registry registry) {
        this.registry = registry;
    }

    public void proxy(HttpServletRequest req, HttpServletResponse resp, ObjectNode pod) throws IOException {
        String ns = pod.path("metadata").path("namespace").asString();
        String name = pod.path("metadata").path("name").asString();
        String container = req.getParameter("container");
        List<String> names = new ArrayList<>();
        pod.path("spec").path("containers").forEach(c -> names.add(c.path("name").asString()));
        if (container == null || container.isEmpty()) {
            if (names.size() != 1) {
                throw ApiError.badRequest("a container name must be specified for pod " + name + ", choose one of: " + names);
            }
            container = names.get(0);
        } else if (!names.contains(container)) {
            List<String> all = new ArrayList<>(names);
            pod.path("spec").path("initContainers").forEach(c -> all.add(c.path("name").asString()));
            if (!all.contains(container)) {
                throw ApiError.badRequest("container " + container + " is not valid for pod " + name);
            }
        }
        String nodeName = pod.path("spec").path("nodeName").asString("");
        if (nodeName.isEmpty()) {
            throw ApiError.badRequest("pod " + name + " is not scheduled to a node yet, so it has no logs");
        }
        ObjectNode node = registry.get(ResourceTypes.NODES, null, nodeName);
        String ip = null;
        for (JsonNode a : node.path("status").path("addresses")) {
            if ("InternalIP".equals(a.path("type").asString())) {
                ip = a.path("address").asString();
            }
        }
        int port = node.path("status").path("daemonEndpoints").path("kubeletEndpoint").path("Port").asInt(10250);
        if (ip == null) {
            throw ApiError.unavailable("node " + nodeName + " reports no InternalIP address, so its kubelet cannot be reached for logs");
        }
        StringJoiner q = new StringJoiner("&");
        for (String p : PASSED) {
            String v = req.getParameter(p);
            if (v != null) {
                q.add(p + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        URI uri = URI.create("http://" + (ip.contains(":") ? "[" + ip + "]" : ip) + ":" + port + "/containerLogs/" + ns + "/" + name + "/" + container + (q.length() == 0 ? "" : "?" + q));
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiError.unavailable("cannot reach the kubelet of node " + nodeName + " at " + uri.getAuthority() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted");
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() >= 300) {
                String msg = new String(in.readAllBytes(), StandardCharsets.UTF_8);
                throw ApiError.badRequest("the kubelet answered " + r.statusCode() + ": " + msg);
            }
            resp.setStatus(200);
            resp.setContentType("text/plain");
            OutputStream out = resp.getOutputStream();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                // follow=true streams: hand each chunk on as it arrives
                out.flush();
            }
        }
    }
}
