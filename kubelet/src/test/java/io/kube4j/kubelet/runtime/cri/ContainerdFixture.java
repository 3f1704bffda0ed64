package io.kube4j.kubelet.runtime.cri;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A containerd of the test's own (Debian's containerd 1.6 with runc), never the system's or Docker's: its root,
 * state, runc root, CNI config and IPAM store in a temporary directory, its socket there too, and the daemon itself
 * running inside a network namespace {@code k4jcri-<n>} made for it (entered with {@code nsenter --net}, so it keeps
 * the host's mount namespace and cgroups), so that the bridge and iptables rules its CNI
 * sets up stay out of the host's network. Pod network namespaces are mounted under its state directory
 * ({@code netns_mounts_under_state_dir}). The JVM reaches the socket through the file system.
 *
 * <p>Images are imported offline from Docker ({@code docker save | ctr images import}); the sandbox image
 * {@code local/pause:k4j} is built from local/busybox (sleep for ever). {@link #close()} removes every sandbox through
 * the CRI, stops containerd, kills what is left in its namespace (shims), unmounts what is mounted under its
 * directory, deletes the namespace and the directory, also after a failed start.
 */
public final class ContainerdFixture implements AutoCloseable {
    public static final String SANDBOX_IMAGE = "local/pause:k4j";
    public static final String BUSYBOX = "local/busybox:latest";

    public final String netns;
    public final Path dir;
    public final Path socket;
    /** The pod subnet of the bridge network, e.g. {@code 10.88.17.0/24}; pod IPs start with {@link #subnetPrefix}. */
    public final String subnet;
    public final String subnetPrefix;
    private final List<String> nodes = new java.util.concurrent.CopyOnWriteArrayList<>(List.of("cri-fixture"));
    private Process containerd;
    private CriRuntime runtime;

    private ContainerdFixture() throws IOException {
        // unique on this machine: the JVM's pid and a count of the fixtures this JVM started
        int n = (int) (ProcessHandle.current().pid() % 100_000);
        this.netns = "k4jcri-" + n + "-" + STARTED.incrementAndGet();
        this.dir = Files.createTempDirectory("k4jcri-");
        this.socket = dir.resolve("containerd.sock");
        int third = 1 + n % 250;
        this.subnetPrefix = "10.88." + third + ".";
        this.subnet = subnetPrefix + "0/24";
    }

    private static final int CAP_SYS_RESOURCE = 24;
    private static final java.util.concurrent.atomic.AtomicInteger STARTED = new java.util.concurrent.atomic.AtomicInteger();

    /**
     * Whether this process holds capability {@code cap} (its effective set in /proc/self/status). Without
     * CAP_SYS_RESOURCE (as in our CI's sandbox) runc cannot lower a sandbox's oom_score_adj to containerd's -998:
     * "nsexec: failed to update /proc/self/oom_score_adj: Permission denied", so containerd is told to keep scores
     * no lower than its own ({@code restrict_oom_score_adj}, meant for rootless runs).
     */
    static boolean hasCapability(int cap) {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/self/status"))) {
                if (line.startsWith("CapEff:")) {
                    return (Long.parseUnsignedLong(line.substring(7).strip(), 16) & (1L << cap)) != 0;
                }
            }
        } catch (IOException | NumberFormatException e) {
            // unknown: assume not
        }
        return false;
    }

    /** Starts containerd and imports busybox and the sandbox image; on any failure cleans up and throws with the log. */
    public static ContainerdFixture start() throws Exception {
        ContainerdFixture f = new ContainerdFixture();
        try {
            f.doStart();
            return f;
        } catch (Exception | AssertionError e) {
            String log = f.log();
            f.close();
            throw new IllegalStateException("containerd did not start: " + e.getMessage() + "\n--- containerd log (errors) ---\n" + log, e);
        }
    }

    private void doStart() throws Exception {
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc", "/usr/lib/cni/bridge", "/usr/lib/cni/host-local")) {
            if (!Files.isExecutable(Path.of(tool)) && !(tool.endsWith("runc") && Files.isExecutable(Path.of("/usr/bin/runc")))) {
                throw new IllegalStateException(tool + " is missing (.ci/run installs containerd, runc and containernetworking-plugins)");
            }
        }
        Files.createDirectories(dir.resolve("cni"));
        Files.writeString(dir.resolve("cni").resolve("10-k4jcri.conflist"), """
                {"cniVersion": "0.4.0", "name": "k4jcri", "plugins": [
                  {"type": "bridge", "bridge": "k4jcri0", "isGateway": true, "ipMasq": true,
                   "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}}
                ]}
                """.formatted(dir.resolve("ipam"), subnet));
        Files.writeString(dir.resolve("config.toml"), """
                version = 2
                root = "%1$s/root"
                state = "%1$s/state"
                [grpc]
                  address = "%2$s"
                [ttrpc]
                  address = "%2$s.ttrpc"
                [debug]
                  address = ""
                [metrics]
                  address = ""
                [plugins."io.containerd.grpc.v1.cri"]
                  sandbox_image = "%3$s"
                  netns_mounts_under_state_dir = true
                  restrict_oom_score_adj = %4$s
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        Root = "%1$s/runc"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "%1$s/cni"
                """.formatted(dir, socket, SANDBOX_IMAGE, !hasCapability(CAP_SYS_RESOURCE)));
        run(Duration.ofSeconds(10), "ip", "netns", "add", netns);
        run(Duration.ofSeconds(10), "ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up");
        // nsenter --net, not `ip netns exec`: the latter also unshares the mount namespace and remounts /sys, which
        // hides the cgroup mounts from runc ("runc create failed: no cgroup mount found in mountinfo")
        containerd = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + netns, "containerd", "--config", dir.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        Instant deadline = Instant.now().plusSeconds(30);
        while (!Files.exists(socket)) {
            if (!containerd.isAlive()) {
                throw new IllegalStateException("containerd exited with " + containerd.exitValue());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("no socket " + socket + " after 30 s");
            }
            Thread.sleep(100);
        }
        runtime = new CriRuntime("unix://" + socket, "cri-fixture", SANDBOX_IMAGE, dir.resolve("logs"), dir.resolve("pods"), null);
        // the CRI plugin may still be initialising when the socket appears
        RuntimeException last = null;
        while (Instant.now().isBefore(deadline)) {
            try {
                runtime.version();
                last = null;
                break;
            } catch (RuntimeException e) {
                last = e;
                Thread.sleep(200);
            }
        }
        if (last != null) {
            throw last;
        }
        // the sandbox image: busybox sleeping for ever (Docker caches the build after the first run)
        Path build = dir.resolve("pause-build");
        Files.createDirectories(build);
        Files.writeString(build.resolve("Dockerfile"), "FROM " + BUSYBOX + "\nENTRYPOINT [\"/bin/sleep\", \"2147483647\"]\n");
        run(Duration.ofMinutes(2), "docker", "build", "-q", "-t", SANDBOX_IMAGE, build.toString());
        run(Duration.ofMinutes(3), "bash", "-o", "pipefail", "-c", "docker save " + BUSYBOX + " " + SANDBOX_IMAGE
                + " | ctr --address " + socket + " -n k8s.io images import -");
    }

    /** A CRI runtime on this containerd for {@code node}, its logs and pod directories under the fixture's directory. */
    public CriRuntime runtime(String node) {
        if (!nodes.contains(node)) {
            nodes.add(node);
        }
        return new CriRuntime("unix://" + socket, node, SANDBOX_IMAGE, dir.resolve("logs"), dir.resolve("pods"), null);
    }

    /** The error and warning lines of containerd's log. */
    public String log() {
        try {
            Path p = dir.resolve("containerd.log");
            if (!Files.exists(p)) {
                return "(none)";
            }
            return String.join("\n", Files.readAllLines(p).stream().filter(l -> l.contains("level=error") || l.contains("level=fatal")
                    || l.contains("level=warn")).toList());
        } catch (IOException e) {
            return "(unreadable: " + e.getMessage() + ")";
        }
    }

    @Override
    public void close() {
        // every sandbox of every node the tests used: stops its containers and runs CNI DEL while containerd is up
        if (runtime != null) {
            for (String node : nodes) {
                try (CriRuntime r = runtime(node)) {
                    removeAll(r);
                } catch (RuntimeException e) {
                    // containerd may be down: the kills below still clean up
                }
            }
            runtime.close();
        }
        if (containerd != null) {
            containerd.toHandle().descendants().forEach(ProcessHandle::destroy);
            containerd.destroy();
            try {
                if (!containerd.waitFor(10, TimeUnit.SECONDS)) {
                    containerd.destroyForcibly();
                    containerd.waitFor(5, TimeUnit.SECONDS);
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        // what still runs in the namespace (shims, their containers' processes when not in namespaces of their own)
        killNamespacePids();
        // shims are reparented away from containerd: find them by our socket in their command line
        killByCommandLine(dir.toString());
        unmountUnder(dir);
        try {
            run(Duration.ofSeconds(10), "ip", "netns", "delete", netns);
        } catch (Exception e) {
            // not created
        }
        deleteRecursively(dir);
    }

    private static void removeAll(CriRuntime cri) {
        for (var sandbox : cri.listPodSandboxes()) {
            cri.stopPodSandbox(sandbox.id());
            cri.removePodSandbox(sandbox.id());
        }
    }

    private void killNamespacePids() {
        try {
            Process p = new ProcessBuilder("ip", "netns", "pids", netns).redirectErrorStream(true).start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            p.waitFor(10, TimeUnit.SECONDS);
            for (String line : out.split("\\s+")) {
                if (line.matches("\\d+")) {
                    ProcessHandle.of(Long.parseLong(line)).ifPresent(ProcessHandle::destroyForcibly);
                }
            }
        } catch (IOException e) {
            // no ip: nothing started
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static void killByCommandLine(String marker) {
        try (Stream<Path> procs = Files.list(Path.of("/proc"))) {
            for (Path proc : procs.filter(p -> p.getFileName().toString().matches("\\d+")).toList()) {
                try {
                    String cmdline = new String(Files.readAllBytes(proc.resolve("cmdline")), StandardCharsets.UTF_8).replace('\0', ' ');
                    if (cmdline.contains(marker) && cmdline.contains("containerd-shim")) {
                        ProcessHandle.of(Long.parseLong(proc.getFileName().toString())).ifPresent(ProcessHandle::destroyForcibly);
                    }
                } catch (IOException | RuntimeException e) {
                    // gone meanwhile
                }
            }
        } catch (IOException e) {
            // no /proc
        }
    }

    /** Unmounts (lazily, deepest first) every mount point below {@code dir}: snapshots, rootfs, netns bind mounts. */
    static void unmountUnder(Path dir) {
        try {
            List<String> points = new ArrayList<>();
            for (String line : Files.readAllLines(Path.of("/proc/self/mounts"))) {
                String[] f = line.split(" ");
                if (f.length > 1 && f[1].startsWith(dir.toString())) {
                    points.add(f[1]);
                }
            }
            points.sort(Comparator.comparingInt(String::length).reversed());
            for (String point : points) {
                run(Duration.ofSeconds(10), "umount", "-l", point);
            }
        } catch (Exception e) {
            // best effort: deleteRecursively reports what stays
        }
    }

    static void deleteRecursively(Path dir) {
        if (!Files.exists(dir)) {
            return;
        }
        try (Stream<Path> walk = Files.walk(dir)) {
            walk.sorted(Comparator.reverseOrder()).forEach(p -> {
                try {
                    Files.deleteIfExists(p);
                } catch (IOException e) {
                    // busy: left behind
                }
            });
        } catch (IOException e) {
            // same
        }
    }

    /** Runs a command; throws with its output when it fails or outlives {@code timeout}. */
    static String run(Duration timeout, String... command) throws IOException, InterruptedException {
        Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
        p.getOutputStream().close();
        byte[] out = p.getInputStream().readAllBytes();
        if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
            p.destroyForcibly();
            throw new IOException(String.join(" ", command) + " timed out");
        }
        String text = new String(out, StandardCharsets.UTF_8);
        if (p.exitValue() != 0) {
            throw new IOException(String.join(" ", command) + " exited with " + p.exitValue() + ": " + text.strip());
        }
        return text;
    }
}
