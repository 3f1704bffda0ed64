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

import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The kubelet with {@code kube4j.kubelet.runtime=cri} against the test's own containerd ({@link ContainerdFixture}),
 * a real apiserver and etcd: pods get CNI pod IPs, container IDs {@code containerd://...}, exec probes run through
 * ExecSync, logs are read from the CRI log files through the apiserver's log subresource, and exits and restarts are
 * seen by the relist. The pod IPs live in containerd's own network namespace, out of the kubelet's reach here, so only
 * exec probes are used.
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
}
