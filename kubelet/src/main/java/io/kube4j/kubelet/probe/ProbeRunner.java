package io.kube4j.kubelet.probe;

import io.kube4j.api.Container;
import io.kube4j.api.Probe;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ExecResult;

import java.io.IOException;
import java.io.InputStream;
import java.net.HttpURLConnection;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.time.Duration;

/**
 * Runs one check (or lifecycle hook) against a container: an HTTP GET (200-399 is success), a TCP
 * connect, a gRPC health check ({@code grpc.health.v1.Health/Check} answering SERVING, as Kubernetes'
 * {@code pkg/probe/grpc/grpc.go}), a command in the container (exit 0), or a sleep (hooks). Never
 * throws: every problem is a failed result with a message, as the kubelet's prober reports it in
 * Unhealthy events. When the runtime's pod IPs cannot be reached (the hollow runtime's made-up ones),
 * network checks are simulated and succeed; no packet leaves for an address nobody owns.
 */
public final class ProbeRunner {
    private final ContainerRuntime runtime;

    public ProbeRunner(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /** The start of pkg/probe/http's failure for an answer outside 200-399: {@code HTTP probe failed with statuscode: 404}. */
    public static final String HTTP_STATUS_FAILURE = "HTTP probe failed with statuscode: ";

    /**
     * Runs {@code action} for the container {@code containerId} (spec {@code container}) of the pod at
     * {@code podIp}, giving up after {@code timeout} (a sleep hook sleeps at most that long).
     */
    public ProbeResult run(ProbeAction action, Container container, String containerId, String podIp, Duration timeout) {
        try {
            if (action.exec() != null) {
                return exec(action.exec(), containerId, timeout);
            }
            if (action.sleepSeconds() != null) {
                return sleep(Duration.ofSeconds(Math.max(0, action.sleepSeconds())), timeout);
            }
            boolean network = action.httpGet() != null || action.tcpSocket() != null || action.grpc() != null;
            if (network && !runtime.podNetworkReachable() && isPodAddress(action, podIp)) {
                return ProbeResult.ok();
            }
            if (action.httpGet() != null) {
                return httpGet(action.httpGet(), container, podIp, timeout);
            }
            if (action.tcpSocket() != null) {
                return tcp(action.tcpSocket(), container, podIp, timeout);
            }
            if (action.grpc() != null) {
                return GrpcHealthCheck.check(podIp, action.grpc(), timeout);
            }
            return ProbeResult.failure("probe has no handler");
        } catch (RuntimeException e) {
            return ProbeResult.failure(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    // a probe naming its own host is the user's business; only the pod's own (made-up) address is simulated
    private static boolean isPodAddress(ProbeAction action, String podIp) {
        String host = action.httpGet() != null ? action.httpGet().host : action.tcpSocket() != null ? action.tcpSocket().host : null;
        return host == null || host.isEmpty() || host.equals(podIp);
    }

    private static ProbeResult sleep(Duration d, Duration timeout) {
        try {
            Thread.sleep(d.compareTo(timeout) > 0 ? timeout : d);
            return ProbeResult.ok();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return ProbeResult.failure("interrupted");
        }
    }

    private ProbeResult exec(Probe.ExecAction exec, String containerId, Duration timeout) {
        ExecResult r = runtime.exec(containerId, exec.command, timeout);
        if (r.exitCode() == 0) {
            return ProbeResult.ok();
        }
        // pkg/probe/exec: a non-zero exit is a failure whose message is the command's output as it is
        return ProbeResult.failure(r.output());
    }

    private static ProbeResult httpGet(Probe.HTTPGetAction http, Container container, String podIp, Duration timeout) {
        String host = http.host == null || http.host.isEmpty() ? podIp : http.host;
        String scheme = http.scheme == null ? "http" : http.scheme.toLowerCase();
        String path = http.path == null || http.path.isEmpty() ? "/" : (http.path.startsWith("/") ? http.path : "/" + http.path);
        int port = ProbeAction.port(http.port, container);
        String url = scheme + "://" + (host.contains(":") ? "[" + host + "]" : host) + ":" + port + path;
        try {
            HttpURLConnection c = (HttpURLConnection) URI.create(url).toURL().openConnection();
            c.setConnectTimeout((int) timeout.toMillis());
            c.setReadTimeout((int) timeout.toMillis());
            c.setInstanceFollowRedirects(false);
            c.setRequestProperty("User-Agent", "kube-probe/kube4j");
            // a fresh connection each time, as the kubelet's prober does
            c.setRequestProperty("Connection", "close");
            for (Probe.HTTPHeader h : http.httpHeaders) {
                c.setRequestProperty(h.name, h.value);
            }
            int code = c.getResponseCode();
            InputStream body = code >= 400 ? c.getErrorStream() : c.getInputStream();
            if (body != null) {
                body.close();
            }
            c.disconnect();
            if (code >= 200 && code < 400) {
                return ProbeResult.ok();
            }
            return ProbeResult.failure(HTTP_STATUS_FAILURE + code);
        } catch (IOException e) {
            // Go's *url.Error from client.Do, as pkg/probe/http returns it
            String cause = e instanceof java.net.SocketTimeoutException && !(e.getMessage() != null && e.getMessage().contains("connect"))
                    ? "context deadline exceeded (Client.Timeout exceeded while awaiting headers)"
                    : dialError(host, port, e);
            return ProbeResult.failure("Get \"" + url + "\": " + cause);
        }
    }

    private static ProbeResult tcp(Probe.TCPSocketAction tcp, Container container, String podIp, Duration timeout) {
        String host = tcp.host == null || tcp.host.isEmpty() ? podIp : tcp.host;
        int port = ProbeAction.port(tcp.port, container);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return ProbeResult.ok();
        } catch (IOException e) {
            return ProbeResult.failure(dialError(host, port, e));
        }
    }

    /**
     * A failed connection worded as Go's {@code net.OpError} that Kubernetes' probers pass on ({@code pkg/probe/tcp},
     * {@code pkg/probe/http}): {@code dial tcp 127.0.0.1:81: connect: connection refused}, {@code ...: i/o timeout},
     * {@code ...: connect: no route to host}; other causes keep Java's message.
     */
    static String dialError(String host, int port, IOException e) {
        String addr = (host.contains(":") ? "[" + host + "]" : host) + ":" + port;
        String m = e.getMessage() == null ? "" : e.getMessage().toLowerCase(java.util.Locale.ROOT);
        String cause;
        if (e instanceof java.net.SocketTimeoutException) {
            cause = "i/o timeout";
        } else if (m.contains("connection refused")) {
            cause = "connect: connection refused";
        } else if (m.contains("no route to host")) {
            cause = "connect: no route to host";
        } else if (m.contains("network is unreachable")) {
            cause = "connect: network is unreachable";
        } else if (e instanceof java.net.UnknownHostException) {
            return "dial tcp: lookup " + host + ": no such host";
        } else {
            cause = e.getMessage();
        }
        return "dial tcp " + addr + ": " + cause;
    }
}
