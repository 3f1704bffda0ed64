package io.kube4j.apiserver.web;

import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.kubelet.KubeletClient;
import io.kube4j.apiserver.registry.Registry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
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
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;

/**
 * Serves {@code pods/{name}/log} by proxying to the kubelet of the pod's node (Kubernetes'
 * {@code pkg/registry/core/pod/rest/log.go} and {@code LogLocation}): the options are validated as
 * {@code ValidatePodLogOptions} does (422 PodLogOptions), then the kubelet's answer is streamed without
 * buffering: headers at once, each chunk flushed as it arrives. When the client goes away the next write
 * fails and the connection to the kubelet is closed, which ends the kubelet's copy too.
 */
@Component
public class PodLogProxy {
    private static final List<String> PASSED = List.of("follow", "tailLines", "timestamps", "previous", "sinceSeconds", "sinceTime", "limitBytes");

    private final Registry registry;
    private final HttpClient http;

    public PodLogProxy(Registry registry, KubeletClient kubelets) {
        this.registry = registry;
        this.http = kubelets.http();
    }

    /** Proxies one log request for {@code pod}; errors are {@link ApiError}s. */
    public void proxy(HttpServletRequest req, HttpServletResponse resp, ObjectNode pod) throws IOException {
        String ns = pod.path("metadata").path("namespace").asString();
        String name = pod.path("metadata").path("name").asString();
        validate(req, name);
        String container = KubeletLocation.container(pod, req.getParameter("container"));
        KubeletLocation kubelet = KubeletLocation.of(registry, pod);
        StringJoiner q = new StringJoiner("&");
        for (String p : PASSED) {
            String v = req.getParameter(p);
            if (v != null) {
                q.add(p + "=" + URLEncoder.encode(v, StandardCharsets.UTF_8));
            }
        }
        URI uri = KubeletClient.uri(kubelet.authority(), KubeletLocation.path("containerLogs", ns, name, container) + (q.length() == 0 ? "" : "?" + q));
        HttpResponse<InputStream> r;
        try {
            r = http.send(HttpRequest.newBuilder(uri).GET().build(), HttpResponse.BodyHandlers.ofInputStream());
        } catch (IOException e) {
            throw ApiError.unavailable("cannot reach the kubelet of node " + pod.path("spec").path("nodeName").asString() + " at " + uri.getAuthority() + ": " + e.getMessage());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw ApiError.unavailable("interrupted");
        }
        try (InputStream in = r.body()) {
            if (r.statusCode() >= 300) {
                String msg = new String(in.readAllBytes(), StandardCharsets.UTF_8).strip();
                if (r.statusCode() == 401 || r.statusCode() == 403) {
                    throw refused(r.statusCode(), name, msg);
                }
                throw ApiError.badRequest(msg.isEmpty() ? "the kubelet answered " + r.statusCode() : msg);
            }
            resp.setStatus(200);
            resp.setContentType("text/plain");
            OutputStream out = resp.getOutputStream();
            // the headers now: a follower is connected before the first line
            resp.flushBuffer();
            byte[] buf = new byte[8192];
            int n;
            while ((n = in.read(buf)) >= 0) {
                out.write(buf, 0, n);
                // follow=true streams: hand each chunk on as it arrives
                out.flush();
            }
        }
    }

    /**
     * The kubelet refused the apiserver (its client certificate not accepted, or not authorized): as Kubernetes'
     * {@code GenericHttpResponseChecker} turns it into {@code NewGenericServerResponse}: 401 Unauthorized "the server
     * has asked for the client to provide credentials", 403 Forbidden with the kubelet's own message, the details
     * naming the pod and the kubelet's answer as an {@code UnexpectedServerResponse} cause.
     */
    static ApiError refused(int code, String pod, String kubeletMessage) {
        Status s = Status.failure(code, code == 401 ? "Unauthorized" : "Forbidden",
                code == 401 ? "the server has asked for the client to provide credentials" : kubeletMessage);
        s.details = new Status.Details();
        s.details.name = pod;
        s.details.kind = "pods";
        s.details.causes.add(new Status.Cause("UnexpectedServerResponse", kubeletMessage, null));
        return new ApiError(s);
    }

    // pkg/apis/core/validation ValidatePodLogOptions, after the query is converted to PodLogOptions
    private static void validate(HttpServletRequest req, String name) {
        List<Status.Cause> causes = new ArrayList<>();
        Long tail = number(req, "tailLines", name);
        if (tail != null && tail < 0) {
            causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + tail + ": must be greater than or equal to 0", "tailLines"));
        }
        Long limit = number(req, "limitBytes", name);
        if (limit != null && limit < 1) {
            causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + limit + ": must be greater than 0", "limitBytes"));
        }
        Long since = number(req, "sinceSeconds", name);
        String sinceTime = req.getParameter("sinceTime");
        if (sinceTime != null && !sinceTime.isEmpty()) {
            try {
                Instant.parse(sinceTime);
            } catch (DateTimeParseException e) {
                throw ApiError.badRequest("parsing time \"" + sinceTime + "\" as RFC 3339: cannot parse it");
            }
        }
        if (since != null && sinceTime != null && !sinceTime.isEmpty()) {
            causes.add(new Status.Cause("FieldValueForbidden", "Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified", ""));
        } else if (since != null && since < 1) {
            causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + since + ": must be greater than 0", "sinceSeconds"));
        }
        if (!causes.isEmpty()) {
            throw ApiError.invalid("", "PodLogOptions", name, causes);
        }
    }

    private static Long number(HttpServletRequest req, String param, String name) {
        String v = req.getParameter(param);
        if (v == null || v.isEmpty()) {
            return null;
        }
        try {
            return Long.parseLong(v);
        } catch (NumberFormatException e) {
            throw ApiError.badRequest("strconv.ParseInt: parsing \"" + v + "\": invalid syntax");
        }
    }
}
