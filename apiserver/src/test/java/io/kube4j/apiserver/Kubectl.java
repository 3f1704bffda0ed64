package io.kube4j.apiserver;

import org.junit.jupiter.api.Assumptions;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.fail;

/**
 * Runs the real, unmodified {@code kubectl} against one apiserver, each instance with its own discovery
 * cache and no kubeconfig, so tests see exactly what a fresh user would.
 */
final class Kubectl {
    /** The outcome of one command. */
    record Result(int exitCode, String out, String err) {
        @Override
        public String toString() {
            return "exit " + exitCode + "\n--- stdout\n" + out + "--- stderr\n" + err;
        }
    }

    private final Path binary;
    private final String server;
    private final Path home;

    private Kubectl(Path binary, String server, Path home) {
        this.binary = binary;
        this.server = server;
        this.home = home;
    }

    /**
     * A kubectl for {@code server} with a fresh cache under {@code dir}. Without a kubectl on this
     * machine the test is skipped, and says why; under CI (CI=true) it fails instead, so CI cannot
     * pass by skipping.
     */
    static Kubectl forServer(String server, Path dir) {
        Path bin = locate();
        if (bin == null) {
            String why = "kubectl (v1.32) was not found on PATH, in $KUBECTL or at /usr/bin/kubectl: the kubectl compatibility tests need it";
            if ("true".equalsIgnoreCase(System.getenv("CI"))) {
                fail(why + " (CI=true: a missing kubectl is a failure, not a skip)");
            }
            Assumptions.abort(why);
        }
        try {
            Files.createDirectories(dir);
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
        return new Kubectl(bin, server, dir);
    }

    private static Path locate() {
        String env = System.getenv("KUBECTL");
        if (env != null && !env.isEmpty() && Files.isExecutable(Path.of(env))) {
            return Path.of(env);
        }
        String path = System.getenv().getOrDefault("PATH", "");
        for (String dir : path.split(java.io.File.pathSeparator)) {
            Path p = Path.of(dir, "kubectl");
            if (!dir.isEmpty() && Files.isExecutable(p)) {
                return p;
            }
        }
        Path usr = Path.of("/usr/bin/kubectl");
        return Files.isExecutable(usr) ? usr : null;
    }

    /** Runs {@code kubectl <args>} to completion (60 s at most). */
    Result run(String... args) {
        return runWithInput(null, args);
    }

    /** Runs {@code kubectl <args>} with {@code stdin} as its input. */
    Result runWithInput(String stdin, String... args) {
        Process p = start(args);
        try {
            if (stdin != null) {
                p.getOutputStream().write(stdin.getBytes(StandardCharsets.UTF_8));
            }
            p.getOutputStream().close();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread t1 = Thread.ofVirtual().start(() -> copy(p.getInputStream(), out));
            Thread t2 = Thread.ofVirtual().start(() -> copy(p.getErrorStream(), err));
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                fail("kubectl " + String.join(" ", args) + " did not finish within 60 s");
            }
            t1.join();
            t2.join();
            return new Result(p.exitValue(), out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Starts {@code kubectl <args>} without waiting, for watches and follows; the caller reads and ends it. */
    Process start(String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(binary.toString());
        cmd.add("--server=" + server);
        cmd.add("--cache-dir=" + home.resolve("cache"));
        cmd.add("--request-timeout=30s");
        cmd.addAll(List.of(args));
        ProcessBuilder pb = new ProcessBuilder(cmd).directory(home.toFile());
        // no kubeconfig of the machine's user may leak into the test
        pb.environment().put("KUBECONFIG", home.resolve("no-kubeconfig").toString());
        pb.environment().put("HOME", home.toString());
        try {
            return pb.start();
        } catch (IOException e) {
            throw new IllegalStateException("cannot start " + binary + ": " + e, e);
        }
    }

    /** Reads all of a stream into {@code sink}, for processes still running. */
    static void copy(InputStream in, ByteArrayOutputStream sink) {
        byte[] buf = new byte[4096];
        try {
            int n;
            while ((n = in.read(buf)) >= 0) {
                synchronized (sink) {
                    sink.write(buf, 0, n);
                }
            }
        } catch (IOException e) {
            // the process ended or was destroyed
        }
    }
}
