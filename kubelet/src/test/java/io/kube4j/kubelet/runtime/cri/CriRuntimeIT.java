package io.kube4j.kubelet.runtime.cri;

import io.kube4j.testing.ContainerdFixture;
import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerUsage;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.LinuxContainerSecurity;
import io.kube4j.kubelet.runtime.LogOptions;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.kubelet.runtime.StreamingProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.ByteArrayOutputStream;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * {@link CriRuntime} against a real containerd 1.6 (Debian's, with runc and the CNI bridge plugin) started by the
 * test in a network namespace of its own ({@link ContainerdFixture}): sandboxes get pod IPs from the fixture's CNI
 * subnet, containers run busybox, logs land in the CRI log files. Needs root (as CI runs), Docker for the images.
 */
class CriRuntimeIT {
    private static ContainerdFixture containerd;
    private static CriRuntime runtime;

    @BeforeAll
    static void start() throws Exception {
        containerd = ContainerdFixture.start();
        runtime = FixtureRuntimes.on(containerd, "node-a");
    }

    @AfterAll
    static void stop() {
        if (runtime != null) {
            runtime.close();
        }
        if (containerd != null) {
            containerd.close();
        }
    }

    private static PodRef pod(String name) {
        return new PodRef(UUID.randomUUID().toString(), "default", name);
    }

    private static String logs(String containerId) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        runtime.logs(containerId, LogOptions.ALL, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void aPodSandboxWithARunningContainerExecLogsStopAndRemove() throws Exception {
        assertThat(runtime.version().name()).isEqualTo("containerd");
        assertThat(runtime.imagePresent(ContainerdFixture.BUSYBOX)).isTrue();
        assertThat(runtime.imagePresent("local/not-there:1")).isFalse();
        assertThat(runtime.imageUser(ContainerdFixture.BUSYBOX)).isEqualTo("");

        PodRef pod = pod("web");
        String sandboxId = runtime.runPodSandbox(new SandboxConfig(pod, 0, "web"));
        List<Sandbox> sandboxes = runtime.listPodSandboxes(pod.uid());
        assertThat(sandboxes).hasSize(1);
        Sandbox sandbox = sandboxes.getFirst();
        assertThat(sandbox.id()).isEqualTo(sandboxId);
        assertThat(sandbox.ready()).isTrue();
        assertThat(sandbox.pod()).isEqualTo(pod);
        assertThat(sandbox.ip()).as("pod IP from the CNI subnet %s", containerd.subnet).startsWith(containerd.subnetPrefix);
        // another node sharing the runtime sees none of it
        try (CriRuntime other = FixtureRuntimes.on(containerd, "node-b")) {
            assertThat(other.listPodSandboxes()).isEmpty();
        }

        ContainerConfig config = new ContainerConfig(pod, "app", 0, ContainerdFixture.BUSYBOX,
                List.of("sh", "-c"), List.of("echo hello from cri; echo to stderr >&2; exec sleep 3600"), "/tmp",
                Map.of("GREETING", "bonjour"), List.of(new Mount("scratch", "/scratch", false, null)), 250L, 64L * 1024 * 1024);
        String id = runtime.createContainer(sandbox, config);
        assertThat(runtime.containerStatus(id).state()).isEqualTo(ContainerInfo.State.CREATED);
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> runtime.containerStatus(id).running());

        List<ContainerInfo> listed = runtime.listContainers(pod.uid());
        assertThat(listed).extracting(ContainerInfo::id).containsExactly(id);
        ContainerInfo info = listed.getFirst();
        assertThat(info.name()).isEqualTo("app");
        assertThat(info.attempt()).isZero();
        assertThat(info.pod()).isEqualTo(pod);
        assertThat(info.startedAt()).isNotNull();
        assertThat(info.finishedAt()).isNull();
        assertThat(runtime.listContainers()).extracting(ContainerInfo::id).contains(id);

        // exec: output (stdout, then stderr), exit code, env, working dir, the emptyDir shared with the node
        ExecResult r = runtime.exec(id, List.of("sh", "-c", "echo $GREETING; pwd; echo oops >&2; echo data > /scratch/f; exit 7"), Duration.ofSeconds(10));
        assertThat(r.exitCode()).isEqualTo(7);
        assertThat(r.output()).isEqualTo("bonjour\n/tmp\noops\n");
        Path scratch = containerd.dir.resolve("pods").resolve(pod.uid()).resolve("volumes").resolve("kubernetes.io~empty-dir").resolve("scratch");
        assertThat(Files.readString(scratch.resolve("f"))).isEqualTo("data\n");
        assertThat(runtime.exec(id, List.of("true"), Duration.ofSeconds(10)).exitCode()).isZero();
        ExecResult slow = runtime.exec(id, List.of("sleep", "30"), Duration.ofSeconds(1));
        assertThat(slow.exitCode()).isEqualTo(-1);
        assertThat(slow.output()).isEqualTo("command \"sleep 30\" timed out");

        // the limits reached the container's cgroup (v1 or v2)
        String limit = runtime.exec(id, List.of("sh", "-c", "cat /sys/fs/cgroup/memory/memory.limit_in_bytes 2>/dev/null || cat /sys/fs/cgroup/memory.max"),
                Duration.ofSeconds(10)).output().strip();
        assertThat(limit).isEqualTo(Long.toString(64L * 1024 * 1024));

        // logs: the CRI format in <log-root>/<ns>_<name>_<uid>/<container>/<attempt>.log, read back without metadata
        Path logFile = runtime.logPath(id);
        assertThat(logFile).isEqualTo(containerd.dir.resolve("logs").resolve("default_web_" + pod.uid()).resolve("app").resolve("0.log"));
        await().atMost(Duration.ofSeconds(10)).until(() -> logs(id).contains("to stderr"));
        assertThat(logs(id)).contains("hello from cri\n").contains("to stderr\n");
        assertThat(Files.readAllLines(logFile)).anySatisfy(l -> assertThat(l).matches("\\S+Z stdout F hello from cri"))
                .anySatisfy(l -> assertThat(l).matches("\\S+Z stderr F to stderr"));

        ContainerUsage usage = runtime.containerUsage(id);
        assertThat(usage).isNotNull();
        assertThat(usage.usageCoreNanoSeconds()).isPositive();
        assertThat(usage.workingSetBytes()).isPositive();

        // stop: sh as PID 1 ignores SIGTERM, so the grace period ends in SIGKILL (137)
        runtime.stopContainer(id, Duration.ofSeconds(1));
        ContainerInfo stopped = runtime.containerStatus(id);
        assertThat(stopped.state()).isEqualTo(ContainerInfo.State.EXITED);
        assertThat(stopped.exitCode()).isEqualTo(137);
        assertThat(stopped.finishedAt()).isNotNull();
        runtime.stopContainer(id, Duration.ofSeconds(1));

        runtime.removeContainer(id);
        assertThat(runtime.containerStatus(id)).isNull();
        assertThat(runtime.listContainers(pod.uid())).isEmpty();
        assertThat(logFile).doesNotExist();
        runtime.removeContainer(id);

        runtime.stopPodSandbox(sandboxId);
        assertThat(runtime.listPodSandboxes(pod.uid())).singleElement().satisfies(s -> {
            assertThat(s.ready()).isFalse();
            assertThat(s.ip()).isNull();
        });
        runtime.removePodSandbox(sandboxId);
        assertThat(runtime.listPodSandboxes(pod.uid())).isEmpty();
        assertThat(scratch).doesNotExist();
        runtime.stopPodSandbox(sandboxId);
        runtime.removePodSandbox(sandboxId);
    }

    @Test
    void aContainerExitingWithCode3ReportsExited3() throws Exception {
        PodRef pod = pod("job");
        String sandboxId = runtime.runPodSandbox(new SandboxConfig(pod, 0, "job"));
        Sandbox sandbox = runtime.listPodSandboxes(pod.uid()).getFirst();
        String id = runtime.createContainer(sandbox, new ContainerConfig(pod, "task", 1, ContainerdFixture.BUSYBOX,
                List.of(), List.of("sh", "-c", "echo bye; exit 3"), null, Map.of(), List.of(), null, null));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> runtime.containerStatus(id).exited());
        ContainerInfo info = runtime.containerStatus(id);
        assertThat(info.exitCode()).isEqualTo(3);
        assertThat(info.attempt()).isEqualTo(1);
        assertThat(info.reason()).isNull();
        assertThat(info.startedAt()).isNotNull();
        // as containerd reports them: for a process that exits at once its exit time can precede the start time
        // containerd records after the task started (seen: 0.3 ms before), so only their presence is asserted
        assertThat(info.finishedAt()).isNotNull();
        assertThat(logs(id)).isEqualTo("bye\n");
        runtime.removeContainer(id);
        runtime.stopPodSandbox(sandboxId);
        runtime.removePodSandbox(sandboxId);
    }

    /**
     * containerd refuses a privileged container unless CreateContainer's sandbox config is privileged ("no privileged
     * container allowed in sandbox"); containerd 1.6 checks the config sent with CreateContainer, which CriRuntime marks
     * privileged for a privileged container (the sandbox's own flag, from the kubelet's HasPrivilegedContainer, is
     * checked by CriRuntimeTest: this test passes with it false too).
     */
    @Test
    void aPrivilegedContainerRunsInAPrivilegedSandbox() throws Exception {
        PodRef pod = pod("priv");
        String sandboxId = runtime.runPodSandbox(new SandboxConfig(pod, 0, "priv", true));
        Sandbox sandbox = runtime.listPodSandboxes(pod.uid()).getFirst();
        LinuxContainerSecurity privileged = new LinuxContainerSecurity(null, null, null, List.of(), List.of(), List.of(),
                true, false, false, LinuxContainerSecurity.SECCOMP_UNCONFINED);
        String id = runtime.createContainer(sandbox, new ContainerConfig(pod, "admin", 0, ContainerdFixture.BUSYBOX,
                List.of("sleep", "3600"), List.of(), null, Map.of(), List.of(), null, null).withSecurity(privileged));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> runtime.containerStatus(id).running());
        // all capabilities: CAP_SYS_ADMIN (bit 21) among them
        String capEff = runtime.exec(id, List.of("grep", "CapEff", "/proc/self/status"), Duration.ofSeconds(10)).output();
        long caps = Long.parseUnsignedLong(capEff.replace("CapEff:", "").strip(), 16);
        assertThat(caps & (1L << 21)).isNotZero();
        runtime.removeContainer(id);
        runtime.stopPodSandbox(sandboxId);
        runtime.removePodSandbox(sandboxId);
    }

    /**
     * Kubernetes' UpdatePodCIDR reaches containerd as UpdateRuntimeConfig with network_config.pod_cidr, which containerd
     * accepts (with no conf_template, as here, it has nothing to render); a containerd that is gone makes it fail with the
     * CRI's error, for the kubelet to try again.
     */
    @Test
    void updateRuntimeConfigWithThePodCidrIsAccepted() {
        runtime.updatePodCidr("10.244.3.0/24");
        try (CriRuntime unreachable = new CriRuntime("unix://" + containerd.dir.resolve("no-such.sock"), "node-x", ContainerdFixture.SANDBOX_IMAGE,
                containerd.dir.resolve("x-logs"), containerd.dir.resolve("x-pods"), null)) {
            org.assertj.core.api.Assertions.assertThatThrownBy(() -> unreachable.updatePodCidr("10.244.3.0/24"))
                    .isInstanceOf(io.kube4j.kubelet.runtime.ContainerRuntimeException.class).hasMessageContaining("failed to update pod CIDR");
        }
    }

    // ---- streaming exec and attach: the CRI's Exec/Attach URL on containerd's streaming server, spoken over SPDY ----

    /** Runs {@code read} on a virtual thread and waits at most 20 s for it, so a stream that never ends fails the test. */
    private static <T> T within20s(java.util.concurrent.Callable<T> read) throws Exception {
        java.util.concurrent.FutureTask<T> task = new java.util.concurrent.FutureTask<>(read);
        Thread.ofVirtual().start(task);
        try {
            return task.get(20, TimeUnit.SECONDS);
        } finally {
            // a read still blocked is interrupted (not waited for, as an executor's close would)
            task.cancel(true);
        }
    }

    private static String readAll(InputStream in) throws Exception {
        return within20s(() -> new String(in.readAllBytes(), StandardCharsets.UTF_8));
    }

    /** Reads until {@code expected} has been seen (or the stream ended), returning what was read. */
    private static String readUntil(InputStream in, String expected) throws Exception {
        return within20s(() -> {
            StringBuilder sb = new StringBuilder();
            int b;
            while (!sb.toString().contains(expected) && (b = in.read()) >= 0) {
                sb.append((char) b);
            }
            return sb.toString();
        });
    }

    private static String runningSleeper(PodRef pod) {
        runtime.runPodSandbox(new SandboxConfig(pod, 0, pod.name()));
        Sandbox sandbox = runtime.listPodSandboxes(pod.uid()).getFirst();
        String id = runtime.createContainer(sandbox, new ContainerConfig(pod, "app", 0, ContainerdFixture.BUSYBOX,
                List.of("sleep", "3600"), List.of(), null, Map.of(), List.of(), null, null));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(20)).until(() -> runtime.containerStatus(id).running());
        return id;
    }

    private static void removePod(PodRef pod) {
        for (ContainerInfo c : runtime.listContainers(pod.uid())) {
            runtime.stopContainer(c.id(), Duration.ofSeconds(1));
            runtime.removeContainer(c.id());
        }
        for (Sandbox s : runtime.listPodSandboxes(pod.uid())) {
            runtime.stopPodSandbox(s.id());
            runtime.removePodSandbox(s.id());
        }
    }

    @Test
    void streamingExecSeparatesStdoutAndStderrAndReportsTheExitCode() throws Exception {
        PodRef pod = pod("exec-streams");
        try {
            String id = runningSleeper(pod);
            try (StreamingProcess p = runtime.execStreaming(id, List.of("sh", "-c", "echo out; echo err >&2; exit 3"), false)) {
                assertThat(p.stderr()).isNotNull();
                CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> {
                    try {
                        return readAll(p.stderr());
                    } catch (Exception e) {
                        throw new IllegalStateException(e);
                    }
                }, r -> Thread.ofVirtual().start(r));
                assertThat(readAll(p.stdout())).isEqualTo("out\n");
                assertThat(err.get(20, TimeUnit.SECONDS)).isEqualTo("err\n");
                assertThat(within20s(p::waitFor)).isEqualTo(3);
            }
            try (StreamingProcess p = runtime.execStreaming(id, List.of("true"), false)) {
                assertThat(readAll(p.stdout())).isEmpty();
                assertThat(within20s(p::waitFor)).isZero();
            }
            // a second code, so the 3 above is not a constant
            try (StreamingProcess p = runtime.execStreaming(id, List.of("sh", "-c", "exit 42"), false)) {
                readAll(p.stdout());
                assertThat(within20s(p::waitFor)).isEqualTo(42);
            }
        } finally {
            removePod(pod);
        }
    }

    /**
     * stdin reaches the process as written, and closing it (a FIN on the SPDY stdin stream, which WebSocket's
     * v4.channel.k8s.io could not express) ends {@code cat}, whose last output and exit status still arrive.
     */
    @Test
    void streamingExecWithStdinEchoesAndEndsWhenStdinCloses() throws Exception {
        PodRef pod = pod("exec-stdin");
        try {
            String id = runningSleeper(pod);
            try (StreamingProcess p = runtime.execStreaming(id, List.of("cat"), false)) {
                p.stdin().write("hello\n".getBytes(StandardCharsets.UTF_8));
                p.stdin().flush();
                assertThat(readUntil(p.stdout(), "hello\n")).isEqualTo("hello\n");
                p.stdin().write("bye\n".getBytes(StandardCharsets.UTF_8));
                p.stdin().close();
                assertThat(readAll(p.stdout())).isEqualTo("bye\n");
                assertThat(within20s(p::waitFor)).isZero();
            }
        } finally {
            removePod(pod);
        }
    }

    /** Under a TTY there is no stderr, and a resize reaches the terminal: the command waits until stty sees 45 rows, 123 columns. */
    @Test
    void streamingExecWithATtyIsResized() throws Exception {
        PodRef pod = pod("exec-tty");
        try {
            String id = runningSleeper(pod);
            try (StreamingProcess p = runtime.execStreaming(id, List.of("sh", "-c",
                    "i=0; while [ \"$(stty size 2>/dev/null)\" != '45 123' ] && [ $i -lt 100 ]; do sleep 0.1; i=$((i+1)); done; echo size $(stty size); exit 5"), true)) {
                assertThat(p.stderr()).isNull();
                p.resize(123, 45);
                String out = readAll(p.stdout());
                assertThat(out).isEqualTo("size 45 123\r\n");
                assertThat(within20s(p::waitFor)).isEqualTo(5);
            }
        } finally {
            removePod(pod);
        }
    }

    /**
     * Attach to a container whose process reads its stdin (the container created with stdin open): what is written
     * reaches it, its answers come back, and when it exits the session ends with Success.
     */
    @Test
    void attachWritesToTheContainersStdinAndReadsItsOutput() throws Exception {
        PodRef pod = pod("attach");
        try {
            runtime.runPodSandbox(new SandboxConfig(pod, 0, pod.name()));
            Sandbox sandbox = runtime.listPodSandboxes(pod.uid()).getFirst();
            String id = runtime.createContainer(sandbox, new ContainerConfig(pod, "reader", 0, ContainerdFixture.BUSYBOX,
                    List.of("sh", "-c", "while read l; do [ \"$l\" = quit ] && exit 0; echo got $l; done"), List.of(), null, Map.of(),
                    List.of(), null, null, ContainerConfig.Kind.CONTAINER, true, false, false));
            runtime.startContainer(id);
            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.containerStatus(id).running());
            try (StreamingProcess p = runtime.attach(id, true, false)) {
                p.stdin().write("ping\n".getBytes(StandardCharsets.UTF_8));
                p.stdin().flush();
                assertThat(readUntil(p.stdout(), "got ping\n")).isEqualTo("got ping\n");
                p.stdin().write("quit\n".getBytes(StandardCharsets.UTF_8));
                p.stdin().flush();
                assertThat(readAll(p.stdout())).isEmpty();
                assertThat(within20s(p::waitFor)).isZero();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> runtime.containerStatus(id).exited());
            assertThat(runtime.containerStatus(id).exitCode()).isZero();
        } finally {
            removePod(pod);
        }
    }

    @Test
    void streamingExecInAContainerThatDoesNotExistFailsWithTheRuntimesMessage() {
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> runtime.execStreaming("0".repeat(64), List.of("true"), false))
                .isInstanceOf(io.kube4j.kubelet.runtime.ContainerRuntimeException.class).hasMessageContaining("exec in " + "0".repeat(64));
    }
}
