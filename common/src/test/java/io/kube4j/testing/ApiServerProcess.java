package io.kube4j.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A real apiserver as a child process ({@code java -jar apiserver/target/apiserver.jar}) against the
 * given etcd endpoints, ready when {@code /readyz} answers 200, so tests of other components talk real
 * HTTP to a real apiserver backed by a real etcd. Output goes to {@code target/apiserver-<port>.log}.
 */
public final class ApiServerProcess implements AutoCloseable {
    private final ComponentProcess process;

    public ApiServerProcess(String etcdEndpoints, String... extraArgs) {
        this(freePort(), etcdEndpoints, extraArgs);
    }

    public ApiServerProcess(int port, String etcdEndpoints, String... extraArgs) {
        List<String> args = new ArrayList<>();
        args.add("--kube4j.etcd.endpoints=" + etcdEndpoints);
        args.addAll(List.of(extraArgs));
        this.process = new ComponentProcess("apiserver", "apiserver", port, "/readyz", args);
    }

    /** Further JVM options (e.g. {@code -Xmx256m}) for {@link #start}. */
    public ApiServerProcess jvmArgs(String... options) {
        process.jvmArgs(options);
        return this;
    }

    /** Serve (and poll readiness over) HTTPS, for {@code --kube4j.security.enabled=true}. */
    public ApiServerProcess https() {
        process.https();
        return this;
    }

    /** Starts the process and waits until {@code /readyz} answers 200. */
    public ApiServerProcess start() {
        process.start();
        return this;
    }

    public String url() {
        return process.url();
    }

    public int port() {
        return process.port();
    }

    public boolean isAlive() {
        return process.isAlive();
    }

    /** Kills the process at once (SIGKILL), as a crash would. */
    public void kill() {
        process.kill();
    }

    @Override
    public void close() {
        process.close();
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
