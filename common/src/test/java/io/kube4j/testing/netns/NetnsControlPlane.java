package io.kube4j.testing.netns;

import io.kube4j.testing.ApiServerProcess;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;

/**
 * A control plane inside a {@link NetnsHost} (usually {@code lan.host("cp", 254)}): Debian's etcd
 * ({@code /usr/bin/etcd}, package etcd-server) on {@code <ip>:2379} and the apiserver jar on
 * {@code <ip>:6443}, plain HTTP in the apiserver's insecure mode ({@value ApiServerProcess#INSECURE}), so
 * that components in other host namespaces use {@code --kube4j.apiserver.url=}{@link #url()}.
 *
 * <p>The test JVM lives in the root namespace and cannot reach it; it talks to the apiserver through a
 * client run inside the control-plane namespace: {@link #api} (curl, which .ci/run installs: plain REST
 * with JSON bodies) or {@link #kubectl} (kubectl, where the machine has it, with an empty kubeconfig so
 * nothing of the machine's own {@code ~/.kube} is used). Real HTTP to the real apiserver, with no
 * forwarder of our own in between to trust.
 */
public final class NetnsControlPlane implements AutoCloseable {
    /** The apiserver's port inside the control-plane namespace. */
    public static final int APISERVER_PORT = 6443;
    public static final int ETCD_PORT = 2379;

    private final NetnsHost host;
    private final Path dir;
    private final List<Process> processes = new ArrayList<>();

    private NetnsControlPlane(NetnsHost host, Path dir) {
        this.host = host;
        this.dir = dir;
    }

    /**
     * Starts etcd, waits for its /health, starts the apiserver and waits for its /readyz (2 minutes).
     *
     * @param apiserverArgs further Spring arguments of the apiserver (e.g. a service CIDR)
     */
    public static NetnsControlPlane start(NetnsHost host, String... apiserverArgs) {
        Path dir;
        try {
            dir = Files.createTempDirectory(host.namespace() + "-");
            Files.writeString(dir.resolve("kubeconfig"), "apiVersion: v1\nkind: Config\n");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        NetnsControlPlane cp = new NetnsControlPlane(host, dir);
        try {
            String client = "http://" + host.ip() + ":" + ETCD_PORT;
            Process etcd = host.start("etcd", List.of("etcd", "--name", "cp", "--data-dir", dir.resolve("etcd").toString(),
                    "--listen-client-urls", client + ",http://127.0.0.1:" + ETCD_PORT, "--advertise-client-urls", client,
                    "--listen-peer-urls", "http://127.0.0.1:2380", "--initial-advertise-peer-urls", "http://127.0.0.1:2380",
                    "--initial-cluster", "cp=http://127.0.0.1:2380"));
            cp.processes.add(etcd);
            host.awaitHttp(etcd, "http://127.0.0.1:" + ETCD_PORT + "/health", Duration.ofSeconds(30), "etcd");
            List<String> args = new ArrayList<>(List.of("--kube4j.etcd.endpoints=" + client, ApiServerProcess.INSECURE));
            args.addAll(List.of(apiserverArgs));
            cp.processes.add(host.startComponent("apiserver", "apiserver", APISERVER_PORT, "/readyz", args, Duration.ofMinutes(2)));
        } catch (RuntimeException e) {
            cp.close();
            throw e;
        }
        return cp;
    }

    /** {@code http://<control-plane ip>:6443}, reachable from every host of the LAN. */
    public String url() {
        return "http://" + host.ip() + ":" + APISERVER_PORT;
    }

    public NetnsHost host() {
        return host;
    }

    /** An apiserver answer: HTTP status and body. */
    public record Response(int status, String body) {
        /** The body, or an IllegalStateException with status and body unless 2xx. */
        public String orThrow(String what) {
            if (status / 100 != 2) {
                throw new IllegalStateException(what + ": HTTP " + status + " " + body);
            }
            return body;
        }
    }

    /**
     * One request to the apiserver with curl inside the control-plane namespace, e.g.
     * {@code api("POST", "/api/v1/namespaces/default/services", json)}.
     *
     * @param jsonBody the request body ({@code application/json}), null for none
     */
    public Response api(String method, String path, String jsonBody) {
        List<String> cmd = new ArrayList<>(List.of("curl", "-s", "--max-time", "30", "-X", method, "-w", "\n%{http_code}"));
        if (jsonBody != null) {
            cmd.addAll(List.of("-H", "Content-Type: application/json", "--data-binary", "@-"));
        }
        cmd.add(url() + path);
        Netns.Result r = host.run(cmd, jsonBody);
        String out = r.output().stripTrailing();
        int nl = out.lastIndexOf('\n');
        String code = out.substring(nl + 1).strip();
        if (!r.ok() || !code.matches("\\d{3}")) {
            return new Response(0, "curl failed (" + r.exitCode() + "): " + out);
        }
        return new Response(Integer.parseInt(code), nl < 0 ? "" : out.substring(0, nl));
    }

    /** Runs {@code kubectl --server <url> <args>} in the control-plane namespace with {@code stdin} (null: none). */
    public Netns.Result kubectl(String stdin, String... args) {
        List<String> cmd = new ArrayList<>(List.of("kubectl", "--kubeconfig", dir.resolve("kubeconfig").toString(), "--server", url()));
        cmd.addAll(List.of(args));
        return host.run(cmd, stdin);
    }

    /** {@link #kubectl}, its output, or an IllegalStateException with kubectl's message when it fails. */
    public String kubectlOk(String stdin, String... args) {
        return kubectl(stdin, args).orThrow("kubectl " + String.join(" ", args));
    }

    /** Stops the apiserver, then etcd, and deletes etcd's data. */
    @Override
    public void close() {
        for (Process p : processes.reversed()) {
            host.stop(p);
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
        } catch (IOException e) {
            // a temp directory left behind is harmless
        }
    }
}
