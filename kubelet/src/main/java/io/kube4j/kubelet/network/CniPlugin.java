package io.kube4j.kubelet.network;

import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;

/**
 * One CNI plugin binary, run by the CNI spec's exec protocol (containernetworking/cni SPEC.md "Section 2:
 * Execution Protocol", as libcni's {@code pkg/invoke} does it): the parameters go in the environment
 * ({@code CNI_COMMAND}, {@code CNI_CONTAINERID}, {@code CNI_NETNS}, {@code CNI_IFNAME}, {@code CNI_ARGS},
 * {@code CNI_PATH}, on top of the kubelet's own environment), the network configuration as JSON on stdin, the
 * result as JSON on stdout. A non-zero exit is an error: stdout then holds the spec's error object
 * {@code {"code", "msg", "details"}}, which becomes a {@link CniException} with the plugin's message; when stdout
 * holds none, the plugin's stderr is the message (libcni's {@code pluginErr}).
 *
 * <p>The binary is looked up by the configuration's {@code type} in the CNI_PATH directories, first match wins
 * (libcni's {@code FindInPath}). A {@code launcher} prefix (e.g. {@code ip netns exec <ns>}) runs the plugin in
 * another network namespace than the kubelet's; in production it is empty, since plugins act in the namespace of
 * the runtime that calls them (the node's).
 */
public final class CniPlugin {
    /** The spec's operations (CNI 1.0.0; {@code CHECK} since 0.4.0). */
    public enum Command { ADD, DEL, CHECK, VERSION }

    /**
     * The per-attachment parameters of one call.
     *
     * @param containerId {@code CNI_CONTAINERID}: the sandbox's id
     * @param netns       {@code CNI_NETNS}: the network namespace's path (e.g. {@code /proc/<pid>/ns/net}); may be
     *                    empty on DEL when the namespace is gone (the spec lets plugins clean up what they can)
     * @param ifName      {@code CNI_IFNAME}: the interface to create in it ({@code eth0}, {@code lo})
     * @param args        {@code CNI_ARGS}: joined as {@code K=V;K=V} in this order
     */
    public record Invocation(String containerId, String netns, String ifName, Map<String, String> args) {
        String cniArgs() {
            return args.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).collect(Collectors.joining(";"));
        }
    }

    private final String type;
    private final Path binary;
    private final List<Path> cniPath;
    private final List<String> launcher;
    private final Duration timeout;

    private CniPlugin(String type, Path binary, List<Path> cniPath, List<String> launcher, Duration timeout) {
        this.type = type;
        this.binary = binary;
        this.cniPath = List.copyOf(cniPath);
        this.launcher = List.copyOf(launcher);
        this.timeout = timeout;
    }

    /**
     * The plugin named {@code type}: the first executable file of that name in {@code cniPath}.
     *
     * @throws CniException {@code failed to find plugin "<type>" in path [<dirs>]} (libcni's message) when none has it
     */
    public static CniPlugin find(String type, List<Path> cniPath, List<String> launcher, Duration timeout) {
        if (type == null || type.isBlank() || type.contains("/")) {
            throw new CniException("invalid plugin type " + (type == null ? "<missing>" : '"' + type + '"'),
                    CniException.INVALID_NETWORK_CONFIG, "invalid plugin type", "");
        }
        for (Path dir : cniPath) {
            Path candidate = dir.resolve(type);
            if (Files.isRegularFile(candidate) && Files.isExecutable(candidate)) {
                return new CniPlugin(type, candidate, cniPath, launcher, timeout);
            }
        }
        String dirs = cniPath.stream().map(Path::toString).collect(Collectors.joining(" "));
        throw new CniException("failed to find plugin \"" + type + "\" in path [" + dirs + "]", CniException.NOT_A_PLUGIN_ERROR,
                "failed to find plugin \"" + type + "\"", "");
    }

    /** The plugin's {@code type} (its file name). */
    public String type() {
        return type;
    }

    /** Where the binary is. */
    public Path binary() {
        return binary;
    }

    /**
     * ADD: attach {@code invocation}'s interface as {@code config} says.
     *
     * @param config the plugin's configuration with {@code name}, {@code cniVersion} and, chained, {@code prevResult}
     * @return the plugin's result (SPEC.md "Success": {@code cniVersion}, {@code interfaces}, {@code ips}, {@code routes}, {@code dns})
     * @throws CniException the plugin's error, or a missing/unparseable result
     */
    public JsonNode add(ObjectNode config, Invocation invocation) {
        byte[] out = exec(Command.ADD, config, invocation);
        try {
            JsonNode result = Json.tree(out);
            if (result == null || !result.isObject()) {
                throw new IllegalArgumentException("not a JSON object");
            }
            return result;
        } catch (RuntimeException e) {
            throw new CniException("failed to decode result of plugin " + type + ": " + e.getMessage() + " in "
                    + quote(new String(out, StandardCharsets.UTF_8)), CniException.DECODING_FAILURE, "failed to decode result", "");
        }
    }

    /** DEL: release what ADD made; plugins must succeed when it is already gone (the spec). */
    public void del(ObjectNode config, Invocation invocation) {
        exec(Command.DEL, config, invocation);
    }

    /** CHECK: is the attachment still as ADD left it ({@code prevResult} required). */
    public void check(ObjectNode config, Invocation invocation) {
        exec(Command.CHECK, config, invocation);
    }

    /**
     * VERSION: the plugin's {@code {"cniVersion", "supportedVersions": [...]}}. Given
     * {@code {"cniVersion": <version>}} on stdin as libcni's {@code GetVersionInfo} does.
     */
    public JsonNode version(String cniVersion) {
        ObjectNode conf = Json.mapper().createObjectNode();
        conf.put("cniVersion", cniVersion);
        return Json.tree(exec(Command.VERSION, conf, new Invocation("", "", "", Map.of())));
    }

    /** Runs the binary once; its stdout on exit 0. */
    byte[] exec(Command command, ObjectNode config, Invocation invocation) {
        List<String> cmd = new ArrayList<>(launcher);
        cmd.add(binary.toString());
        ProcessBuilder pb = new ProcessBuilder(cmd);
        Map<String, String> env = pb.environment();
        env.put("CNI_COMMAND", command.name());
        env.put("CNI_CONTAINERID", invocation.containerId());
        env.put("CNI_NETNS", invocation.netns() == null ? "" : invocation.netns());
        env.put("CNI_IFNAME", invocation.ifName());
        env.put("CNI_ARGS", invocation.cniArgs());
        env.put("CNI_PATH", cniPath.stream().map(Path::toString).collect(Collectors.joining(":")));
        Process p;
        try {
            p = pb.start();
        } catch (IOException e) {
            throw new CniException("cannot run plugin " + binary + ": " + e.getMessage(), e);
        }
        try {
            CompletableFuture<byte[]> stdout = drain(p.getInputStream());
            CompletableFuture<byte[]> stderr = drain(p.getErrorStream());
            try (OutputStream in = p.getOutputStream()) {
                in.write(Json.writeBytes(config));
            } catch (IOException e) {
                // a plugin that exits without reading its stdin (VERSION may) closes the pipe: its exit code tells
            }
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new CniException("plugin " + type + " (" + command + ") did not finish within " + timeout.toSeconds() + "s",
                        CniException.NOT_A_PLUGIN_ERROR, "timed out", "");
            }
            byte[] out = stdout.get(5, TimeUnit.SECONDS);
            byte[] err = stderr.get(5, TimeUnit.SECONDS);
            if (p.exitValue() == 0) {
                return out;
            }
            throw pluginError(out, err, p.exitValue());
        } catch (InterruptedException e) {
            p.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new CniException("interrupted while running plugin " + type, e);
        } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
            p.destroyForcibly();
            throw new CniException("cannot read the output of plugin " + type + ": " + e.getMessage(), e);
        }
    }

    /** libcni's {@code pluginErr}: the spec's error object on stdout, else stderr, else the exit status. */
    static CniException pluginError(byte[] stdout, byte[] stderr, int exit) {
        String out = new String(stdout, StandardCharsets.UTF_8).strip();
        if (!out.isEmpty()) {
            try {
                JsonNode e = Json.tree(out);
                if (e != null && e.isObject() && e.has("code")) {
                    String msg = e.path("msg").asString("");
                    String details = e.path("details").asString("");
                    // types.Error.Error(): msg, or "msg; details"
                    String text = details.isEmpty() ? msg : msg + "; " + details;
                    return new CniException(text, e.path("code").asInt(0), msg, details);
                }
            } catch (RuntimeException notJson) {
                // fall through: the diagnostic is not the spec's object
            }
            return new CniException("netplugin failed but error parsing its diagnostic message " + quote(out),
                    CniException.DECODING_FAILURE, out, "");
        }
        String err = new String(stderr, StandardCharsets.UTF_8).strip();
        if (!err.isEmpty()) {
            return new CniException("netplugin failed: " + quote(err), CniException.NOT_A_PLUGIN_ERROR, err, "");
        }
        return new CniException("netplugin failed with exit status " + exit, CniException.NOT_A_PLUGIN_ERROR, "exit status " + exit, "");
    }

    private static CompletableFuture<byte[]> drain(InputStream in) {
        CompletableFuture<byte[]> f = new CompletableFuture<>();
        Thread.ofVirtual().start(() -> {
            try (in) {
                f.complete(in.readAllBytes());
            } catch (IOException e) {
                f.completeExceptionally(e);
            }
        });
        return f;
    }

    private static String quote(String s) {
        return '"' + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n") + '"';
    }
}
