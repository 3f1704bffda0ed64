package io.kube4j.testing;

import java.io.IOException;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.List;

/**
 * A real apiserver as a child process ({@code java -jar apiserver/target/apiserver.jar}) against the
 * given etcd endpoints, ready when {@code /readyz} answers 200, so tests of other components talk real
 * HTTP to a real apiserver backed by a real etcd. Output goes to {@code target/apiserver-<port>.log}.
 *
 * <p>The apiserver is secure by default; this fixture is not. Without {@link #https()} it passes
 * {@value #INSECURE} explicitly: component tests that test other semantics (scheduling, controllers, the
 * kubelet...) run the apiserver insecure, over plain HTTP, on purpose, so that they need no credentials.
 * {@link #https()} means "secure": HTTPS from the cluster PKI, every request authenticated, authorized and
 * admitted as in production.
 */
public final class ApiServerProcess implements AutoCloseable {
    /** The argument an insecure (plain HTTP, every request allowed) apiserver is started with. */
    public static final String INSECURE = "--kube4j.security.insecure=true";

    private final int port;
    private final List<String> args;
    private final List<String> jvmOptions = new ArrayList<>();
    private boolean secure;
    private ComponentProcess process;

    public ApiServerProcess(String etcdEndpoints, String... extraArgs) {
        this(freePort(), etcdEndpoints, extraArgs);
    }

    public ApiServerProcess(int port, String etcdEndpoints, String... extraArgs) {
        this.port = port;
        List<String> all = new ArrayList<>();
        all.add("--kube4j.etcd.endpoints=" + etcdEndpoints);
        all.addAll(List.of(extraArgs));
        this.args = List.copyOf(all);
    }

    /** Further JVM options (e.g. {@code -Xmx256m}) for {@link #start}. */
    public ApiServerProcess jvmArgs(String... options) {
        jvmOptions.addAll(List.of(options));
        return this;
    }

    /**
     * Secure, as the apiserver is by default: serve (and poll readiness over) HTTPS, authenticate and
     * authorize every request; {@value #INSECURE} is not passed.
     */
    public ApiServerProcess https() {
        this.secure = true;
        return this;
    }

    /** Starts the process and waits until {@code /readyz} answers 200. */
    public ApiServerProcess start() {
        List<String> all = new ArrayList<>(args);
        if (!secure && !all.contains(INSECURE)) {
            all.add(INSECURE);
        }
        ComponentProcess p = new ComponentProcess("apiserver", "apiserver", port, "/readyz", all);
        p.jvmArgs(jvmOptions.toArray(String[]::new));
        if (secure) {
            p.https();
        }
        process = p;
        p.start();
        return this;
    }

    public String url() {
        return (secure ? "https" : "http") + "://127.0.0.1:" + port;
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
            process.kill();
        }
    }

    @Override
    public void close() {
        if (process != null) {
            process.close();
        }
    }

    public static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }
}
