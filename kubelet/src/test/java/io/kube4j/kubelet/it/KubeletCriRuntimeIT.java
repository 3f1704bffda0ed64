package io.kube4j.kubelet.it;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.client.ApiClient;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.kubelet.runtime.cri.FixtureRuntimes;
import io.kube4j.testing.ContainerdFixture;
import io.kube4j.kubelet.runtime.cri.CriRuntime;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubelet with {@code kube4j.kubelet.runtime=cri} against the test's own containerd ({@link ContainerdFixture}),
 * a real apiserver and etcd: pods get CNI pod IPs, container IDs {@code containerd://...}, exec probes run through
 * ExecSync, logs are read from the CRI log files through the apiserver's log subresource, and exits and restarts are
 * seen by the relist, and kubectl exec streams through containerd's streaming server (reached over the fixture's veth,
 * {@link ContainerdFixture#streamAddress}). The pod IPs live in containerd's own network namespace, out of the
 * kubelet's reach here, so only exec probes are used.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class KubeletCriRuntimeIT {
    private static final String NODE = "it-cri-" + UUID.randomUUID().toString().substring(0, 8);
    private static ContainerdFixture containerd;
    private static CriRuntime cri;
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;

    @BeforeAll
    static void start() throws Exception {
        containerd = ContainerdFixture.start();
        cri = FixtureRuntimes.on(containerd, NODE);
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        startKubelet();
    }

    private static void startKubelet() {
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=cri",
                "--kube4j.kubelet.cri.endpoint=unix://" + containerd.socket,
                "--kube4j.kubelet.sandbox-image=" + ContainerdFixture.SANDBOX_IMAGE,
                "--kube4j.kubelet.root-dir=" + containerd.dir.resolve("kubelet"),
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.sync-period=500ms");
    }

    @AfterAll
    static void stop() {
        try {
            if (kubelet != null) {
                kubelet.close();
            }
            if (cri != null) {
                cri.close();
            }
        } finally {
            try {
                if (containerd != null) {
                    containerd.close();
                }
            } finally {
                if (apiserver != null) {
                    apiserver.close();
                }
                if (etcd != null) {
                    etcd.stop();
                }
            }
        }
    }

    private static Pod pod(String name, String script) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.terminationGracePeriodSeconds = 1L;
        Container c = new Container();
        c.name = "app";
        c.image = ContainerdFixture.BUSYBOX;
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", script));
        p.spec.containers.add(c);
        return p;
    }

    private static Probe execProbe(String... command) {
        Probe probe = new Probe();
        probe.exec = new Probe.ExecAction();
        probe.exec.command.addAll(List.of(command));
        probe.periodSeconds = 1;
        probe.failureThreshold = 1;
        return probe;
    }

    private static Pod get(String name) {
        return api.get(Pod.class, "default", name);
    }

    @Test
    @Order(1)
    void aPodRunsWithACniPodIpAnExecReadinessProbeAndItsLog() {
        Pod web = pod("web", "echo serving; touch /tmp/ready; exec sleep 3600");
        web.spec.containers.get(0).readinessProbe = execProbe("cat", "/tmp/ready");
        api.create(web);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod p = get("web");
            assertThat(p.status.phase).isEqualTo("Running");
            assertThat(p.status.condition("Ready").status).isEqualTo("True");
            assertThat(p.status.podIP).startsWith(containerd.subnetPrefix);
            assertThat(p.status.containerStatuses.get(0).containerID).startsWith("containerd://");
        });
        assertThat(api.getText("/api/v1/namespaces/default/pods/web/log")).isEqualTo("serving\n");
        String uid = get("web").metadata.uid;
        assertThat(cri.listPodSandboxes(uid)).hasSize(1);
        assertThat(cri.listContainers(uid)).hasSize(1);
    }

    @Test
    @Order(2)
    void aRestartedKubeletAdoptsTheRunningSandboxAndContainer() {
        String uid = get("web").metadata.uid;
        List<String> before = cri.listContainers(uid).stream().map(c -> c.id()).toList();
        String sandbox = cri.listPodSandboxes(uid).getFirst().id();

        kubelet.close();
        startKubelet();
        // let the new kubelet relist and sync the pod a few times
        await().pollDelay(Duration.ofSeconds(4)).atMost(Duration.ofSeconds(10)).until(() -> true);

        assertThat(cri.listContainers(uid).stream().map(c -> c.id()).toList()).isEqualTo(before);
        assertThat(cri.listPodSandboxes(uid)).extracting(s -> s.id()).containsExactly(sandbox);
        ContainerStatus s = get("web").status.containerStatuses.get(0);
        assertThat(s.restartCount).isZero();
        assertThat(s.state.running).isNotNull();
    }

    @Test
    @Order(3)
    void deletingThePodRemovesItsSandboxAndContainers() {
        String uid = get("web").metadata.uid;
        api.delete(Pod.class, "default", "web");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "web").isEmpty());
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            assertThat(cri.listContainers(uid)).isEmpty();
            assertThat(cri.listPodSandboxes(uid)).isEmpty();
        });
    }

    @Test
    @Order(4)
    void aFailingExecLivenessProbeRestartsTheContainer() {
        Pod sick = pod("sick", "touch /tmp/alive; sleep 3; rm /tmp/alive; exec sleep 3600");
        sick.spec.containers.get(0).livenessProbe = execProbe("cat", "/tmp/alive");
        api.create(sick);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("sick").status.containerStatuses.get(0);
            assertThat(s.restartCount).isGreaterThanOrEqualTo(1);
            // sh as PID 1 ignores SIGTERM: SIGKILL after the 1 s grace period
            assertThat(s.lastState.terminated.exitCode).isEqualTo(137);
        });
        api.delete(Pod.class, "default", "sick");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "sick").isEmpty());
    }

    @Test
    @Order(5)
    void aContainerExitingWith3FailsAPodThatNeverRestarts() {
        Pod job = pod("job", "echo bye; exit 3");
        job.spec.restartPolicy = "Never";
        api.create(job);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            Pod p = get("job");
            assertThat(p.status.phase).isEqualTo("Failed");
            ContainerStatus.Terminated t = p.status.containerStatuses.get(0).state.terminated;
            assertThat(t.exitCode).isEqualTo(3);
            assertThat(t.reason).isEqualTo("Error");
        });
        assertThat(api.getText("/api/v1/namespaces/default/pods/job/log")).isEqualTo("bye\n");
        api.delete(Pod.class, "default", "job");
        await().atMost(Duration.ofSeconds(60)).until(() -> api.find(Pod.class, "default", "job").isEmpty());
    }

    /**
     * The real kubectl 1.32 ({@code $KUBECTL}, default /usr/bin/kubectl) execs through the apiserver into the kubelet,
     * whose exec handler streams through the CRI's Exec URL on containerd's streaming server: piped stdin reaches the
     * command and its end too (cat ends), stdout and stderr stay apart and the exit code comes back.
     */
    @Test
    @Order(6)
    void kubectlExecWithStdinRunsThroughTheCriStreamingServer() throws Exception {
        Path kubectl = Path.of(System.getenv().getOrDefault("KUBECTL", "/usr/bin/kubectl"));
        assertThat(Files.isExecutable(kubectl)).as("kubectl 1.32 at " + kubectl + " (or $KUBECTL)").isTrue();
        api.create(pod("shell", "exec sleep 3600"));
        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> assertThat(get("shell").status.phase).isEqualTo("Running"));

        Path home = Files.createTempDirectory(containerd.dir, "kubectl-home");
        List<String> cmd = new ArrayList<>(List.of(kubectl.toString(), "--server", apiserver.url(), "--cache-dir", home.resolve("cache").toString(),
                "-n", "default", "exec", "-i", "shell", "--", "sh", "-c", "cat | wc -l; echo err >&2; exit 3"));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().put("HOME", home.toString());
        pb.environment().remove("KUBECONFIG");
        Process p = pb.start();
        CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()), Thread::startVirtualThread);
        CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()), Thread::startVirtualThread);
        try (var in = p.getOutputStream()) {
            in.write("line one\nline two\n".repeat(2000).getBytes(StandardCharsets.UTF_8));
        }
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("kubectl exec did not finish in 60 s: " + out.join() + "\n--- stderr\n" + err.join());
        }
        assertThat(p.exitValue()).as(err.join()).isEqualTo(3);
        assertThat(out.join().strip()).isEqualTo("4000");
        assertThat(err.join()).contains("err\n").contains("command terminated with exit code 3");
        api.delete(Pod.class, "default", "shell");
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (java.io.IOException e) {
            return "";
        }
    }
}
