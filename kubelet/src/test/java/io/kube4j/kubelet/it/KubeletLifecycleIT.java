package io.kube4j.kubelet.it;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.Event;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.kubelet.KubeletApplication;
import io.kube4j.kubelet.testing.GrpcHealthServer;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.net.ServerSocket;
import java.time.Duration;
import java.util.List;
import java.util.UUID;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The documentation's lifecycle examples on the process runtime, against a real apiserver and etcd:
 * a sidecar (init container with restartPolicy Always), init containers run to completion in order,
 * activeDeadlineSeconds, a gRPC liveness probe, and how fast a container's exit reaches the pod status.
 * Every command here is this test's own (the process runtime runs commands on the host).
 */
class KubeletLifecycleIT {
    private static final String NODE = "it-lifecycle-" + UUID.randomUUID().toString().substring(0, 8);
    private static EtcdContainer etcd;
    private static ApiServerProcess apiserver;
    private static ConfigurableApplicationContext kubelet;
    private static ApiClient api;

    @BeforeAll
    static void start() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        api = new ApiClient(apiserver.url());
        kubelet = new SpringApplicationBuilder(KubeletApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiserver.url(),
                "--kube4j.kubelet.node-name=" + NODE,
                "--kube4j.kubelet.runtime=process",
                "--kube4j.kubelet.address=127.0.0.1",
                "--kube4j.kubelet.root-dir=target/kubelet-lifecycle-it");
    }

    @AfterAll
    static void stop() {
        if (kubelet != null) {
            kubelet.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    private static Container container(String name, String script) {
        Container c = new Container();
        c.name = name;
        c.image = "local/busybox:latest";
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", script));
        return c;
    }

    private static Pod pod(String name, String restartPolicy, Container... containers) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.spec.nodeName = NODE;
        p.spec.restartPolicy = restartPolicy;
        p.spec.terminationGracePeriodSeconds = 5L;
        p.spec.containers.addAll(List.of(containers));
        return p;
    }

    private static Pod get(String name) {
        return api.get(Pod.class, "default", name);
    }

    private static ContainerStatus init(Pod p, String name) {
        return p.status.initContainerStatuses.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
    }

    private static void deleteAndWait(String name) {
        api.delete(Pod.class, "default", name);
        await().atMost(Duration.ofSeconds(30)).until(() -> api.find(Pod.class, "default", name).isEmpty());
    }

    /**
     * Kubernetes' status manager writes a deleted pod's terminal status before it deletes the pod with grace 0,
     * so a watcher sees the stopped containers (here exit 0 on SIGTERM: Completed, phase Succeeded) before DELETED.
     */
    @Test
    void aWatcherSeesTheDeletedPodsFinalStatusBeforeItsDeletedEvent() {
        api.create(pod("final", "Always", container("app", "trap 'exit 0' TERM; while true; do sleep 1; done")));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() ->
                assertThat(get("final").status.containerStatuses.get(0).state.running).isNotNull());
        String rv = get("final").metadata.resourceVersion;

        api.delete(Pod.class, "default", "final");
        List<io.kube4j.api.WatchEvent<Pod>> seen = new java.util.ArrayList<>();
        long until = System.nanoTime() + Duration.ofSeconds(30).toNanos();
        io.kube4j.client.ListOptions byName = new io.kube4j.client.ListOptions(null, "metadata.name=final", null, null, null);
        while (seen.stream().noneMatch(e -> e.type.equals("DELETED")) && System.nanoTime() < until) {
            io.kube4j.api.WatchEventList<Pod> batch = api.poll(Pod.class, "default", byName, rv, 5);
            seen.addAll(batch.items);
            if (!batch.items.isEmpty()) {
                rv = batch.items.getLast().object.metadata.resourceVersion;
            }
        }
        assertThat(seen).extracting(e -> e.type).endsWith("DELETED");
        Pod beforeDeleted = seen.get(seen.size() - 2).object;
        assertThat(seen.get(seen.size() - 2).type).isEqualTo("MODIFIED");
        assertThat(beforeDeleted.status.phase).isEqualTo("Succeeded");
        assertThat(beforeDeleted.status.containerStatuses.get(0).state.terminated.reason).isEqualTo("Completed");
        assertThat(beforeDeleted.status.containerStatuses.get(0).state.terminated.exitCode).isZero();
        assertThat(seen.getLast().object.status.phase).isEqualTo("Succeeded");
    }

    @Test
    void sidecarRunsBesideTheAppAndThePodIsRunningNotInitializing() {
        // the documentation's sidecar example, with a relative log file (the process runtime has no /opt of its own)
        Container shipper = container("logshipper", "tail -F logs.txt");
        shipper.restartPolicy = "Always";
        Pod p = pod("sidecar", "Always", container("myapp", "while true; do echo logging >> logs.txt; sleep 1; done"));
        p.spec.initContainers.add(shipper);
        api.create(p);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod s = get("sidecar");
            assertThat(s.status.phase).isEqualTo("Running");
            assertThat(s.status.condition("Initialized").status).isEqualTo("True");
            assertThat(s.status.condition("Ready").status).isEqualTo("True");
            assertThat(init(s, "logshipper").state.running).isNotNull();
            assertThat(init(s, "logshipper").started).isTrue();
            assertThat(s.status.containerStatuses.get(0).state.running).isNotNull();
        });
        await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
                assertThat(api.getText("/api/v1/namespaces/default/pods/sidecar/log?container=logshipper")).contains("logging"));
        deleteAndWait("sidecar");
    }

    @Test
    void sidecarOfAJobIsStoppedAfterTheJobAndThePodSucceeds() {
        Container shipper = container("logshipper", "tail -F logs.txt");
        shipper.restartPolicy = "Always";
        Pod p = pod("sidecar-job", "Never", container("myapp", "echo logging >> logs.txt; sleep 2"));
        p.spec.initContainers.add(shipper);
        api.create(p);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod s = get("sidecar-job");
            assertThat(s.status.phase).isEqualTo("Succeeded");
            assertThat(s.status.containerStatuses.get(0).state.terminated.reason).isEqualTo("Completed");
            assertThat(init(s, "logshipper").state.terminated).isNotNull();
            assertThat(s.status.condition("Ready").reason).isEqualTo("PodCompleted");
        });
        deleteAndWait("sidecar-job");
    }

    @Test
    void initContainersRunInOrderToCompletionBeforeTheApp() {
        Pod p = pod("init-demo", "Always", container("app", "echo app; sleep 3600"));
        p.spec.initContainers.add(container("init-one", "echo one; sleep 1"));
        p.spec.initContainers.add(container("init-two", "echo two; sleep 1"));
        api.create(p);

        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
            Pod s = get("init-demo");
            assertThat(s.status.phase).isEqualTo("Running");
            assertThat(s.status.condition("Initialized").status).isEqualTo("True");
            for (String name : List.of("init-one", "init-two")) {
                assertThat(init(s, name).state.terminated.reason).isEqualTo("Completed");
                assertThat(init(s, name).ready).isTrue();
            }
            // in order: the second one started after the first one finished
            assertThat(init(s, "init-two").state.terminated.startedAt).isGreaterThanOrEqualTo(init(s, "init-one").state.terminated.finishedAt);
        });
        deleteAndWait("init-demo");
    }

    @Test
    void podPastItsActiveDeadlineFailsWithDeadlineExceeded() {
        Pod p = pod("deadline", "Always", container("app", "sleep 120"));
        p.spec.activeDeadlineSeconds = 3L;
        api.create(p);

        await().atMost(Duration.ofSeconds(15)).ignoreExceptions().untilAsserted(() -> {
            Pod s = get("deadline");
            assertThat(s.status.phase).isEqualTo("Failed");
            assertThat(s.status.reason).isEqualTo("DeadlineExceeded");
            assertThat(s.status.message).isEqualTo("Pod was active on the node longer than the specified deadline");
            assertThat(s.status.containerStatuses.get(0).state.terminated).isNotNull();
        });
        List<Event> events = api.list(Event.class, "default", ListOptions.fields("involvedObject.name=deadline")).items;
        assertThat(events).extracting(e -> e.reason).contains("DeadlineExceeded");
        deleteAndWait("deadline");
    }

    @Test
    void grpcLivenessProbeRestartsAContainerWhoseHealthServiceStopsServing() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String java = ProcessHandle.current().info().command().orElse("java");
        Container c = new Container();
        c.name = "etcd";
        c.image = "local/etcd:3.4";
        c.imagePullPolicy = "IfNotPresent";
        // serves SERVING for 4 s, then NOT_SERVING: the liveness probe must restart it
        c.command.addAll(List.of(java, "-cp", System.getProperty("java.class.path"), GrpcHealthServer.class.getName(), String.valueOf(port), "4"));
        c.livenessProbe = new Probe();
        c.livenessProbe.grpc = new Probe.GRPCAction();
        c.livenessProbe.grpc.port = port;
        c.livenessProbe.periodSeconds = 1;
        c.livenessProbe.failureThreshold = 1;
        // a JVM takes a moment to listen: the startup probe holds the liveness probe back until it does
        c.startupProbe = new Probe();
        c.startupProbe.grpc = new Probe.GRPCAction();
        c.startupProbe.grpc.port = port;
        c.startupProbe.periodSeconds = 1;
        c.startupProbe.failureThreshold = 60;
        Pod p = pod("grpc-liveness", "Always", c);
        api.create(p);

        await().atMost(Duration.ofSeconds(60)).ignoreExceptions().untilAsserted(() -> {
            ContainerStatus s = get("grpc-liveness").status.containerStatuses.get(0);
            assertThat(s.restartCount).isGreaterThanOrEqualTo(1);
            assertThat(s.lastState.terminated).isNotNull();
        });
        List<Event> events = api.list(Event.class, "default", ListOptions.fields("involvedObject.name=grpc-liveness")).items;
        assertThat(events).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("Unhealthy");
            assertThat(e.message).isEqualTo("Liveness probe failed: service unhealthy (responded with \"NOT_SERVING\")");
        });
        assertThat(events).anySatisfy(e -> assertThat(e.message).isEqualTo("Container etcd failed liveness probe, will be restarted"));
        deleteAndWait("grpc-liveness");
    }

    @Test
    void aContainerExitReachesThePodStatusInTheApiserverWithinOneSecond() {
        String marker = "sleep " + (4000 + (int) (Math.random() * 900));
        api.create(pod("exit-latency", "Never", container("app", "exec " + marker)));
        await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() -> "Running".equals(get("exit-latency").status.phase));
        ProcessHandle process = ProcessHandle.allProcesses()
                .filter(h -> h.info().commandLine().orElse("").endsWith(marker.substring(marker.indexOf(' '))))
                .findFirst().orElseThrow();

        long start = System.nanoTime();
        process.destroy();
        await().atMost(Duration.ofSeconds(5)).pollInterval(Duration.ofMillis(10)).ignoreExceptions()
                .until(() -> get("exit-latency").status.containerStatuses.get(0).state.terminated != null);
        long millis = Duration.ofNanos(System.nanoTime() - start).toMillis();

        System.out.println("process runtime: container exit to pod status in the apiserver: " + millis + " ms");
        assertThat(millis).isLessThan(1000);
        Pod s = get("exit-latency");
        assertThat(s.status.phase).isEqualTo("Failed");
        assertThat(s.status.containerStatuses.get(0).state.terminated.exitCode).isEqualTo(143);
        deleteAndWait("exit-latency");
    }
}
