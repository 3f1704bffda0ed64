package io.kube4j.testing;

import java.io.File;
import java.io.IOException;
import java.net.HttpURLConnection;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Any kube4j component as a child process ({@code java -jar <module>/target/<module>.jar}), started with
 * Spring arguments and awaited on a health URL, so whole-cluster tests run every component as the
 * separate process it is in production. Output goes to {@code target/<name>-<port>.log}.
 */
public final class ComponentProcess implements AutoCloseable {
    private final String module;
    private final String name;
    private final int port;
    private final String healthPath;
    private final List<String> args;
    private final List<String> jvmArgs = new ArrayList<>();
    private Process process;
    private boolean https;

    /**
     * @param module     the Maven module whose jar to run (apiserver, scheduler, kubelet, ...)
     * @param name       a name for the log file (e.g. kubelet-node-1)
     * @param port       its server.port
     * @param healthPath polled until it answers 200 (e.g. /readyz or /actuator/health)
     * @param args       further Spring arguments ({@code --kube4j.apiserver.url=...})
     */
    public ComponentProcess(String module, String name, int port, String healthPath, List<String> args) {
        this.module = module;
        this.name = name;
        this.port = port;
        this.healthPath = healthPath;
        this.args = List.copyOf(args);
    }

    /** Further JVM options for the next {@link #start} (e.g. {@code -Xmx256m}), before {@code -jar}. */
    public ComponentProcess jvmArgs(String... options) {
        jvmArgs.addAll(List.of(options));
        return this;
    }

    /**
     * The component serves HTTPS (the apiserver unless kube4j.security.insecure): {@link #url} is https, and the readiness
     * poll accepts any server certificate (it only waits for the port; tests check certificates themselves).
     */
    public ComponentProcess https() {
        this.https = true;
        return this;
    }

    public ComponentProcess start() {
        // kube4j.test.ready-within-seconds: more on a machine shared by several builds (a loaded 2-core box needs >90 s)
        return start(Duration.ofSeconds(Long.getLong("kube4j.test.ready-within-seconds", 90)));
    }

    public ComponentProcess start(Duration readyWithin) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.add("-XX:TieredStopAtLevel=1");
        cmd.add("-Xss512k");
        // as in the images (docker/Dockerfile): after an OutOfMemoryError nothing in the process can be
        // trusted, so it exits and its supervisor (here: the test, which sees it die) restarts it
        cmd.add("-XX:+ExitOnOutOfMemoryError");
        cmd.addAll(jvmArgs);
        cmd.add("-jar");
        cmd.add(locateJar(module).toString());
        cmd.add("--server.port=" + port);
        cmd.addAll(args);
        try {
            Path logDir = Path.of("target");
            Files.createDirectories(logDir);
            File log = logDir.resolve(name + "-" + port + ".log").toFile();
            process = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log)).start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + name + ": " + e, e);
        }
        awaitHealthy(readyWithin);
        return this;
    }

    public String url() {
        return (https ? "https" : "http") + "://127.0.0.1:" + port;
    }

    public int port() {
        return port;
    }

    public boolean isAlive() {
        return process != null && process.isAlive();
    }

    /** SIGKILL, as a crashed machine. */
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
                if (!process.waitFor(15, java.util.concurrent.TimeUnit.SECONDS)) {
                    process.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                process.destroyForcibly();
            }
        }
    }

    private void awaitHealthy(Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (System.nanoTime() < deadline) {
            if (!process.isAlive()) {
                throw new IllegalStateException(name + " exited with " + process.exitValue() + "; see target/" + name + "-" + port + ".log");
            }
            try {
                HttpURLConnection c = (HttpURLConnection) URI.create(url() + healthPath).toURL().openConnection();
                if (c instanceof javax.net.ssl.HttpsURLConnection tls) {
                    tls.setSSLSocketFactory(TRUST_ANY.getSocketFactory());
                    tls.setHostnameVerifier((host, session) -> true);
                }
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
        throw new IllegalStateException(name + " not healthy within " + timeout + "; see target/" + name + "-" + port + ".log");
    }

    /** For the readiness poll of an HTTPS component only. */
    private static final javax.net.ssl.SSLContext TRUST_ANY = trustAny();

    private static javax.net.ssl.SSLContext trustAny() {
        try {
            javax.net.ssl.SSLContext ctx = javax.net.ssl.SSLContext.getInstance("TLS");
            ctx.init(null, new javax.net.ssl.TrustManager[]{new javax.net.ssl.X509TrustManager() {
                @Override
                public void checkClientTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public void checkServerTrusted(java.security.cert.X509Certificate[] chain, String authType) {
                }

                @Override
                public java.security.cert.X509Certificate[] getAcceptedIssuers() {
                    return new java.security.cert.X509Certificate[0];
                }
            }}, null);
            return ctx;
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException(e);
        }
    }

    /**
     * Finds {@code <module>/target/<module>.jar} from the module directory the test runs in, unless
     * {@code KUBE4J_<MODULE>_JAR} (e.g. {@code KUBE4J_APISERVER_JAR}) or the system property
     * {@code kube4j.<module>.jar} names a copy (useful while another build rewrites target/).
     */
    public static Path locateJar(String module) {
        String override = System.getProperty("kube4j." + module + ".jar",
                System.getenv("KUBE4J_" + module.toUpperCase().replace('-', '_') + "_JAR"));
        if (override != null && !override.isEmpty()) {
            return Path.of(override);
        }
        Path dir = Path.of("").toAbsolutePath();
        for (int i = 0; i < 3 && dir != null; i++, dir = dir.getParent()) {
            Path jar = dir.resolve(module + "/target/" + module + ".jar");
            if (Files.exists(jar)) {
                return jar;
            }
        }
        throw new IllegalStateException(module + "/target/" + module + ".jar not found: build it first (./mvnw -pl " + module + " -am package -DskipTests)");
    }
}
