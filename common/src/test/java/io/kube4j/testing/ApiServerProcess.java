package io.kube4j.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A real apiserver as a child process ({@code java -jar apiserver/target/apiserver.jar}), so tests of
 * other components talk real HTTP to a real apiserver backed by a real etcd. Output goes to
 * {@code target/apiserver-<port>.log} of the module running the test.
 */
public final class ApiServerProcess implements AutoCloseable {
    private final int port;
    private final String etcdEndpoints;
    private final List<String> extraArgs;
    private Process process;

    public ApiServerProcess(String etcdEndpoints, String... extraArgs) {
        this(freePort(), etcdEndpoints, extraArgs);
    }

    public ApiServerProcess(int port, String etcdEndpoints, String... extraArgs) {
        this.port = port;
        this.etcdEndpoints = etcdEndpoints;
        this.extraArgs = List.of(extraArgs);
    }

    /** Starts the process and waits until {@code /readyz} answers 200. */
    public ApiServerProcess start() {
        Path jar = locateJar();
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xshare:auto");
        cmd.add("-jar");
        cmd.add(jar.toString());
        cmd.add("--server.port=" + port);
        cmd.add("--kube4j.etcd.endpoints=" + etcdEndpoints);
        cmd.addAll(extraArgs);
        try {
            Path logDir = Path.of("target");
            Files.createDirectories(logDir);
            File log = logDir.resolve("apiserver-" + port + ".log").toFile();
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start apiserver: " + e, e);
        }
        awaitReady(Duration.ofSeconds(90));
        return this;
    }

    public String url() {
        return "http://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
        if (process != null) {
            process.destroyForcibly();
            try {
                process.waitFor();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }

    @Override
    public void close() {
        if (process != null && process.isAlive()) {
            process.destroy();
            try {
                if (!process.waitFor(10, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private void awaitReady(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException("apiserver exited with " + process.exitValue() + "; see target/apiserver-" + port + ".log");
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url() + "/readyz").toURL().openConnection();
                c.setConnectTimeout(500);
                c.setReadTimeout(2000);
                if (c.getResponseCode() == 200) {
                    return;
                }
            } catch (IOException e) {
                // not listening yet
            }
            try {
                Thread.sleep(200);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            }
        }
        close();
        throw new IllegalStateException("apiserver not ready within " + timeout + "; see target/apiserver-" + port + ".log");
    }

    /** Finds apiserver/target/apiserver.jar from the module directory the test runs in. */
    static Path locateJar() {
        String override = System.getProperty("kube4j.apiserver.jar", System.getenv("KUBE4J_APISERVER_JAR"));
        if (override != null) {
            return Path.of(override);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
            Path jar = dir.resolve("apiserver/target/apiserver.jar");
            if (Files.exists(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException("apiserver/target/apiserver.jar not found: build the apiserver module first (./mvnw -pl apiserver -am package -DskipTests)");
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
