package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.events.EventRecorder;
import io.kube4j.json.Times;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.testing.MutableClock;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class PodWorkerTest {
    private static final String IMAGE = "local/busybox:latest";

    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final FakeRuntime runtime = new FakeRuntime(clock, Duration.ZERO, "127.0.0.1");
    private final RecordingApiClient api = new RecordingApiClient();
    private final AtomicReference<Pod> informer = new AtomicReference<>();
    private final KubeletContext ctx = new KubeletContext("node-1", "10.0.0.1", runtime, "fake", api,
            new EventRecorder(api, "kubelet", "node-1"), new ProbeRunner(runtime), new ContainerConfigFactory(EnvironmentProvider.NONE),
            Backoff.kubelet(), Backoff.kubelet(), clock, Duration.ofSeconds(1), new KubeletMetrics(new SimpleMeterRegistry()));
    private final List<PodWorker> workers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(PodWorker::stop);
    }

    // ---- fixtures -----------------------------------------------------------------------------

    private static Container container(String name) {
        Container c = new Container();
        c.name = name;
        c.image = IMAGE;
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", "sleep 3600"));
        return c;
    }

    private Pod pod(String restartPolicy, Container... containers) {
        runtime.addImage(IMAGE);
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = "uid-web";
        p.spec.nodeName = "node-1";
        p.spec.restartPolicy = restartPolicy;
        p.spec.containers.addAll(List.of(containers));
        return p;
    }

    private PodWorker worker(Pod p) {
        informer.set(api.put(p));
        PodWorker w = new PodWorker(p.metadata.uid, informer::get, ctx, () -> { });
        workers.add(w);
        return w;
    }

    /** One sync, then the informer catches up with what was written. */
    private void sync(PodWorker w) {
        w.sync();
        informer.set(api.stored(Pod.class, "default", "web"));
    }

    private Pod current() {
        return informer.get();
    }

    private ContainerStatus status(String name) {
        return current().status.containerStatuses.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
    }

    private long calls(String prefix) {
        return runtime.calls().stream().filter(c -> c.startsWith(prefix)).count();
    }

    // ---- starting -----------------------------------------------------------------------------

    @Test
    void startsSandboxAndContainerAndReportsRunningPod() {
        PodWorker w = worker(pod("Always", container("app")));

        sync(w);

        assertThat(runtime.calls()).containsExactly("runPodSandbox web#0", "create web/app#0", "start web/app#0");
        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(current().status.podIP).isEqualTo("127.0.0.1");
        assertThat(current().status.hostIP).isEqualTo("10.0.0.1");
        assertThat(current().status.startTime).isNotNull();
        assertThat(status("app").state.running).isNotNull();
        assertThat(status("app").ready).isTrue();
        assertThat(status("app").containerID).startsWith("fake://");
        assertThat(current().status.condition("Ready").status).isEqualTo("True");
        assertThat(current().status.condition("ContainersReady").status).isEqualTo("True");
        assertThat(current().status.condition("Initialized").status).isEqualTo("True");
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("Pulled", "Created", "Started"));
    }

    @Test
    void secondSyncChangesNothingAndWritesNoStatus() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w);
        List<String> callsBefore = runtime.calls();
        int writesBefore = api.actions("updateStatus", "Pod").size();

        sync(w);
        sync(w);

        assertThat(runtime.calls()).isEqualTo(callsBefore);
        assertThat(api.actions("updateStatus", "Pod")).hasSize(writesBefore);
    }

    @Test
    void newWorkerAdoptsRunningContainersInsteadOfCreatingThem() {
        Pod p = pod("Always", container("app"));
        sync(worker(p));
        long creates = calls("create");

        PodWorker restarted = new PodWorker(p.metadata.uid, informer::get, ctx, () -> { });
        workers.add(restarted);
        sync(restarted);

        assertThat(calls("create")).isEqualTo(creates);
        assertThat(calls("runPodSandbox")).isEqualTo(1);
        assertThat(status("app").restartCount).isZero();
        assertThat(status("app").state.running).isNotNull();
    }

    @Test
    void containerStartsAfterTheRuntimesStartDelay() {
        FakeRuntime slow = new FakeRuntime(clock, Duration.ofSeconds(5), "127.0.0.1");
        slow.addImage(IMAGE);
        KubeletContext slowCtx = new KubeletContext("node-1", "10.0.0.1", slow, "fake", api, ctx.events(), new ProbeRunner(slow),
                ctx.configFactory(), Backoff.kubelet(), Backoff.kubelet(), clock, Duration.ofSeconds(1), ctx.metrics());
        Pod p = pod("Always", container("app"));
        informer.set(api.put(p));
        PodWorker w = new PodWorker(p.metadata.uid, informer::get, slowCtx, () -> { });

        sync(w);
        assertThat(current().status.phase).isEqualTo("Pending");
        assertThat(status("app").state.waiting.reason).isEqualTo("ContainerCreating");

        clock.advance(Duration.ofSeconds(5));
        sync(w);
        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(slow.calls().stream().filter(c -> c.startsWith("start")).count()).isEqualTo(1);
    }

    // ---- restart policy -----------------------------------------------------------------------

    @Test
    void failedContainerWithRestartPolicyNeverFailsThePod() {
        PodWorker w = worker(pod("Never", container("app")));
        sync(w);

        runtime.exit("uid-web", "app", 1);
        sync(w);

        assertThat(current().status.phase).isEqualTo("Failed");
        assertThat(status("app").state.terminated.exitCode).isEqualTo(1);
        assertThat(status("app").state.terminated.reason).isEqualTo("Error");
        assertThat(calls("create")).isEqualTo(1);
    }

    @Test
    void completedContainerWithOnFailureSucceedsAndTheSandboxStops() {
        PodWorker w = worker(pod("OnFailure", container("app")));
        sync(w);

        runtime.exit("uid-web", "app", 0);
        sync(w);
        assertThat(current().status.phase).isEqualTo("Succeeded");
        assertThat(status("app").state.terminated.reason).isEqualTo("Completed");
        assertThat(current().status.condition("Ready").reason).isEqualTo("PodCompleted");

        sync(w);
        assertThat(calls("create")).isEqualTo(1);
        assertThat(runtime.calls()).contains("stopPodSandbox web");
    }

    @Test
    void onFailureRestartsAFailedContainer() {
        PodWorker w = worker(pod("OnFailure", container("app")));
        sync(w);

        runtime.exit("uid-web", "app", 2);
        sync(w);

        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(status("app").restartCount).isEqualTo(1);
        assertThat(status("app").lastState.terminated.exitCode).isEqualTo(2);
    }

    @Test
    void crashingContainerBacksOffTenSecondsThenDoubling() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w);

        // the first restart is immediate
        runtime.exit("uid-web", "app", 1);
        sync(w);
        assertThat(status("app").restartCount).isEqualTo(1);
        assertThat(status("app").state.running).isNotNull();

        // the second waits 10 s
        runtime.exit("uid-web", "app", 1);
        sync(w);
        assertThat(status("app").state.waiting.reason).isEqualTo("CrashLoopBackOff");
        assertThat(status("app").state.waiting.message).startsWith("back-off 10s restarting failed container=app pod=web_default");
        assertThat(status("app").lastState.terminated.exitCode).isEqualTo(1);
        assertThat(current().status.phase).isEqualTo("Running");
        clock.advance(Duration.ofSeconds(9));
        sync(w);
        assertThat(status("app").restartCount).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        sync(w);
        assertThat(status("app").restartCount).isEqualTo(2);
        assertThat(status("app").state.running).isNotNull();

        // the third waits 20 s
        runtime.exit("uid-web", "app", 1);
        sync(w);
        assertThat(status("app").state.waiting.message).startsWith("back-off 20s");
        clock.advance(Duration.ofSeconds(19));
        sync(w);
        assertThat(status("app").restartCount).isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        sync(w);
        assertThat(status("app").restartCount).isEqualTo(3);
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("BackOff"));
    }

    @Test
    void oomKilledIsReportedAsTheRuntimeSaysIt() {
        PodWorker w = worker(pod("Never", container("app")));
        sync(w);

        runtime.exit("uid-web", "app", 137, "OOMKilled");
        sync(w);

        assertThat(status("app").state.terminated.reason).isEqualTo("OOMKilled");
        assertThat(status("app").state.terminated.exitCode).isEqualTo(137);
    }

    @Test
    void onlyTheLatestTwoInstancesOfAContainerAreKept() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w);
        for (int i = 0; i < 4; i++) {
            runtime.exit("uid-web", "app", 1);
            clock.advance(Duration.ofMinutes(6));
            sync(w);
        }
        sync(w);

        assertThat(runtime.listContainers("uid-web")).hasSize(2);
        assertThat(status("app").restartCount).isEqualTo(4);
    }

    // ---- init containers ----------------------------------------------------------------------

    @Test
    void initContainersRunOneAfterAnotherBeforeTheAppContainers() {
        Pod p = pod("Always", container("app"));
        p.spec.initContainers.addAll(List.of(container("init-1"), container("init-2")));
        PodWorker w = worker(p);

        sync(w);
        assertThat(runtime.calls()).containsExactly("runPodSandbox web#0", "create web/init-1#0", "start web/init-1#0");
        assertThat(current().status.phase).isEqualTo("Pending");
        assertThat(current().status.condition("Initialized").status).isEqualTo("False");
        assertThat(status("app").state.waiting.reason).isEqualTo("PodInitializing");

        runtime.exit("uid-web", "init-1", 0);
        sync(w);
        assertThat(calls("create web/init-2")).isEqualTo(1);
        assertThat(calls("create web/app")).isZero();

        runtime.exit("uid-web", "init-2", 0);
        sync(w);
        assertThat(calls("create web/app")).isEqualTo(1);
        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(current().status.condition("Initialized").status).isEqualTo("True");
        assertThat(current().status.initContainerStatuses).allSatisfy(s -> assertThat(s.state.terminated.reason).isEqualTo("Completed"));
    }

    @Test
    void failedInitContainerWithRestartPolicyNeverFailsThePod() {
        Pod p = pod("Never", container("app"));
        p.spec.initContainers.add(container("init"));
        PodWorker w = worker(p);
        sync(w);

        runtime.exit("uid-web", "init", 3);
        sync(w);

        assertThat(current().status.phase).isEqualTo("Failed");
        assertThat(calls("create web/app")).isZero();
    }

    // ---- images -------------------------------------------------------------------------------

    @Test
    void imageThatCannotBePulledIsErrImagePullThenImagePullBackOff() {
        Container c = container("app");
        c.image = "registry.invalid/nope:1";
        c.imagePullPolicy = "Always";
        runtime.failPull("registry.invalid/nope:1", "pull access denied for registry.invalid/nope");
        PodWorker w = worker(pod("Always", c));

        sync(w);
        assertThat(status("app").state.waiting.reason).isEqualTo("ErrImagePull");
        assertThat(status("app").state.waiting.message).contains("pull access denied");
        assertThat(current().status.phase).isEqualTo("Pending");

        sync(w);
        assertThat(status("app").state.waiting.reason).isEqualTo("ImagePullBackOff");
        assertThat(calls("pull")).isEqualTo(1);

        clock.advance(Duration.ofSeconds(10));
        sync(w);
        assertThat(calls("pull")).isEqualTo(2);
        assertThat(calls("create")).isZero();
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("Pulling", "Failed"));
    }

    @Test
    void ifNotPresentUsesALocalImageWithoutPulling() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w);
        assertThat(calls("pull")).isZero();
        assertThat(calls("create")).isEqualTo(1);
    }

    @Test
    void pullPolicyNeverWithoutTheImageIsErrImageNeverPull() {
        Container c = container("app");
        c.image = "local/absent:1";
        c.imagePullPolicy = "Never";
        PodWorker w = worker(pod("Always", c));

        sync(w);

        assertThat(status("app").state.waiting.reason).isEqualTo("ErrImageNeverPull");
        assertThat(calls("pull")).isZero();
    }

    @Test
    void defaultPullPolicyIsAlwaysForLatestAndIfNotPresentForATag() {
        assertThat(PodWorker.defaultPullPolicy("busybox")).isEqualTo("Always");
        assertThat(PodWorker.defaultPullPolicy("local/busybox:latest")).isEqualTo("Always");
        assertThat(PodWorker.defaultPullPolicy("localhost:5000/busybox")).isEqualTo("Always");
        assertThat(PodWorker.defaultPullPolicy("local/etcd:3.4")).isEqualTo("IfNotPresent");
        assertThat(PodWorker.defaultPullPolicy("busybox@sha256:abc")).isEqualTo("IfNotPresent");
    }

    // ---- termination --------------------------------------------------------------------------

    @Test
    void deletedPodRunsPreStopStopsWithinTheGracePeriodRemovesAllAndDeletesWithGraceZero() {
        Container c = container("app");
        c.lifecycle = new Container.Lifecycle();
        c.lifecycle.preStop = new Probe.Handler();
        c.lifecycle.preStop.exec = new Probe.ExecAction();
        c.lifecycle.preStop.exec.command.addAll(List.of("sh", "-c", "drain"));
        List<List<String>> execs = new CopyOnWriteArrayList<>();
        runtime.onExec((container, cmd) -> {
            execs.add(cmd);
            return new ExecResult(0, "");
        });
        PodWorker w = worker(pod("Always", c));
        sync(w);

        Pod deleting = api.stored(Pod.class, "default", "web");
        deleting.metadata.deletionTimestamp = Times.now();
        deleting.metadata.deletionGracePeriodSeconds = 7L;
        informer.set(api.put(deleting));
        w.sync();

        assertThat(execs).containsExactly(List.of("sh", "-c", "drain"));
        assertThat(runtime.calls()).contains("stop web/app#0 7s", "stopPodSandbox web", "remove web/app#0", "removePodSandbox web");
        assertThat(runtime.listContainers()).isEmpty();
        assertThat(runtime.listPodSandboxes()).isEmpty();
        List<RecordingApiClient.Action> deletes = api.actions("delete", "Pod");
        assertThat(deletes).hasSize(1);
        DeleteOptions options = (DeleteOptions) deletes.get(0).body();
        assertThat(options.gracePeriodSeconds).isZero();
        assertThat(options.preconditions.uid).isEqualTo("uid-web");
        assertThat(w.finished()).isTrue();
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("Killing"));
    }

    @Test
    void podThatVanishedIsStoppedAndRemovedWithoutDeletingAgain() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w);

        informer.set(null);
        w.sync();

        assertThat(runtime.listContainers()).isEmpty();
        assertThat(runtime.listPodSandboxes()).isEmpty();
        assertThat(api.actions("delete", "Pod")).isEmpty();
        assertThat(w.finished()).isTrue();
    }

    @Test
    void aNewPodWithTheSameNameIsNotTheOldWorkersPod() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w);

        Pod replacement = pod("Always", container("app"));
        replacement.metadata.uid = "uid-web-2";
        informer.set(replacement);
        w.sync();

        assertThat(w.finished()).isTrue();
        assertThat(runtime.listContainers("uid-web")).isEmpty();
    }

    // ---- the loop -----------------------------------------------------------------------------

    @Test
    void runningWorkerNoticesAnExitWithoutBeingTold() {
        FakeRuntime live = new FakeRuntime(java.time.Clock.systemUTC(), Duration.ZERO, "127.0.0.1");
        live.addImage(IMAGE);
        KubeletContext liveCtx = new KubeletContext("node-1", "10.0.0.1", live, "fake", api, ctx.events(), new ProbeRunner(live),
                ctx.configFactory(), Backoff.kubelet(), Backoff.kubelet(), java.time.Clock.systemUTC(), Duration.ofMillis(100), ctx.metrics());
        Pod p = pod("Never", container("app"));
        api.put(p);
        PodWorker w = new PodWorker(p.metadata.uid, () -> api.stored(Pod.class, "default", "web"), liveCtx, () -> { });
        workers.add(w);
        w.start();
        await().until(() -> "Running".equals(api.stored(Pod.class, "default", "web").status.phase));

        live.exit("uid-web", "app", 0);

        await().until(() -> "Succeeded".equals(api.stored(Pod.class, "default", "web").status.phase));
    }

    // ---- probes against a real HTTP server ----------------------------------------------------

    @Test
    void failingLivenessProbeKillsAndRestartsTheContainer() throws Exception {
        try (TestHttpServer server = new TestHttpServer()) {
            Container c = container("app");
            c.livenessProbe = httpProbe(server.port());
            PodWorker w = worker(pod("Always", c));
            sync(w);
            Thread.sleep(1500);
            sync(w);
            assertThat(status("app").restartCount).isZero();

            server.status(500);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                sync(w);
                assertThat(status("app").restartCount).isEqualTo(1);
            });
            assertThat(status("app").state.running).isNotNull();
            assertThat(status("app").lastState.terminated.exitCode).isEqualTo(143);
            await().untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
                assertThat(e.reason).isEqualTo("Unhealthy");
                assertThat(e.message).startsWith("Liveness probe failed: HTTP probe failed with statuscode: 500");
            }));
            await().untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
                assertThat(e.reason).isEqualTo("Killing");
                assertThat(e.message).contains("failed liveness probe");
            }));
        }
    }

    @Test
    void readinessProbeDrivesTheReadyCondition() throws Exception {
        try (TestHttpServer server = new TestHttpServer()) {
            server.status(503);
            Container c = container("app");
            c.readinessProbe = httpProbe(server.port());
            PodWorker w = worker(pod("Always", c));

            sync(w);
            assertThat(status("app").ready).isFalse();
            assertThat(current().status.condition("Ready").status).isEqualTo("False");
            assertThat(current().status.condition("Ready").message).contains("app");

            server.status(200);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                sync(w);
                assertThat(current().status.condition("Ready").status).isEqualTo("True");
            });

            server.status(500);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                sync(w);
                assertThat(current().status.condition("Ready").status).isEqualTo("False");
            });
            assertThat(status("app").restartCount).isZero();
        }
    }

    @Test
    void livenessWaitsForTheStartupProbe() throws Exception {
        try (TestHttpServer server = new TestHttpServer()) {
            server.status(500);
            Container c = container("app");
            c.startupProbe = httpProbe(server.port());
            c.startupProbe.failureThreshold = 30;
            c.livenessProbe = httpProbe(server.port());
            PodWorker w = worker(pod("Always", c));
            sync(w);
            Thread.sleep(2500);
            sync(w);
            // liveness would have killed it by now had it not waited
            assertThat(status("app").restartCount).isZero();
            assertThat(status("app").started).isFalse();

            server.status(200);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                sync(w);
                assertThat(status("app").started).isTrue();
            });
        }
    }

    private static Probe httpProbe(int port) {
        Probe p = new Probe();
        p.httpGet = new Probe.HTTPGetAction();
        p.httpGet.path = "/healthz";
        p.httpGet.port = IntOrString.of(port);
        p.periodSeconds = 1;
        p.failureThreshold = 1;
        p.timeoutSeconds = 1;
        return p;
    }

    @Test
    void containerInfoStatesMapToWaitingRunningTerminated() {
        // guards the fake: what the worker relies on
        PodWorker w = worker(pod("Never", container("app")));
        sync(w);
        ContainerInfo info = runtime.listContainers("uid-web").get(0);
        assertThat(info.running()).isTrue();
        runtime.exit("uid-web", "app", 0);
        assertThat(runtime.containerStatus(info.id()).exited()).isTrue();
    }
}
