package io.kube4j.testing;

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
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

/**
 * A containerd of the test's own (Debian's containerd 1.6 with runc), never the system's or Docker's: its root,
 * state, runc root, CNI config dir and IPAM store in a directory of its own, its socket there too, and the daemon
 * itself running inside a network namespace (entered with {@code nsenter --net}, so it keeps the host's mount
 * namespace and cgroups), so that the bridge and iptables rules its CNI sets up stay out of the host's network.
 * Pod network namespaces are mounted under its state directory ({@code netns_mounts_under_state_dir}). The JVM and
 * kubelets reach the socket through the file system, and (with {@link #start()}) the CRI streaming server of exec and
 * attach over a veth pair into the namespace ({@link #streamAddress}).
 *
 * <p>Two shapes: {@link #start()} makes a namespace {@code k4jcri-<n>} for it and a bridge network on a /24 of
 * {@code 10.88.0.0/16} ({@link #subnet}); {@link #startIn(String, Path)} runs it in an existing namespace (a
 * multi-host test's host) with an empty CNI conf dir ({@link #cniConfDir()}), into which the test, as a network
 * add-on would, drops the node's configuration once it knows the node's podCIDR (containerd's CRI plugin watches
 * that directory and answers RunPodSandbox with "cni plugin not initialized" until then, as its docs describe).
 *
 * <p>Images are imported offline from Docker ({@code docker save | ctr images import}); the sandbox image
 * {@code local/pause:k4j} is built from local/busybox (sleep for ever). {@link #close()} kills and deletes every
 * task and container in the CRI's {@code k8s.io} namespace through {@code ctr}, stops containerd, kills what is left
 * (shims), unmounts what is mounted under its directory and deletes the directory (and the namespace it made), also
 * after a failed start.
 */
public final class ContainerdFixture implements AutoCloseable {
    public static final String SANDBOX_IMAGE = "local/pause:k4j";
    public static final String BUSYBOX = "local/busybox:latest";
    /** The containerd namespace of the CRI plugin's containers and images. */
    public static final String CRI_NAMESPACE = "k8s.io";

    private static final int CAP_SYS_RESOURCE = 24;
    private static final AtomicInteger STARTED = new AtomicInteger();

    /** The network namespace containerd runs in. */
    public final String netns;
    /** Its root, state, runc root, CNI conf dir, IPAM store, socket and log live here. */
    public final Path dir;
    public final Path socket;
    /**
     * {@link #start()}: the pod subnet of the bridge network, e.g. {@code 10.88.17.0/24}, pod IPs starting with
     * {@link #subnetPrefix}; null with {@link #startIn}.
     */
    public final String subnet;
    public final String subnetPrefix;
    /**
     * {@link #start()}: the CRI streaming server's address ({@code stream_server_address}), the namespace's end of a
     * veth pair whose other end is in the host's namespace (addresses of a /30 of {@code 10.87.0.0/16}), so that the
     * test JVM can reach the URLs of Exec and Attach (containerd's default, 127.0.0.1, is the namespace's own
     * loopback); null with {@link #startIn}, where containerd keeps its default.
     */
    public final String streamAddress;
    /** The host's end of that veth pair, or null. */
    private final String streamLink;
    private final String streamHostAddress;
    private final boolean ownsNetns;
    /** The CRI plugin's CNI {@code conf_template} (a Go template), or null for none. */
    private final String confTemplate;
    /** Closes the fixture when the test JVM is stopped before the test's own cleanup runs (mounts, shims, netns). */
    private final Thread shutdownHook = new Thread(this::close);
    private boolean closed;
    private Process containerd;

    private ContainerdFixture(String netns, Path dir, boolean ownsNetns, String subnet) {
        this(netns, dir, ownsNetns, subnet, null);
    }

    private ContainerdFixture(String netns, Path dir, boolean ownsNetns, String subnet, String confTemplate) {
        this.confTemplate = confTemplate;
        this.netns = netns;
        this.dir = dir;
        this.ownsNetns = ownsNetns;
        this.socket = dir.resolve("containerd.sock");
        this.subnet = subnet;
        this.subnetPrefix = subnet == null ? null : subnet.substring(0, subnet.length() - "0/24".length());
        if (ownsNetns) {
            // unique on this machine as the namespace's name is: the JVM's pid and this JVM's count of fixtures
            int n = (int) (ProcessHandle.current().pid() % 100_000);
            int k = STARTED.get() % 64;
            String net = "10.87." + (1 + n % 250) + ".";
            this.streamHostAddress = net + (4 * k + 1);
            this.streamAddress = net + (4 * k + 2);
            this.streamLink = "k4s" + n + "x" + k;
        } else {
            this.streamHostAddress = null;
            this.streamAddress = null;
            this.streamLink = null;
        }
    }

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

    /**
     * Starts containerd in a network namespace made for it, with a bridge network ({@code k4jcri0}, host-local
     * addresses from {@link #subnet}), and imports busybox and the sandbox image; on any failure cleans up and throws
     * with the log.
     */
    public static ContainerdFixture start() throws Exception {
        // unique on this machine: the JVM's pid and a count of the fixtures this JVM started
        int n = (int) (ProcessHandle.current().pid() % 100_000);
        String subnet = "10.88." + (1 + n % 250) + ".0/24";
        ContainerdFixture f = new ContainerdFixture("k4jcri-" + n + "-" + STARTED.incrementAndGet(),
                Files.createTempDirectory("k4jcri-"), true, subnet);
        return start(f);
    }

    /**
     * Starts containerd inside the existing network namespace {@code netns} (not deleted on close), its files in a new
     * directory under {@code parent}, with an empty {@link #cniConfDir()}; imports busybox and the sandbox image.
     */
    public static ContainerdFixture startIn(String netns, Path parent) throws Exception {
        return startIn(netns, parent, null);
    }

    /**
     * As {@link #startIn(String, Path)}, with the CRI plugin's {@code [plugins."io.containerd.grpc.v1.cri".cni]
     * conf_template} set to {@code confTemplate} (a Go template; {@code {{.PodCIDR}}}, {@code {{.PodCIDRRanges}}} and
     * {@code {{.Routes}}} are filled in): once a kubelet sends UpdateRuntimeConfig with a pod CIDR while no network is
     * loaded, containerd renders it into {@link #templateOutput()} in the conf dir. Null: no template.
     */
    public static ContainerdFixture startIn(String netns, Path parent, String confTemplate) throws Exception {
        Files.createDirectories(parent);
        return start(new ContainerdFixture(netns, Files.createTempDirectory(parent, "containerd-"), false, null, confTemplate));
    }

    /** Where containerd 1.6 writes its rendered {@code conf_template}: {@code <conf_dir>/10-containerd-net.conflist}. */
    public Path templateOutput() {
        return cniConfDir().resolve("10-containerd-net.conflist");
    }

    private static ContainerdFixture start(ContainerdFixture f) throws Exception {
        Runtime.getRuntime().addShutdownHook(f.shutdownHook);
        try {
            f.doStart();
            return f;
        } catch (Exception | AssertionError e) {
            String log = f.log();
            f.close();
            throw new IllegalStateException("containerd did not start: " + e.getMessage() + "\n--- containerd log (errors) ---\n" + log, e);
        }
    }

    /** The CRI plugin's CNI conf dir ({@code conf_dir}); its plugins come from {@code /usr/lib/cni}. */
    public Path cniConfDir() {
        return dir.resolve("cni");
    }

    /** A directory for host-local's leases ({@code ipam.dataDir}), removed with the fixture. */
    public Path ipamDir() {
        return dir.resolve("ipam");
    }

    private void doStart() throws Exception {
        for (String tool : List.of("/usr/bin/containerd", "/usr/bin/ctr", "/usr/sbin/runc", "/usr/lib/cni/bridge", "/usr/lib/cni/host-local")) {
            if (!Files.isExecutable(Path.of(tool)) && !(tool.endsWith("runc") && Files.isExecutable(Path.of("/usr/bin/runc")))) {
                throw new IllegalStateException(tool + " is missing (.ci/run installs containerd, runc and containernetworking-plugins)");
            }
        }
        Files.createDirectories(cniConfDir());
        if (subnet != null) {
            Files.writeString(cniConfDir().resolve("10-k4jcri.conflist"), """
                    {"cniVersion": "0.4.0", "name": "k4jcri", "plugins": [
                      {"type": "bridge", "bridge": "k4jcri0", "isGateway": true, "ipMasq": true,
                       "ipam": {"type": "host-local", "dataDir": "%s", "ranges": [[{"subnet": "%s"}]], "routes": [{"dst": "0.0.0.0/0"}]}}
                    ]}
                    """.formatted(ipamDir(), subnet));
        }
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
                  stream_server_address = "%6$s"
                  stream_server_port = "0"
                  [plugins."io.containerd.grpc.v1.cri".containerd]
                    snapshotter = "overlayfs"
                    default_runtime_name = "runc"
                    [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc]
                      runtime_type = "io.containerd.runc.v2"
                      [plugins."io.containerd.grpc.v1.cri".containerd.runtimes.runc.options]
                        Root = "%1$s/runc"
                  [plugins."io.containerd.grpc.v1.cri".cni]
                    bin_dir = "/usr/lib/cni"
                    conf_dir = "%5$s"
                """.formatted(dir, socket, SANDBOX_IMAGE, !hasCapability(CAP_SYS_RESOURCE), cniConfDir(),
                        streamAddress == null ? "127.0.0.1" : streamAddress)
                + (confTemplate == null ? "" : "    conf_template = \"" + dir.resolve("cni-template.json") + "\"\n"));
        if (confTemplate != null) {
            Files.writeString(dir.resolve("cni-template.json"), confTemplate);
        }
        if (ownsNetns) {
            run(Duration.ofSeconds(10), "ip", "netns", "add", netns);
            run(Duration.ofSeconds(10), "ip", "netns", "exec", netns, "ip", "link", "set", "lo", "up");
            // the streaming server's link: host end and namespace end of one veth pair, both up before containerd binds
            run(Duration.ofSeconds(10), "ip", "link", "add", streamLink, "type", "veth", "peer", "name", "stream0", "netns", netns);
            run(Duration.ofSeconds(10), "ip", "addr", "add", streamHostAddress + "/30", "dev", streamLink);
            run(Duration.ofSeconds(10), "ip", "link", "set", streamLink, "up");
            run(Duration.ofSeconds(10), "ip", "-n", netns, "addr", "add", streamAddress + "/30", "dev", "stream0");
            run(Duration.ofSeconds(10), "ip", "-n", netns, "link", "set", "stream0", "up");
        }
        // nsenter --net, not `ip netns exec`: the latter also unshares the mount namespace and remounts /sys, which
        // hides the cgroup mounts from runc ("runc create failed: no cgroup mount found in mountinfo")
        containerd = new ProcessBuilder("nsenter", "--net=/var/run/netns/" + netns, "containerd", "--config", dir.resolve("config.toml").toString())
                .redirectErrorStream(true).redirectOutput(dir.resolve("containerd.log").toFile()).start();
        Instant deadline = Instant.now().plusSeconds(30);
        // "containerd successfully booted" is logged once every plugin is loaded and the gRPC server serves
        while (!Files.exists(socket) || !Files.readString(dir.resolve("containerd.log")).contains("containerd successfully booted")) {
            if (!containerd.isAlive()) {
                throw new IllegalStateException("containerd exited with " + containerd.exitValue());
            }
            if (Instant.now().isAfter(deadline)) {
                throw new IllegalStateException("containerd not booted (socket " + socket + ") after 30 s");
            }
            Thread.sleep(100);
        }
        // the sandbox image: busybox sleeping for ever (Docker caches the build after the first run)
        Path build = dir.resolve("pause-build");
        Files.createDirectories(build);
        Files.writeString(build.resolve("Dockerfile"), "FROM " + BUSYBOX + "\nENTRYPOINT [\"/bin/sleep\", \"2147483647\"]\n");
        run(Duration.ofMinutes(2), "docker", "build", "-q", "-t", SANDBOX_IMAGE, build.toString());
        run(Duration.ofMinutes(3), "bash", "-o", "pipefail", "-c", "docker save " + BUSYBOX + " " + SANDBOX_IMAGE
                + " | ctr --address " + socket + " -n " + CRI_NAMESPACE + " images import -");
    }

    /** {@code ctr --address <socket> -n k8s.io <args>}: output, or an IOException with it when ctr fails. */
    public String ctr(Duration timeout, String... args) throws IOException, InterruptedException {
        List<String> cmd = new ArrayList<>(List.of("ctr", "--address", socket.toString(), "-n", CRI_NAMESPACE));
        cmd.addAll(List.of(args));
        return run(timeout, cmd.toArray(String[]::new));
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
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        try {
            Runtime.getRuntime().removeShutdownHook(shutdownHook);
        } catch (IllegalStateException e) {
            // already shutting down: this is the hook
        }
        // every task (sandboxes and containers) killed and deleted while containerd is up, so no container process
        // outlives the test (they live in PID namespaces of their own, out of reach of the kills below)
        if (containerd != null && containerd.isAlive()) {
            removeAllContainers();
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
        if (ownsNetns) {
            // what still runs in the namespace (shims, their containers' processes when not in namespaces of their own)
            killNamespacePids();
        }
        // shims are reparented away from containerd: find them by our directory in their command line
        killByCommandLine(dir.toString());
        unmountUnder(dir);
        if (ownsNetns) {
            try {
                // gone with the namespace's end once the namespace is; deleted first in case the namespace lingers
                run(Duration.ofSeconds(10), "ip", "link", "delete", streamLink);
            } catch (Exception e) {
                // not created, or gone
            }
            try {
                run(Duration.ofSeconds(10), "ip", "netns", "delete", netns);
            } catch (Exception e) {
                // not created
            }
        }
        deleteRecursively(dir);
    }

    private void removeAllContainers() {
        try {
            List<String> tasks = ctr(Duration.ofSeconds(20), "tasks", "ls", "-q").lines().map(String::strip).filter(s -> !s.isEmpty()).toList();
            for (String task : tasks) {
                try {
                    ctr(Duration.ofSeconds(20), "tasks", "kill", "-a", "-s", "SIGKILL", task);
                } catch (IOException e) {
                    // already stopped
                }
            }
            for (String task : tasks) {
                try {
                    ctr(Duration.ofSeconds(20), "tasks", "delete", "-f", task);
                } catch (IOException e) {
                    // gone
                }
            }
            for (String c : ctr(Duration.ofSeconds(20), "containers", "ls", "-q").lines().map(String::strip).filter(s -> !s.isEmpty()).toList()) {
                try {
                    ctr(Duration.ofSeconds(20), "containers", "delete", c);
                } catch (IOException e) {
                    // the CRI may hold it: containerd's state goes with the directory
                }
            }
        } catch (IOException e) {
            // containerd does not answer: the kills below still clean up
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
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
