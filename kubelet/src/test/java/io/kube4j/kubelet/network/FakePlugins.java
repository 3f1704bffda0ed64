package io.kube4j.kubelet.network;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;

/**
 * Tiny CNI plugins as shell scripts in a temp dir: each appends one line per call to {@code calls.log}
 * ({@code <command> <type> <containerId> <ifName> <netns>|<CNI_ARGS>|<CNI_PATH>|<stdin>}) and answers as told.
 */
public final class FakePlugins {
    final Path dir;
    final Path log;

    public FakePlugins(Path dir) {
        this.dir = dir;
        this.log = dir.resolve("calls.log");
    }

    /** A plugin that answers ADD with {@code addResult} (one line of JSON) and DEL/CHECK with nothing. */
    public FakePlugins ok(String type, String addResult) throws IOException {
        return script(type, "if [ \"$CNI_COMMAND\" = ADD ]; then printf '%s' '" + addResult + "'; fi\n"
                + "if [ \"$CNI_COMMAND\" = VERSION ]; then printf '%s' '{\"cniVersion\":\"1.0.0\",\"supportedVersions\":[\"0.4.0\",\"1.0.0\"]}'; fi\n"
                + "exit 0\n");
    }

    /** A plugin whose every command fails with the spec's error object. */
    public FakePlugins failing(String type, int code, String msg, String details) throws IOException {
        return script(type, "if [ \"$CNI_COMMAND\" = DEL ]; then exit 0; fi\n"
                + "printf '%s' '{\"cniVersion\":\"1.0.0\",\"code\":" + code + ",\"msg\":\"" + msg + "\",\"details\":\"" + details + "\"}'\nexit 1\n");
    }

    /** A plugin that fails with a message on stderr only. */
    public FakePlugins crashing(String type, String stderr) throws IOException {
        return script(type, "echo '" + stderr + "' >&2\nexit 2\n");
    }

    private FakePlugins script(String type, String body) throws IOException {
        Path p = dir.resolve(type);
        Files.writeString(p, "#!/bin/sh\nin=$(cat)\n"
                + "echo \"$CNI_COMMAND " + type + " $CNI_CONTAINERID $CNI_IFNAME $CNI_NETNS|$CNI_ARGS|$CNI_PATH|$in\" >> '" + log + "'\n" + body);
        Files.setPosixFilePermissions(p, PosixFilePermissions.fromString("rwxr-xr-x"));
        return this;
    }

    /** The calls so far, one line each. */
    public List<String> calls() throws IOException {
        return Files.exists(log) ? Files.readAllLines(log) : List.of();
    }

    /** Each call's {@code <command> <type> <ifName>}. */
    public List<String> order() throws IOException {
        return calls().stream().map(l -> {
            String[] w = l.substring(0, l.indexOf('|')).split(" ", -1);
            return w[0] + " " + w[1] + " " + w[3];
        }).toList();
    }

    /** The stdin of the n-th call. */
    public String stdin(int n) throws IOException {
        String line = calls().get(n);
        return line.substring(nthBar(line, 3) + 1);
    }

    private static int nthBar(String s, int n) {
        int at = -1;
        for (int i = 0; i < n; i++) {
            at = s.indexOf('|', at + 1);
        }
        return at;
    }
}
