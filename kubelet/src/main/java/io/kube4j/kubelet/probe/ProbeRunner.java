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
 * Runs one check against a container: an HTTP GET (200-399 is success), a TCP connect, or a command
 * in the container (exit 0). Never throws: every problem is a failed result with a message, as the
 * kubelet's prober reports it in Unhealthy events.
 */
public final class ProbeRunner {
    private final ContainerRuntime runtime;

    public ProbeRunner(ContainerRuntime runtime) {
        this.runtime = runtime;
    }

    /** Runs {@code action} for the container {@code containerId} (spec {@code container}) of the pod at {@code podIp}. */
    public ProbeResult run(ProbeAction action, Container container, String containerId, String podIp, Duration timeout) {
        try {
            if (action.exec() != null) {
                return exec(action.exec(), containerId, timeout);
            }
            if (action.httpGet() != null) {
                return httpGet(action.httpGet(), container, podIp, timeout);
            }
            if (action.tcpSocket() != null) {
                return tcp(action.tcpSocket(), container, podIp, timeout);
            }
            return ProbeResult.failure("probe has no handler");
        } catch (RuntimeException e) {
            return ProbeResult.failure(e.getMessage() == null ? e.toString() : e.getMessage());
        }
    }

    private ProbeResult exec(Probe.ExecAction exec, String containerId, Duration timeout) {
        ExecResult r = runtime.exec(containerId, exec.command, timeout);
        if (r.exitCode() == 0) {
            return ProbeResult.ok();
        }
        return ProbeResult.failure("command " + exec.command + " exited with " + r.exitCode() + (r.output().isBlank() ? "" : ": " + r.output().strip()));
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
            return ProbeResult.failure("HTTP probe failed with statuscode: " + code);
        } catch (IOException e) {
            return ProbeResult.failure("Get \"" + url + "\": " + e.getMessage());
        }
    }

    private static ProbeResult tcp(Probe.TCPSocketAction tcp, Container container, String podIp, Duration timeout) {
        String host = tcp.host == null || tcp.host.isEmpty() ? podIp : tcp.host;
        int port = ProbeAction.port(tcp.port, container);
        try (Socket s = new Socket()) {
            s.connect(new InetSocketAddress(host, port), (int) timeout.toMillis());
            return ProbeResult.ok();
        } catch (IOException e) {
            return ProbeResult.failure("dial tcp " + host + ":" + port + ": " + e.getMessage());
        }
    }
}
