package io.kube4j.testing.netns;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The shell under the netns harness: runs {@code ip}, {@code iptables}... as child processes of the test JVM
 * (which must be root, as on our CI machines), and says whether this machine can run netns tests at all.
 */
public final class Netns {
    private Netns() {
    }

    /** The exit code and combined stdout/stderr of one command. */
    public record Result(int exitCode, String output) {
        public boolean ok() {
            return exitCode == 0;
        }

        /** The output, or an {@link IllegalStateException} with it when the command failed. */
        public String orThrow(String what) {
            if (!ok()) {
                throw new IllegalStateException(what + " failed (" + exitCode + "): " + output.strip());
            }
            return output;
        }
    }

    /** Runs {@code command} with {@code stdin} (null: none) and waits up to 60 s. */
    public static Result run(List<String> command, String stdin) {
        try {
            Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
            try (OutputStream in = p.getOutputStream()) {
                if (stdin != null) {
                    in.write(stdin.getBytes(StandardCharsets.UTF_8));
                }
            }
            // read before waiting: a full pipe would block the child
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            if (!p.waitFor(60, TimeUnit.SECONDS)) {
                p.destroyForcibly();
                return new Result(-1, "timed out: " + String.join(" ", command) + "\n" + out);
            }
            return new Result(p.exitValue(), out);
        } catch (IOException e) {
            return new Result(-1, e.toString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Result(-1, "interrupted");
        }
    }

    public static Result run(String... command) {
        return run(List.of(command), null);
    }

    /**
     * Whether netns tests can run here: root, {@code ip}, and a namespace can be created and deleted.
     * Tests use it in {@code assumeTrue} so that machines without it skip them visibly (never "pass").
     */
    public static boolean available() {
        if (!"root".equals(System.getProperty("user.name")) || !Files.isExecutable(Path.of("/usr/sbin/ip")) && !Files.isExecutable(Path.of("/sbin/ip"))) {
            return false;
        }
        String probe = "k4jprobe-" + ProcessHandle.current().pid();
        boolean ok = run("ip", "netns", "add", probe).ok();
        run("ip", "netns", "del", probe);
        return ok;
    }

    /** A prefix unique to this run (process and time), so parallel runs never share a namespace name. */
    static String uniquePrefix() {
        return "k4j" + Long.toString(ProcessHandle.current().pid(), 36) + Long.toString(System.nanoTime() % 1_000_000L, 36);
    }
}
