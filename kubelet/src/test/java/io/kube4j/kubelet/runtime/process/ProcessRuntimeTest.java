package io.kube4j.kubelet.runtime.process;

import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.LogOptions;
import io.kube4j.kubelet.runtime.Mount;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.ByteArrayOutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

class ProcessRuntimeTest {
    @TempDir
    Path root;
    private ProcessRuntime runtime;
    private final PodRef pod = new PodRef("uid-1", "default", "web");

    @AfterEach
    void killAll() {
        if (runtime != null) {
            runtime.close();
        }
    }

    private Sandbox sandbox() {
        runtime = new ProcessRuntime(root, "127.0.0.1");
        String id = runtime.runPodSandbox(new SandboxConfig(pod, 0, "web"));
        return runtime.listPodSandboxes("uid-1").stream().filter(s -> s.id().equals(id)).findFirst().orElseThrow();
    }

    private ContainerConfig config(String script) {
        return new ContainerConfig(pod, "app", 0, "ignored:1", List.of("sh", "-c"), List.of(script), null,
                Map.of("GREETING", "hi"), List.of(), null, null);
    }

    private String logs(String id) throws Exception {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        runtime.logs(id, LogOptions.ALL, out);
        return out.toString(StandardCharsets.UTF_8);
    }

    @Test
    void volumesAreLinkedAtTheirMountPathInsideThePodDirectoryAndEmptyDirsAreShared() throws Exception {
        Path config = Files.createDirectories(root.resolve("volume-src"));
        Files.writeString(config.resolve("greeting"), "from a volume");
        Sandbox s = sandbox();
        List<Mount> mounts = List.of(new Mount("config", "/etc/config", true, config.toString()),
                new Mount("scratch", "/tmp/scratch", false, null));
        ContainerConfig writer = new ContainerConfig(pod, "writer", 0, "ignored:1", List.of("sh", "-c"),
                List.of("cat etc/config/greeting; echo; cat $HOME/etc/config/greeting; echo; echo shared > tmp/scratch/note"), null,
                Map.of(), mounts, null, null);
        String id = runtime.createContainer(s, writer);
        runtime.startContainer(id);
        await().until(() -> runtime.containerStatus(id).exited());

        assertThat(runtime.containerStatus(id).exitCode()).isZero();
        // once through the working directory, once through $HOME
        await().untilAsserted(() -> assertThat(logs(id)).containsSubsequence("from a volume\n", "from a volume\n"));
        Path podDir = root.resolve("uid-1");
        assertThat(Files.readSymbolicLink(podDir.resolve("etc/config"))).isEqualTo(config);
        assertThat(podDir.resolve("volumes/kubernetes.io~empty-dir/scratch/note")).hasContent("shared");
    }

    @Test
    void usageCountsTheCpuAndResidentMemoryOfTheWholeProcessTree() throws Exception {
        Sandbox s = sandbox();
        // a busy child of the shell: its CPU must be counted although pid 1 of the container only waits
        String id = runtime.createContainer(s, config("sh -c 'while :; do :; done' & wait"));
        runtime.startContainer(id);
        await().until(() -> runtime.containerStatus(id).running());

        io.kube4j.kubelet.runtime.ContainerUsage first = runtime.containerUsage(id);
        assertThat(first.workingSetBytes()).isPositive();
        // pid 1 only waits: the CPU time that piles up is the spinning child's (however busy the machine is)
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
                assertThat(runtime.containerUsage(id).usageCoreNanoSeconds() - first.usageCoreNanoSeconds()).isGreaterThan(200_000_000L));
        runtime.stopContainer(id, Duration.ofSeconds(1));
        await().until(() -> runtime.containerStatus(id).exited());
        assertThat(runtime.containerUsage(id)).isNull();
    }

    @Test
    void containerRunsItsCommandWithItsEnvAndLogsItsOutput() throws Exception {
        Sandbox s = sandbox();
        assertThat(s.ip()).isEqualTo("127.0.0.1");
        String id = runtime.createContainer(s, config("echo $GREETING; echo oops >&2; exit 3"));
        runtime.startContainer(id);

        await().until(() -> runtime.containerStatus(id).exited());

        ContainerInfo info = runtime.containerStatus(id);
        assertThat(info.exitCode()).isEqualTo(3);
        assertThat(info.pod()).isEqualTo(pod);
        assertThat(info.startedAt()).isNotNull();
        await().untilAsserted(() -> assertThat(logs(id)).contains("hi\n").contains("oops\n"));
    }

    @Test
    void stopSignalsTheWholeProcessTree() throws Exception {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, config("echo started; sleep 300; echo never"));
        runtime.startContainer(id);
        await().untilAsserted(() -> assertThat(logs(id)).contains("started"));
        assertThat(runtime.containerStatus(id).running()).isTrue();

        runtime.stopContainer(id, Duration.ofSeconds(5));

        ContainerInfo info = runtime.containerStatus(id);
        assertThat(info.exited()).isTrue();
        assertThat(info.exitCode()).isEqualTo(143);
        assertThat(ProcessHandle.allProcesses().filter(p -> p.info().commandLine().orElse("").contains("sleep 300"))).isEmpty();
    }

    @Test
    void execRunsInTheContainersEnvironment() {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, config("sleep 30"));
        runtime.startContainer(id);

        assertThat(runtime.exec(id, List.of("sh", "-c", "test \"$GREETING\" = hi"), Duration.ofSeconds(5)).exitCode()).isZero();
        assertThat(runtime.exec(id, List.of("sh", "-c", "exit 4"), Duration.ofSeconds(5)).exitCode()).isEqualTo(4);
        assertThat(runtime.exec(id, List.of("sleep", "10"), Duration.ofMillis(200)).exitCode()).isNotZero();
    }

    @Test
    void commandThatCannotRunExitsWith127() {
        Sandbox s = sandbox();
        ContainerConfig c = new ContainerConfig(pod, "app", 0, "x", List.of("/no/such/binary"), List.of(), null, Map.of(), List.of(), null, null);
        String id = runtime.createContainer(s, c);

        assertThatThrownBy(() -> runtime.startContainer(id)).isInstanceOf(ContainerRuntimeException.class);

        assertThat(runtime.containerStatus(id).exited()).isTrue();
        assertThat(runtime.containerStatus(id).exitCode()).isEqualTo(127);
    }

    @Test
    void containerWithoutCommandIsRefusedBecauseImagesAreIgnored() {
        Sandbox s = sandbox();
        ContainerConfig c = new ContainerConfig(pod, "app", 0, "nginx", List.of(), List.of(), null, Map.of(), List.of(), null, null);
        assertThatThrownBy(() -> runtime.createContainer(s, c)).hasMessageContaining("needs a command");
    }

    @Test
    void removingTheSandboxDeletesThePodDirectory() {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, config("sleep 30"));
        runtime.startContainer(id);
        runtime.removeContainer(id);
        runtime.stopPodSandbox(s.id());
        runtime.removePodSandbox(s.id());

        assertThat(runtime.listContainers()).isEmpty();
        assertThat(runtime.listPodSandboxes()).isEmpty();
        assertThat(root.resolve("uid-1")).doesNotExist();
    }

    private ContainerConfig interactive(String script, boolean stdin, boolean stdinOnce, boolean tty) {
        return new ContainerConfig(pod, "app", 0, "ignored:1", List.of("sh", "-c"), List.of(script), null, Map.of(), List.of(),
                null, null, ContainerConfig.Kind.CONTAINER, stdin, stdinOnce, tty);
    }

    @Test
    void aContainerWithoutStdinReadsEndOfFileAtOnce() throws Exception {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, interactive("cat; echo cat-done", false, false, false));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.containerStatus(id).exited());
        await().untilAsserted(() -> assertThat(logs(id)).contains("cat-done\n"));
    }

    @Test
    void withStdinOnceTheEndOfTheFirstAttachedStdinClosesTheContainersStdin() throws Exception {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, interactive("while read line; do echo got $line; done; echo stdin-closed", true, true, false));
        runtime.startContainer(id);
        // an attach without stdin leaves the container's stdin open
        var watcher = runtime.attach(id, false, false);
        watcher.close();
        Thread.sleep(300);
        assertThat(runtime.containerStatus(id).state()).isEqualTo(ContainerInfo.State.RUNNING);

        var attached = runtime.attach(id, true, false);
        attached.stdin().write("one\n".getBytes(StandardCharsets.UTF_8));
        attached.stdin().flush();
        attached.stdin().close();
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.containerStatus(id).exited());
        assertThat(runtime.containerStatus(id).exitCode()).isZero();
        await().untilAsserted(() -> assertThat(logs(id)).contains("got one\n").contains("stdin-closed\n"));
        attached.close();
    }

    @Test
    void withStdinButNotStdinOnceTheContainersStdinOutlivesAnAttach() throws Exception {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, interactive("while read line; do echo got $line; done", true, false, false));
        runtime.startContainer(id);
        var first = runtime.attach(id, true, false);
        first.stdin().write("one\n".getBytes(StandardCharsets.UTF_8));
        first.stdin().close();
        first.close();
        var second = runtime.attach(id, true, false);
        second.stdin().write("two\n".getBytes(StandardCharsets.UTF_8));
        await().untilAsserted(() -> assertThat(logs(id)).contains("got one").contains("got two"));
        assertThat(runtime.containerStatus(id).state()).isEqualTo(ContainerInfo.State.RUNNING);
        second.close();
    }

    @Test
    void aTtyContainerRunsOnATerminal() throws Exception {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, interactive("tty; exit 4", true, true, true));
        runtime.startContainer(id);
        await().atMost(Duration.ofSeconds(10)).until(() -> runtime.containerStatus(id).exited());
        assertThat(runtime.containerStatus(id).exitCode()).isEqualTo(4);
        await().untilAsserted(() -> assertThat(logs(id)).startsWith("/dev/pts/"));
    }

    @Test
    void anExitIsSeenWhileTheCommonPoolIsBusy() throws Exception {
        // a blocking task on every worker of the common pool (one on a two-core machine) must not hold up exits
        java.util.concurrent.CountDownLatch release = new java.util.concurrent.CountDownLatch(1);
        int workers = java.util.concurrent.ForkJoinPool.getCommonPoolParallelism();
        List<java.util.concurrent.ForkJoinTask<?>> blockers = new java.util.ArrayList<>();
        for (int i = 0; i < workers; i++) {
            blockers.add(java.util.concurrent.ForkJoinPool.commonPool().submit(() -> {
                try {
                    release.await();
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                }
            }));
        }
        try {
            Sandbox s = sandbox();
            String id = runtime.createContainer(s, config("exit 0"));
            runtime.startContainer(id);
            await().atMost(Duration.ofSeconds(5)).until(() -> runtime.containerStatus(id).exited());
        } finally {
            release.countDown();
        }
    }

    @Test
    void anAttachBeforeTheFirstOutputSeesItAndEndsWithTheContainer() throws Exception {
        Sandbox s = sandbox();
        String id = runtime.createContainer(s, interactive("sleep 1; echo late-output; exit 3", true, true, false));
        runtime.startContainer(id);
        var attached = runtime.attach(id, true, false);
        String seen = new String(attached.stdout().readAllBytes(), StandardCharsets.UTF_8);
        assertThat(seen).isEqualTo("late-output\n");
        assertThat(attached.waitFor()).isEqualTo(3);
        attached.close();
    }
}
