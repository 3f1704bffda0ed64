package io.kube4j.allinone;

import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A single-member etcd as a child process on 127.0.0.1 (free client and peer ports), for the all-in-one
 * image where etcd sits beside the JVM. Its output is inherited (it shares the container's log).
 * Ready when its {@code /health} endpoint reports {@code "health":"true"} (etcd's own health check, as
 * {@code etcdctl endpoint health} and Kubernetes' apiserver etcd check use).
 */
public final class EmbeddedEtcd implements AutoCloseable {
    private final Process process;
    private final String endpoint;
    private final Path temporaryDir;

    private EmbeddedEtcd(Process process, String endpoint, Path temporaryDir) {
        this.process = process;
        this.endpoint = endpoint;
        this.temporaryDir = temporaryDir;
    }

    /**
     * Starts etcd and returns without waiting (see {@link #awaitHealthy}).
     *
     * @param binary  the etcd executable
     * @param dataDir its directory (etcd's files in {@code <dataDir>/data}, created if absent, kept on
     *                {@link #close()}); empty for a fresh temporary {@code $TMPDIR/kube4j-etcd*}, deleted on close
     * @throws IllegalStateException when the executable cannot be started
     */
    public static EmbeddedEtcd start(String binary, String dataDir) {
        int client = freePort();
        int peer = freePort();
        try {
            Path temporary = dataDir.isBlank() ? Files.createTempDirectory("kube4j-etcd") : null;
            Path dir = temporary != null ? temporary : Files.createDirectories(Path.of(dataDir));
            String clientUrl = "http://127.0.0.1:" + client;
            String peerUrl = "http://127.0.0.1:" + peer;
            List<String> cmd = List.of(binary,
                    "--name=kube4j",
                    "--data-dir=" + dir.resolve("data"),
                    "--listen-client-urls=" + clientUrl,
                    "--advertise-client-urls=" + clientUrl,
                    "--listen-peer-urls=" + peerUrl,
                    "--initial-advertise-peer-urls=" + peerUrl,
                    "--initial-cluster=kube4j=" + peerUrl,
                    // a single member on loopback: elect itself after 100 ms instead of etcd's default 1 s
                    // (heartbeat 100 ms, election 1000 ms), a tenth of the start-up time
                    "--heartbeat-interval=10",
                    "--election-timeout=100",
                    // etcd's own default is info, one line per raft step: only problems go to the shared log
                    // (zap: etcd 3.4's default logger, capnslog, ignores --log-level)
                    "--logger=zap",
                    "--log-level=warn");
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.INHERIT).start();
            return new EmbeddedEtcd(p, clientUrl, temporary);
        } catch (IOException e) {
            throw new IllegalStateException("cannot start etcd (" + binary + "): " + e.getMessage()
                    + "; set KUBE4J_ETCD_BINARY, or KUBE4J_ETCD_ENDPOINTS for an etcd already running", e);
        }
    }

    /** The client URL, e.g. {@code http://127.0.0.1:41234}. */
    public String endpoint() {
        return endpoint;
    }

    /**
     * Polls {@code /health} every 20 ms.
     *
     * @throws IllegalStateException when etcd exits or is not healthy within {@code timeout}
     */
    public void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("etcd exited with " + process.exitValue());
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(endpoint + "/health").toURL().openConnection();
                c.setConnectTimeout(200);
                c.setReadTimeout(1000);
                if (c.getResponseCode() == 200 && new String(c.getInputStream().readAllBytes(), StandardCharsets.UTF_8).contains("\"health\":\"true\"")) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(20);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        throw new IllegalStateException("etcd not healthy within " + timeout);
    }

    /** The temporary directory this etcd keeps its data in, or null when it was given one. */
    public Path temporaryDir() {
        return temporaryDir;
    }

    /**
     * SIGTERM, then SIGKILL after 5 s; then deletes a temporary data directory (a cluster started without a
     * data directory is gone with its process, leaving nothing in {@code $TMPDIR}).
     */
    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
                process.waitFor(5, TimeUnit.SECONDS);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
        if (temporaryDir != null) {
            deleteRecursively(temporaryDir);
        }
    }

    /** Deletes {@code dir} and everything under it, best effort (a file still open elsewhere stays behind). */
    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (var paths = Files.walk(dir)) {
            paths.sorted(java.util.Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // best effort
                }
            });
        } catch (IOException e) {
            System.err.println("kube4j all-in-one: cannot delete " + dir + ": " + e);
        }
    }

    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
