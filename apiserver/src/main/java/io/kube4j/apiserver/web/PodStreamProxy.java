package io.kube4j.apiserver.web;

import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.kubelet.KubeletClient;
import io.kube4j.apiserver.registry.Registry;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import jakarta.servlet.http.HttpUpgradeHandler;
import jakarta.servlet.http.WebConnection;
import org.springframework.stereotype.Component;
import tools.jackson.databind.node.ObjectNode;

import java.io.BufferedInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.StringJoiner;

/**
 * Serves {@code pods/{name}/exec}, {@code pods/{name}/attach} and {@code pods/{name}/portforward} (GET or
 * POST with an HTTP upgrade) by proxying the upgrade to the kubelet of the pod's node, byte for byte, as
 * Kubernetes' {@code k8s.io/apimachinery/pkg/util/proxy/UpgradeAwareHandler} does: the kubelet speaks the
 * protocol (WebSocket {@code v5/v4.channel.k8s.io}, the {@code SPDY/3.1+portforward.k8s.io} tunnel), the
 * apiserver forwards the handshake, answers the client with the kubelet's 101 and then copies both ways
 * until either side closes, which closes the other at once. The query is translated as the apiserver's
 * {@code ExecLocation}/{@code AttachLocation} do ({@code stdin}→{@code input}, {@code stdout}→{@code output},
 * {@code stderr}→{@code error}, {@code tty}, {@code command}); the kubelet is only ever the node's registered
 * address and port ({@link KubeletLocation}).
 */
@Component
public class PodStreamProxy {
    // hop-by-hop or the client's own credentials: never passed to the kubelet
    private static final Set<String> DROPPED = Set.of("host", "authorization", "content-length", "transfer-encoding", "cookie", "proxy-authorization");

    private final Registry registry;
    private final KubeletClient kubelets;

    public PodStreamProxy(Registry registry, KubeletClient kubelets) {
        this.registry = registry;
        this.kubelets = kubelets;
    }

    /** Proxies one exec/attach/portforward request for {@code pod}; {@code sub} is the subresource. */
    public void proxy(HttpServletRequest req, HttpServletResponse resp, ObjectNode pod, String sub) throws IOException {
        String ns = pod.path("metadata").path("namespace").asString();
        String name = pod.path("metadata").path("name").asString();
        if (req.getHeader("Upgrade") == null) {
            throw ApiError.badRequest("Upgrade request required");
        }
        KubeletLocation kubelet = KubeletLocation.of(registry, pod);
        String path = switch (sub) {
            case "exec", "attach" -> {
                String container = KubeletLocation.container(pod, req.getParameter("container"));
                StringJoiner q = new StringJoiner("&");
                if (sub.equals("exec")) {
                    String[] command = req.getParameterValues("command");
                    if (command == null || command.length == 0) {
                        throw ApiError.badRequest("you must specify at least one command for the container");
                    }
                    for (String c : command) {
                        q.add("command=" + URLEncoder.encode(c, StandardCharsets.UTF_8));
                    }
                }
                if (truthy(req, "stdin")) {
                    q.add("input=1");
                }
                if (truthy(req, "stdout")) {
                    q.add("output=1");
                }
                if (truthy(req, "stderr")) {
                    q.add("error=1");
                }
                if (truthy(req, "tty")) {
                    q.add("tty=1");
                }
                yield KubeletLocation.path(sub, ns, name, container) + (q.length() == 0 ? "" : "?" + q);
            }
            default -> {
                // the WebSocket port-forward protocol (v4.channel.k8s.io) names its ports in the query
                StringJoiner q = new StringJoiner("&");
                String[] ports = req.getParameterValues("ports");
                if (ports != null) {
                    for (String port : ports) {
                        for (String one : port.split(",")) {
                            try {
                                int n = Integer.parseInt(one.trim());
                                if (n < 1 || n > 65535) {
                                    throw new NumberFormatException();
                                }
                                q.add("ports=" + n);
                            } catch (NumberFormatException e) {
                                throw ApiError.badRequest("invalid port \"" + one + "\": ports must be between 1 and 65535");
                            }
                        }
                    }
                }
                yield KubeletLocation.path("portForward", ns, name) + (q.length() == 0 ? "" : "?" + q);
            }
        };
        Socket socket;
        try {
            socket = kubelets.connect(kubelet.host(), kubelet.port(), java.time.Duration.ofSeconds(3));
        } catch (IOException e) {
            throw ApiError.unavailable("cannot reach the kubelet of node " + pod.path("spec").path("nodeName").asString() + " at " + kubelet.authority() + ": " + e.getMessage());
        }
        boolean upgraded = false;
        try {
            OutputStream toKubelet = socket.getOutputStream();
            toKubelet.write(requestHead(req, kubelet, path).getBytes(StandardCharsets.ISO_8859_1));
            toKubelet.flush();
            BufferedInputStream fromKubelet = new BufferedInputStream(socket.getInputStream());
            Head head = Head.read(fromKubelet);
            if (head.status != 101) {
                throw error(head, fromKubelet);
            }
            head.headers.forEach((k, v) -> {
                if (!k.equalsIgnoreCase("content-length")) {
                    resp.setHeader(k, v);
                }
            });
            Tunnel tunnel;
            try {
                tunnel = req.upgrade(Tunnel.class);
            } catch (jakarta.servlet.ServletException e) {
                throw new IOException(e);
            }
            tunnel.connect(socket, fromKubelet);
            upgraded = true;
        } finally {
            if (!upgraded) {
                socket.close();
            }
        }
    }

    private static boolean truthy(HttpServletRequest req, String p) {
        String v = req.getParameter(p);
        return v != null && (v.equalsIgnoreCase("true") || v.equals("1"));
    }

    // WebSockets are GETs (RFC 6455); SPDY upgrades keep their POST
    private static String requestHead(HttpServletRequest req, KubeletLocation kubelet, String path) {
        boolean websocket = "websocket".equalsIgnoreCase(req.getHeader("Upgrade"));
        StringBuilder b = new StringBuilder(websocket ? "GET" : req.getMethod()).append(' ').append(path).append(" HTTP/1.1\r\n");
        b.append("Host: ").append(kubelet.authority()).append("\r\n");
        for (String h : Collections.list(req.getHeaderNames())) {
            if (DROPPED.contains(h.toLowerCase(Locale.ROOT)) || h.toLowerCase(Locale.ROOT).startsWith("impersonate-")) {
                continue;
            }
            for (String v : Collections.list(req.getHeaders(h))) {
                b.append(h).append(": ").append(v.replace("\r", "").replace("\n", "")).append("\r\n");
            }
        }
        return b.append("\r\n").toString();
    }

    // the kubelet refused the upgrade: its answer, as a Status
    private static ApiError error(Head head, InputStream in) throws IOException {
        byte[] body;
        String te = head.headers.getOrDefault("Transfer-Encoding", "");
        if (te.equalsIgnoreCase("chunked")) {
            body = dechunk(in);
        } else if (head.headers.containsKey("Content-Length")) {
            body = in.readNBytes(Integer.parseInt(head.headers.get("Content-Length").trim()));
        } else {
            body = in.readNBytes(64 * 1024);
        }
        String message = new String(body, StandardCharsets.UTF_8).strip();
        String reason = switch (head.status) {
            case 400 -> "BadRequest";
            case 404 -> "NotFound";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            default -> "InternalError";
        };
        return new ApiError(Status.failure(head.status, reason, message.isEmpty() ? "the kubelet answered " + head.status : message));
    }

    private static byte[] dechunk(InputStream in) throws IOException {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        while (true) {
            String size = Head.line(in);
            int n = Integer.parseInt(size.split(";")[0].trim(), 16);
            if (n == 0 || out.size() > 64 * 1024) {
                return out.toByteArray();
            }
            out.write(in.readNBytes(n));
            Head.line(in);
        }
    }

    /** A response's status and headers, read off the socket up to the blank line. */
    private record Head(int status, Map<String, String> headers) {
        static Head read(InputStream in) throws IOException {
            String statusLine = line(in);
            String[] parts = statusLine.split(" ", 3);
            if (parts.length < 2 || !parts[0].startsWith("HTTP/")) {
                throw ApiError.unavailable("the kubelet answered no HTTP: " + statusLine);
            }
            Map<String, String> headers = new LinkedHashMap<>();
            String l;
            while (!(l = line(in)).isEmpty()) {
                int colon = l.indexOf(':');
                if (colon > 0) {
                    headers.merge(canonical(l.substring(0, colon).trim()), l.substring(colon + 1).trim(), (a, b) -> a + ", " + b);
                }
            }
            return new Head(Integer.parseInt(parts[1]), headers);
        }

        static String line(InputStream in) throws IOException {
            StringBuilder b = new StringBuilder();
            int c;
            while ((c = in.read()) >= 0 && c != '\n') {
                if (c != '\r') {
                    b.append((char) c);
                }
                if (b.length() > 16 * 1024) {
                    throw ApiError.unavailable("the kubelet's answer has an overlong header line");
                }
            }
            if (c < 0 && b.isEmpty()) {
                throw ApiError.unavailable("the kubelet closed the connection before answering");
            }
            return b.toString();
        }

        // Content-Length, Sec-WebSocket-Protocol: one spelling to look up
        private static String canonical(String name) {
            List<String> words = new ArrayList<>();
            for (String w : name.toLowerCase(Locale.ROOT).split("-")) {
                words.add(w.isEmpty() ? w : Character.toUpperCase(w.charAt(0)) + w.substring(1));
            }
            return String.join("-", words);
        }
    }

    /**
     * The upgraded connection. The client's side is driven through the servlet container's non-blocking
     * upgrade API (a ReadListener copies what the client sends to the kubelet; a WriteListener paces the
     * copy the other way), because Tomcat only releases an upgraded socket it watches itself: with blocking
     * reads from a thread of our own, a closed client stayed in CLOSE_WAIT. The kubelet's side is a plain
     * socket read on a virtual thread. When either side ends, both are closed.
     */
    public static class Tunnel implements HttpUpgradeHandler {
        private Socket kubelet;
        private InputStream fromKubelet;
        private volatile WebConnection client;
        private volatile boolean closed;
        private final Object writable = new Object();

        /** Required by the servlet container, which instantiates the handler. */
        public Tunnel() {
        }

        void connect(Socket socket, InputStream in) {
            this.kubelet = socket;
            this.fromKubelet = in;
        }

        @Override
        public void init(WebConnection connection) {
            this.client = connection;
            try {
                jakarta.servlet.ServletInputStream in = connection.getInputStream();
                jakarta.servlet.ServletOutputStream out = connection.getOutputStream();
                OutputStream toKubelet = kubelet.getOutputStream();
                in.setReadListener(new jakarta.servlet.ReadListener() {
                    private final byte[] buf = new byte[32 * 1024];

                    @Override
                    public void onDataAvailable() throws IOException {
                        while (!closed && in.isReady()) {
                            int n = in.read(buf);
                            if (n < 0) {
                                closeAll();
                                return;
                            }
                            if (n > 0) {
                                toKubelet.write(buf, 0, n);
                                toKubelet.flush();
                            }
                        }
                    }

                    @Override
                    public void onAllDataRead() {
                        closeAll();
                    }

                    @Override
                    public void onError(Throwable t) {
                        closeAll();
                    }
                });
                out.setWriteListener(new jakarta.servlet.WriteListener() {
                    @Override
                    public void onWritePossible() {
                        synchronized (writable) {
                            writable.notifyAll();
                        }
                    }

                    @Override
                    public void onError(Throwable t) {
                        closeAll();
                    }
                });
                Thread.ofVirtual().name("stream-proxy-down").start(() -> {
                    byte[] buf = new byte[32 * 1024];
                    try {
                        int n;
                        while (!closed && (n = fromKubelet.read(buf)) >= 0) {
                            awaitWritable(out);
                            out.write(buf, 0, n);
                            awaitWritable(out);
                            out.flush();
                        }
                    } catch (IOException | IllegalStateException e) {
                        // one side is gone
                    } catch (InterruptedException e) {
                        Thread.currentThread().interrupt();
                    } finally {
                        closeAll();
                    }
                });
            } catch (IOException e) {
                closeAll();
            }
        }

        // non-blocking output: write only when the container says it can take more
        private void awaitWritable(jakarta.servlet.ServletOutputStream out) throws InterruptedException, IOException {
            synchronized (writable) {
                while (!out.isReady()) {
                    if (closed) {
                        throw new IOException("closed");
                    }
                    writable.wait(1000);
                }
            }
        }

        private void closeAll() {
            if (closed) {
                return;
            }
            closed = true;
            try {
                kubelet.close();
            } catch (IOException e) {
                // already closed
            }
            try {
                WebConnection c = client;
                if (c != null) {
                    c.close();
                }
            } catch (Exception e) {
                // already closed
            }
            synchronized (writable) {
                writable.notifyAll();
            }
        }

        @Override
        public void destroy() {
            closeAll();
        }
    }
}
