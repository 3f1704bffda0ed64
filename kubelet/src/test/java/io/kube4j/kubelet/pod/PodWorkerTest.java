package io.kube4j.kubelet.pod;

import io.kube4j.api.ConfigMap;
import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.IntOrString;
import io.kube4j.api.Pod;
import io.kube4j.api.Probe;
import io.kube4j.api.Secret;
import io.kube4j.events.EventRecorder;
import io.kube4j.json.Times;
import io.kube4j.kubelet.pleg.Pleg;
import io.kube4j.kubelet.probe.ProbeRunner;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.fake.FakeRuntime;
import io.kube4j.kubelet.testing.MapObjectManager;
import io.kube4j.kubelet.testing.RecordingApiClient;
import io.kube4j.kubelet.volume.VolumeManager;
import io.kube4j.kubelet.volume.VolumePayloads;
import io.kube4j.quantity.Quantity;
import io.kube4j.testing.MutableClock;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pod worker on the fake runtime with a hand-moved clock: every step is one relist and one sync,
 * as the real loop does them, so time-driven behaviour (back-off, deadlines) needs no sleeping.
 */
class PodWorkerTest {
    private static final String IMAGE = "local/busybox:latest";

    private static final Map<String, Quantity> ALLOCATABLE = Map.of("cpu", Quantity.parse("4"), "memory", Quantity.parse("8Gi"));

    @TempDir
    static Path podsDir;
    private final MapObjectManager<ConfigMap> configMaps = new MapObjectManager<>("configmap");
    private final MapObjectManager<Secret> secrets = new MapObjectManager<>("secret");
    private final MutableClock clock = new MutableClock(Instant.now().truncatedTo(ChronoUnit.SECONDS));
    private final FakeRuntime runtime = new FakeRuntime(clock, Duration.ZERO, "127.0.0.1");
    private final RecordingApiClient api = new RecordingApiClient();
    private final AtomicReference<Pod> informer = new AtomicReference<>();
    private final KubeletContext ctx = context(runtime, clock, Duration.ofSeconds(1));
    private final List<PodWorker> workers = new CopyOnWriteArrayList<>();

    @AfterEach
    void stopWorkers() {
        workers.forEach(PodWorker::stop);
        ctx.pleg().stop();
    }

    // ---- fixtures -----------------------------------------------------------------------------

    private KubeletContext context(ContainerRuntime rt, Clock c, Duration period) {
        EventRecorder events = new EventRecorder(api, "kubelet", "node-1");
        VolumeManager volumes = new VolumeManager(podsDir, api, new VolumePayloads(configMaps, secrets, () -> ALLOCATABLE), events, c);
        return new KubeletContext("node-1", "10.0.0.1", rt, "fake", api, events, new ProbeRunner(rt),
                new ContainerConfigFactory(EnvironmentProvider.NONE, configMaps, secrets, () -> ALLOCATABLE, volumes), Backoff.kubelet(), Backoff.kubelet(), c, period,
                new KubeletMetrics(new SimpleMeterRegistry()), new Pleg(rt, period), new StatusManager(api), configMaps, secrets, volumes);
    }

    static Container container(String name, String script) {
        Container c = new Container();
        c.name = name;
        c.image = IMAGE;
        c.imagePullPolicy = "IfNotPresent";
        c.command.addAll(List.of("sh", "-c", script));
        return c;
    }

    private static Container container(String name) {
        return container(name, "sleep 3600");
    }

    private Pod pod(String restartPolicy, Container... containers) {
        runtime.addImage(IMAGE);
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = "uid-web";
        p.spec.nodeName = "node-1";
        p.spec.restartPolicy = restartPolicy;
        p.spec.terminationGracePeriodSeconds = 30L;
        p.spec.containers.addAll(List.of(containers));
        return p;
    }

    private PodWorker worker(Pod p) {
        informer.set(api.put(p));
        PodWorker w = new PodWorker(p.metadata.uid, informer::get, ctx, () -> { });
        workers.add(w);
        return w;
    }

    /** One relist, one sync, one status batch, then the informer catches up with what was written. */
    private void sync(PodWorker w) {
        ctx.pleg().relist();
        w.sync();
        // the status manager's writer, run here in step instead of on its own thread
        ctx.statusManager().syncBatch();
        Pod stored = api.stored(Pod.class, "default", "web");
        if (stored != null) {
            informer.set(stored);
        }
    }

    private void sync(PodWorker w, int times) {
        for (int i = 0; i < times; i++) {
            sync(w);
        }
    }

    private Pod current() {
        return informer.get();
    }

    private ContainerStatus status(String name) {
        return current().status.containerStatuses.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
    }

    private ContainerStatus initStatus(String name) {
        return current().status.initContainerStatuses.stream().filter(s -> s.name.equals(name)).findFirst().orElseThrow();
    }

    private long calls(String prefix) {
        return runtime.calls().stream().filter(c -> c.startsWith(prefix)).count();
    }

    // ---- starting -----------------------------------------------------------------------------

    @Test
    void startsSandboxAndContainerThenReportsRunningAfterTheNextRelist() {
        PodWorker w = worker(pod("Always", container("app")));

        sync(w);
        assertThat(runtime.calls()).containsExactly("runPodSandbox web#0", "create web/app#0", "start web/app#0");
        assertThat(current().status.phase).isEqualTo("Pending");
        assertThat(status("app").state.waiting.reason).isEqualTo("ContainerCreating");

        sync(w);
        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(current().status.podIP).isEqualTo("127.0.0.1");
        assertThat(current().status.hostIP).isEqualTo("10.0.0.1");
        assertThat(current().status.startTime).isEqualTo(Times.format(clock.instant()));
        assertThat(status("app").state.running).isNotNull();
        assertThat(status("app").ready).isTrue();
        assertThat(status("app").started).isTrue();
        assertThat(status("app").containerID).startsWith("fake://");
        for (String type : List.of("PodReadyToStartContainers", "Initialized", "Ready", "ContainersReady", "PodScheduled")) {
            assertThat(current().status.condition(type).status).as(type).isEqualTo("True");
        }
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("Pulled", "Created", "Started"));
    }

    /** generateAPIPodStatus: status.qosClass is GetPodQOS (the apiserver's value when it set one on create). */
    @Test
    void theStatusCarriesTheQosClass() {
        Container app = container("app");
        app.resources = new io.kube4j.api.ResourceRequirements();
        app.resources.limits.put("cpu", io.kube4j.quantity.Quantity.parse("100m"));
        app.resources.limits.put("memory", io.kube4j.quantity.Quantity.parse("64Mi"));
        app.resources.requests.putAll(app.resources.limits);
        PodWorker w = worker(pod("Always", app));
        sync(w, 2);
        assertThat(current().status.qosClass).isEqualTo("Guaranteed");
    }

    @Test
    void aSteadyPodCausesNoRuntimeCallsAndNoStatusWrites() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);
        List<String> callsBefore = runtime.calls();
        int writesBefore = api.actions("patchStatus", "Pod").size();
        clock.advance(Duration.ofSeconds(5));

        sync(w, 3);

        assertThat(runtime.calls()).isEqualTo(callsBefore);
        assertThat(api.actions("patchStatus", "Pod")).hasSize(writesBefore);
        assertThat(api.actions("updateStatus", "Pod")).isEmpty();
    }

    @Test
    void statusIsWrittenAsAPatchOfWhatChangedOnly() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);
        List<RecordingApiClient.Action> patches = api.actions("patchStatus", "Pod");
        String last = (String) patches.get(patches.size() - 1).body();

        assertThat(last).contains("\"uid\":\"uid-web\"").contains("\"containerStatuses\"").doesNotContain("\"hostIP\"").doesNotContain("\"startTime\"");
    }

    @Test
    void newWorkerAdoptsRunningContainersInsteadOfCreatingThem() {
        Pod p = pod("Always", container("app"));
        sync(worker(p), 2);
        long creates = calls("create");

        PodWorker restarted = new PodWorker(p.metadata.uid, informer::get, ctx, () -> { });
        workers.add(restarted);
        sync(restarted, 2);

        assertThat(calls("create")).isEqualTo(creates);
        assertThat(calls("runPodSandbox")).isEqualTo(1);
        assertThat(status("app").restartCount).isZero();
        assertThat(status("app").state.running).isNotNull();
    }

    // ---- ConfigMaps, Secrets and volumes ------------------------------------------------------

    private static ConfigMap configMap(String name, String key, String value) {
        ConfigMap cm = new ConfigMap();
        cm.metadata.namespace = "default";
        cm.metadata.name = name;
        cm.data.put(key, value);
        return cm;
    }

    private String containerId(String name) {
        return runtime.listContainers("uid-web").stream().filter(c -> c.name().equals(name)).findFirst().orElseThrow().id();
    }

    @Test
    void aMissingConfigMapHoldsTheContainerInCreateContainerConfigErrorUntilItAppears() {
        Container app = container("app");
        Container.EnvVar level = new Container.EnvVar();
        level.name = "LEVEL";
        level.valueFrom = Map.of("configMapKeyRef", Map.of("name", "settings", "key", "level"));
        app.env.add(level);
        app.command.clear();
        app.command.addAll(List.of("sh", "-c", "echo $(LEVEL); sleep 3600"));
        PodWorker w = worker(pod("Always", app));

        sync(w, 2);
        ContainerStatus.Waiting waiting = status("app").state.waiting;
        assertThat(waiting.reason).isEqualTo("CreateContainerConfigError");
        assertThat(waiting.message).isEqualTo("configmap \"settings\" not found");
        assertThat(calls("create")).isZero();
        assertThat(current().status.phase).isEqualTo("Pending");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("Failed");
            assertThat(e.message).isEqualTo("Error: configmap \"settings\" not found");
        }));
        // Kubernetes retries the start after the pod worker's 10 s back-off, not at every sync: one attempt, one event
        sync(w, 5);
        clock.advance(Duration.ofSeconds(9));
        sync(w, 2);
        assertThat(api.events().stream().filter(e -> e.reason.equals("Failed")).count()).isEqualTo(1);
        clock.advance(Duration.ofSeconds(1));
        sync(w);
        // the second attempt's identical event counts up on the first (client-go's EventLogger)
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.storedEvents()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("Failed");
            assertThat(e.count).isEqualTo(2);
        }));
        assertThat(api.events().stream().filter(e -> e.reason.equals("Failed")).count()).isEqualTo(1);

        configMaps.put(configMap("settings", "level", "debug"), "uid-web");
        sync(w, 2);
        assertThat(status("app").state.waiting.reason).as("still within the back-off").isEqualTo("CreateContainerConfigError");
        clock.advance(Duration.ofSeconds(10));
        sync(w, 2);

        assertThat(status("app").state.running).isNotNull();
        assertThat(runtime.config(containerId("app")).env()).containsEntry("LEVEL", "debug");
        assertThat(runtime.config(containerId("app")).command()).containsExactly("sh", "-c", "echo debug; sleep 3600");
    }

    @Test
    void runAsUserZeroUnderRunAsNonRootIsCreateContainerConfigErrorAndNothingIsCreated() {
        Container app = container("app");
        app.securityContext = new io.kube4j.api.SecurityContext();
        app.securityContext.runAsUser = 0L;
        Pod p = pod("Always", app);
        p.spec.securityContext = new io.kube4j.api.PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;
        PodWorker w = worker(p);

        sync(w, 2);

        ContainerStatus.Waiting waiting = status("app").state.waiting;
        assertThat(waiting.reason).isEqualTo("CreateContainerConfigError");
        assertThat(waiting.message).isEqualTo("container's runAsUser breaks non-root policy (pod: \"web_default(uid-web)\", container: app)");
        assertThat(calls("create")).isZero();
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("Failed");
            assertThat(e.message).isEqualTo("Error: container's runAsUser breaks non-root policy (pod: \"web_default(uid-web)\", container: app)");
        }));
    }

    @Test
    void theEffectiveSecurityContextReachesTheRuntime() {
        Container app = container("app");
        app.securityContext = new io.kube4j.api.SecurityContext();
        app.securityContext.runAsUser = 1000L;
        app.securityContext.allowPrivilegeEscalation = false;
        app.securityContext.capabilities = new io.kube4j.api.SecurityContext.Capabilities();
        app.securityContext.capabilities.drop.add("ALL");
        Pod p = pod("Always", app);
        p.spec.securityContext = new io.kube4j.api.PodSecurityContext();
        p.spec.securityContext.runAsNonRoot = true;
        p.spec.securityContext.runAsGroup = 3000L;
        p.spec.securityContext.fsGroup = 2000L;
        PodWorker w = worker(p);

        sync(w, 2);

        assertThat(status("app").state.running).isNotNull();
        io.kube4j.kubelet.runtime.LinuxContainerSecurity s = runtime.config(containerId("app")).security();
        assertThat(s.runAsUser()).isEqualTo(1000L);
        assertThat(s.runAsGroup()).isEqualTo(3000L);
        assertThat(s.supplementalGroups()).containsExactly(2000L);
        assertThat(s.dropCapabilities()).containsExactly("ALL");
        assertThat(s.noNewPrivs()).isTrue();
    }

    @Test
    void aMissingConfigMapVolumeHoldsThePodInContainerCreatingWithFailedMountAndNoSandbox() {
        Container app = container("app");
        Container.VolumeMount mount = new Container.VolumeMount();
        mount.name = "config";
        mount.mountPath = "/etc/config";
        app.volumeMounts.add(mount);
        Pod p = pod("Always", app);
        io.kube4j.api.Volume config = new io.kube4j.api.Volume();
        config.name = "config";
        config.configMap = new io.kube4j.api.Volume.ConfigMapVolumeSource();
        config.configMap.name = "settings";
        p.spec.volumes.add(config);
        PodWorker w = worker(p);

        sync(w, 2);
        assertThat(runtime.calls()).isEmpty();
        assertThat(status("app").state.waiting.reason).isEqualTo("ContainerCreating");
        assertThat(current().status.phase).isEqualTo("Pending");
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("FailedMount");
            assertThat(e.message).isEqualTo("MountVolume.SetUp failed for volume \"config\" : configmap \"settings\" not found");
        }));

        configMaps.put(configMap("settings", "greeting", "hello"), "uid-web");
        sync(w, 2);

        assertThat(status("app").state.running).isNotNull();
        io.kube4j.kubelet.runtime.Mount m = runtime.config(containerId("app")).mounts().get(0);
        assertThat(m.containerPath()).isEqualTo("/etc/config");
        assertThat(m.readOnly()).isTrue();
        assertThat(Path.of(m.hostPath())).isEqualTo(podsDir.resolve("uid-web/volumes/kubernetes.io~configmap/config").toAbsolutePath());
        assertThat(Path.of(m.hostPath()).resolve("greeting")).hasContent("hello");
    }

    // ---- restart policy -----------------------------------------------------------------------

    @Test
    void failedContainerWithRestartPolicyNeverFailsThePod() {
        PodWorker w = worker(pod("Never", container("app")));
        sync(w, 2);

        runtime.exit("uid-web", "app", 1);
        sync(w, 2);

        assertThat(current().status.phase).isEqualTo("Failed");
        assertThat(status("app").state.terminated.exitCode).isEqualTo(1);
        assertThat(status("app").state.terminated.reason).isEqualTo("Error");
        assertThat(current().status.condition("Ready").reason).isEqualTo("PodFailed");
        assertThat(calls("create")).isEqualTo(1);
    }

    @Test
    void completedContainerWithOnFailureSucceedsAndTheSandboxStops() {
        PodWorker w = worker(pod("OnFailure", container("app")));
        sync(w, 2);

        runtime.exit("uid-web", "app", 0);
        sync(w, 2);

        assertThat(current().status.phase).isEqualTo("Succeeded");
        assertThat(status("app").state.terminated.reason).isEqualTo("Completed");
        assertThat(current().status.condition("Ready").reason).isEqualTo("PodCompleted");
        assertThat(current().status.condition("PodReadyToStartContainers").status).isEqualTo("False");
        assertThat(calls("create")).isEqualTo(1);
        assertThat(runtime.calls()).contains("stopPodSandbox web");
    }

    @Test
    void onFailureRestartsAFailedContainerAndKeepsItsLastState() {
        PodWorker w = worker(pod("OnFailure", container("app")));
        sync(w, 2);

        runtime.exit("uid-web", "app", 2);
        sync(w, 2);

        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(status("app").restartCount).isEqualTo(1);
        assertThat(status("app").state.running).isNotNull();
        assertThat(status("app").lastState.terminated.exitCode).isEqualTo(2);
        assertThat(status("app").lastState.terminated.reason).isEqualTo("Error");
    }

    @Test
    void crashingContainerBacksOffTenSecondsThenDoubling() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);

        // the first restart is immediate
        runtime.exit("uid-web", "app", 1);
        sync(w, 2);
        assertThat(status("app").restartCount).isEqualTo(1);
        assertThat(status("app").state.running).isNotNull();

        // the second waits 10 s after the exit
        runtime.exit("uid-web", "app", 1);
        sync(w);
        assertThat(status("app").state.waiting.reason).isEqualTo("CrashLoopBackOff");
        assertThat(status("app").state.waiting.message).isEqualTo("back-off 10s restarting failed container=app pod=web_default(uid-web)");
        assertThat(status("app").lastState.terminated.exitCode).isEqualTo(1);
        assertThat(current().status.phase).isEqualTo("Running");
        clock.advance(Duration.ofSeconds(9));
        sync(w);
        assertThat(calls("start web/app")).isEqualTo(2);
        clock.advance(Duration.ofSeconds(1));
        sync(w, 2);
        assertThat(status("app").restartCount).isEqualTo(2);
        assertThat(status("app").state.running).isNotNull();

        // the third waits 20 s
        runtime.exit("uid-web", "app", 1);
        sync(w);
        assertThat(status("app").state.waiting.message).startsWith("back-off 20s");
        clock.advance(Duration.ofSeconds(19));
        sync(w);
        assertThat(calls("start web/app")).isEqualTo(3);
        clock.advance(Duration.ofSeconds(1));
        sync(w, 2);
        assertThat(status("app").restartCount).isEqualTo(3);
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("BackOff"));
    }

    @Test
    void oomKilledIsReportedAsTheRuntimeSaysIt() {
        PodWorker w = worker(pod("Never", container("app")));
        sync(w, 2);

        runtime.exit("uid-web", "app", 137, "OOMKilled");
        sync(w, 2);

        assertThat(status("app").state.terminated.reason).isEqualTo("OOMKilled");
        assertThat(status("app").state.terminated.exitCode).isEqualTo(137);
    }

    @Test
    void onlyTheLatestTwoInstancesOfAContainerAreKept() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);
        for (int i = 0; i < 4; i++) {
            runtime.exit("uid-web", "app", 1);
            clock.advance(Duration.ofMinutes(6));
            sync(w, 2);
        }
        sync(w, 2);

        assertThat(runtime.listContainers("uid-web")).hasSize(2);
        assertThat(status("app").restartCount).isEqualTo(4);
    }

    // ---- init containers and sidecars ---------------------------------------------------------

    @Test
    void initContainersRunOneAfterAnotherToCompletionBeforeTheAppContainers() {
        Pod p = pod("Always", container("app"));
        p.spec.initContainers.addAll(List.of(container("init-1", "echo one; sleep 2"), container("init-2", "sleep 3")));
        PodWorker w = worker(p);

        sync(w, 2);
        assertThat(runtime.calls()).containsExactly("runPodSandbox web#0", "create web/init-1#0", "start web/init-1#0");
        assertThat(current().status.phase).isEqualTo("Pending");
        assertThat(current().status.condition("Initialized").status).isEqualTo("False");
        assertThat(current().status.condition("Initialized").message).isEqualTo("containers with incomplete status: [init-1 init-2]");
        assertThat(status("app").state.waiting.reason).isEqualTo("PodInitializing");

        clock.advance(Duration.ofSeconds(2)); // init-1's program ends
        sync(w);
        assertThat(calls("create web/init-2")).isEqualTo(1);
        assertThat(calls("create web/app")).isZero();

        clock.advance(Duration.ofSeconds(3));
        sync(w, 2);
        assertThat(calls("create web/app")).isEqualTo(1);
        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(current().status.condition("Initialized").status).isEqualTo("True");
        assertThat(current().status.initContainerStatuses).allSatisfy(s -> {
            assertThat(s.state.terminated.reason).isEqualTo("Completed");
            assertThat(s.ready).isTrue();
        });
    }

    @Test
    void failedInitContainerWithRestartPolicyNeverFailsThePod() {
        Pod p = pod("Never", container("app"));
        p.spec.initContainers.add(container("init"));
        PodWorker w = worker(p);
        sync(w, 2);

        runtime.exit("uid-web", "init", 3);
        sync(w, 2);

        assertThat(current().status.phase).isEqualTo("Failed");
        assertThat(initStatus("init").state.terminated.exitCode).isEqualTo(3);
        assertThat(calls("create web/app")).isZero();
    }

    @Test
    void failedInitContainerWithRestartPolicyAlwaysIsRestartedWithBackOff() {
        Pod p = pod("Always", container("app"));
        p.spec.initContainers.add(container("init", "exit 1"));
        PodWorker w = worker(p);
        sync(w, 3);
        assertThat(calls("start web/init")).isEqualTo(2); // the first restart is immediate
        sync(w);
        assertThat(initStatus("init").state.waiting.reason).isEqualTo("CrashLoopBackOff");
        assertThat(initStatus("init").lastState.terminated.exitCode).isEqualTo(1);
        assertThat(current().status.phase).isEqualTo("Pending");
        assertThat(calls("create web/app")).isZero();
    }

    @Test
    void sidecarStartsFirstKeepsRunningBesideTheAppAndStopsAfterIt() {
        // the documentation's sidecar example: a log shipper beside a job
        Container sidecar = container("logshipper", "tail -F /opt/logs.txt");
        sidecar.restartPolicy = "Always";
        Pod p = pod("Never", container("myapp", "echo logging; sleep 5"));
        p.spec.initContainers.add(sidecar);
        PodWorker w = worker(p);

        sync(w);
        assertThat(runtime.calls()).containsExactly("runPodSandbox web#0", "create web/logshipper#0", "start web/logshipper#0");
        sync(w, 2);
        assertThat(calls("start web/myapp")).isEqualTo(1);
        assertThat(current().status.phase).isEqualTo("Running");
        assertThat(current().status.condition("Initialized").status).isEqualTo("True");
        assertThat(initStatus("logshipper").state.running).isNotNull();
        assertThat(initStatus("logshipper").started).isTrue();
        assertThat(initStatus("logshipper").ready).isTrue();

        // a sidecar that dies is restarted even under restartPolicy Never
        runtime.exit("uid-web", "logshipper", 1);
        sync(w, 2);
        assertThat(initStatus("logshipper").restartCount).isEqualTo(1);
        assertThat(initStatus("logshipper").state.running).isNotNull();

        // the job ends: the sidecar is stopped after it, the pod succeeds
        clock.advance(Duration.ofSeconds(5));
        sync(w, 3);
        assertThat(runtime.calls()).containsSubsequence("stop web/logshipper#1 30s", "stopPodSandbox web");
        assertThat(current().status.phase).isEqualTo("Succeeded");
        assertThat(status("myapp").state.terminated.reason).isEqualTo("Completed");
        assertThat(initStatus("logshipper").state.terminated.exitCode).isEqualTo(143);
    }

    // ---- hooks --------------------------------------------------------------------------------

    @Test
    void postStartHookRunsAfterTheStartAndAFailingOneKillsAndRestartsTheContainer() {
        Container c = container("app");
        c.lifecycle = new Container.Lifecycle();
        c.lifecycle.postStart = new Probe.Handler();
        c.lifecycle.postStart.exec = new Probe.ExecAction();
        c.lifecycle.postStart.exec.command.addAll(List.of("sh", "-c", "setup"));
        List<List<String>> execs = new CopyOnWriteArrayList<>();
        runtime.onExec((container, cmd) -> {
            execs.add(cmd);
            return new ExecResult(execs.size() == 1 ? 1 : 0, "boom");
        });
        PodWorker w = worker(pod("Always", c));

        sync(w);
        assertThat(execs).hasSize(1);
        assertThat(runtime.calls()).containsSubsequence("start web/app#0", "stop web/app#0 30s");
        sync(w);
        assertThat(status("app").state.waiting).isNotNull();
        sync(w, 2);
        assertThat(execs).hasSize(2);
        assertThat(status("app").restartCount).isEqualTo(1);
        assertThat(status("app").state.running).isNotNull();
        await().untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("FailedPostStartHook");
            assertThat(e.message).isEqualTo("PostStartHook failed");
        }));
    }

    @Test
    void anHttpGetHookAnsweredWithAnyStatusHasSucceeded() throws Exception {
        // runHTTPHandler: only a transport error fails a hook; a 404 is an answer
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        java.util.concurrent.atomic.AtomicInteger hits = new java.util.concurrent.atomic.AtomicInteger();
        server.createContext("/", x -> {
            hits.incrementAndGet();
            x.sendResponseHeaders(404, -1);
            x.close();
        });
        server.start();
        try {
            Container c = container("app");
            c.lifecycle = new Container.Lifecycle();
            c.lifecycle.postStart = new Probe.Handler();
            c.lifecycle.postStart.httpGet = new Probe.HTTPGetAction();
            c.lifecycle.postStart.httpGet.host = "127.0.0.1";
            c.lifecycle.postStart.httpGet.path = "/started";
            c.lifecycle.postStart.httpGet.port = io.kube4j.api.IntOrString.of(server.getAddress().getPort());
            PodWorker w = worker(pod("Always", c));

            sync(w, 2);

            assertThat(hits.get()).isEqualTo(1);
            assertThat(runtime.calls()).contains("start web/app#0").doesNotContain("stop web/app#0 30s");
            assertThat(status("app").state.running).isNotNull();
            assertThat(api.eventReasons()).doesNotContain("FailedPostStartHook");
        } finally {
            server.stop(0);
        }
    }

    // ---- deadline -----------------------------------------------------------------------------

    @Test
    void activeDeadlineFailsThePodWithDeadlineExceededAndStopsIt() {
        Pod p = pod("Always", container("app", "sleep 120"));
        p.spec.activeDeadlineSeconds = 3L;
        PodWorker w = worker(p);
        sync(w, 2);
        assertThat(current().status.phase).isEqualTo("Running");

        clock.advance(Duration.ofSeconds(3));
        sync(w, 2);

        assertThat(current().status.phase).isEqualTo("Failed");
        assertThat(current().status.reason).isEqualTo("DeadlineExceeded");
        assertThat(current().status.message).isEqualTo("Pod was active on the node longer than the specified deadline");
        assertThat(status("app").state.terminated).isNotNull();
        assertThat(runtime.calls()).contains("stop web/app#0 30s", "stopPodSandbox web");
        assertThat(calls("create")).isEqualTo(1);
        await().untilAsserted(() -> assertThat(api.eventReasons()).contains("DeadlineExceeded"));
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
        assertThat(status("app").state.waiting.reason).isEqualTo("ContainerCreating");
        sync(w);
        assertThat(status("app").state.waiting.reason).isEqualTo("ErrImagePull");
        assertThat(status("app").state.waiting.message).contains("pull access denied");
        assertThat(current().status.phase).isEqualTo("Pending");
        sync(w);
        assertThat(status("app").state.waiting.reason).isEqualTo("ImagePullBackOff");
        assertThat(status("app").state.waiting.message).isEqualTo("Back-off pulling image \"registry.invalid/nope:1\"");
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

        sync(w, 2);

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
        sync(w, 2);

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
    void aDeletedPodsFinalStatusIsWrittenBeforeItIsDeletedWithGraceZero() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);
        assertThat(status("app").state.running).isNotNull();

        Pod deleting = api.stored(Pod.class, "default", "web");
        deleting.metadata.deletionTimestamp = Times.now();
        deleting.metadata.deletionGracePeriodSeconds = 30L;
        informer.set(api.put(deleting));
        api.clear();
        w.sync();

        // Kubernetes' status manager: the terminal status first, then (canBeDeleted) the delete with grace 0
        List<String> verbs = api.actions().stream().filter(a -> a.kind().equals("Pod")).map(RecordingApiClient.Action::verb).toList();
        assertThat(verbs).containsExactly("patchStatus", "delete");
        tools.jackson.databind.JsonNode last = io.kube4j.json.Json.tree((String) api.actions("patchStatus", "Pod").get(0).body()).path("status");
        // getPhase with podIsTerminal: all containers stopped, not all with 0, so Failed (restartPolicy Always notwithstanding)
        assertThat(last.path("phase").asString()).isEqualTo("Failed");
        tools.jackson.databind.JsonNode app = last.path("containerStatuses").get(0);
        assertThat(app.path("state").path("terminated").path("exitCode").asInt()).isEqualTo(143);
        assertThat(app.path("state").path("terminated").path("reason").asString()).isEqualTo("Error");
        assertThat(app.path("ready").asBoolean()).isFalse();
    }

    @Test
    void aContainerIgnoringSigtermIsKilledWhenTheGracePeriodIsOver() {
        FakeRuntime stubborn = new FakeRuntime(clock, new FakeRuntime.Timings(Duration.ZERO, Duration.ZERO, Duration.ofSeconds(10), Duration.ZERO), "127.0.0.1");
        stubborn.addImage(IMAGE);
        KubeletContext c = context(stubborn, clock, Duration.ofSeconds(1));
        Pod p = pod("Always", container("app"));
        p.spec.terminationGracePeriodSeconds = 0L; // at least Kubernetes' minimum of 2 s
        informer.set(api.put(p));
        PodWorker w = new PodWorker(p.metadata.uid, informer::get, c, () -> { });
        c.pleg().relist();
        w.sync();
        c.pleg().relist();

        Pod deleting = api.stored(Pod.class, "default", "web");
        deleting.metadata.deletionTimestamp = Times.now();
        informer.set(api.put(deleting));
        long before = System.nanoTime();
        w.sync();

        assertThat(stubborn.calls()).contains("stop web/app#0 2s");
        assertThat(Duration.ofNanos(System.nanoTime() - before)).isGreaterThanOrEqualTo(Duration.ofMillis(1900));
        assertThat(w.finished()).isTrue();
    }

    @Test
    void podThatVanishedIsStoppedAndRemovedWithoutDeletingAgain() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);

        informer.set(null);
        ctx.pleg().relist();
        w.sync();

        assertThat(runtime.listContainers()).isEmpty();
        assertThat(runtime.listPodSandboxes()).isEmpty();
        assertThat(api.actions("delete", "Pod")).isEmpty();
        assertThat(w.finished()).isTrue();
    }

    @Test
    void aNewPodWithTheSameNameIsNotTheOldWorkersPod() {
        PodWorker w = worker(pod("Always", container("app")));
        sync(w, 2);

        Pod replacement = pod("Always", container("app"));
        replacement.metadata.uid = "uid-web-2";
        informer.set(replacement);
        w.sync();

        assertThat(w.finished()).isTrue();
        assertThat(runtime.listContainers("uid-web")).isEmpty();
    }

    // ---- probes against a real HTTP server ----------------------------------------------------

    @Test
    void failingLivenessProbeKillsAndRestartsTheContainer() throws Exception {
        try (TestHttpServer server = new TestHttpServer()) {
            Container c = container("app");
            c.livenessProbe = httpProbe(server.port());
            PodWorker w = worker(pod("Always", c));
            sync(w, 2);
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
                assertThat(e.message).isEqualTo("Container app failed liveness probe, will be restarted");
            }));
        }
    }

    /** The grpc example on the fake (hollow) runtime: a health service that stops serving gets the container restarted. */
    @Test
    void failingGrpcLivenessProbeKillsAndRestartsTheContainerOnTheFakeRuntime() throws Exception {
        try (io.kube4j.kubelet.testing.GrpcHealthServer server = new io.kube4j.kubelet.testing.GrpcHealthServer(0)) {
            server.status("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.SERVING);
            Container c = container("app");
            Probe p = new Probe();
            p.grpc = new Probe.GRPCAction();
            p.grpc.port = server.port();
            p.periodSeconds = 1;
            p.failureThreshold = 1;
            p.timeoutSeconds = 2;
            c.livenessProbe = p;
            PodWorker w = worker(pod("Always", c));
            sync(w, 2);
            Thread.sleep(1500);
            sync(w);
            assertThat(status("app").restartCount).isZero();

            server.status("", io.grpc.health.v1.HealthCheckResponse.ServingStatus.NOT_SERVING);
            await().atMost(Duration.ofSeconds(10)).untilAsserted(() -> {
                sync(w);
                assertThat(status("app").restartCount).isEqualTo(1);
            });
            await().untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
                assertThat(e.reason).isEqualTo("Unhealthy");
                assertThat(e.message).isEqualTo("Liveness probe failed: service unhealthy (responded with \"NOT_SERVING\")");
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

            sync(w, 2);
            assertThat(status("app").ready).isFalse();
            assertThat(current().status.condition("Ready").status).isEqualTo("False");
            assertThat(current().status.condition("Ready").message).isEqualTo("containers with unready status: [app]");

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
            sync(w, 2);
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

    static Probe httpProbe(int port) {
        Probe p = new Probe();
        p.httpGet = new Probe.HTTPGetAction();
        p.httpGet.path = "/healthz";
        p.httpGet.port = IntOrString.of(port);
        p.periodSeconds = 1;
        p.failureThreshold = 1;
        p.timeoutSeconds = 1;
        return p;
    }

    // ---- sandbox creation failures ------------------------------------------------------------

    /**
     * kuberuntime_manager.go SyncPod: a failed RunPodSandbox records FailedCreatePodSandBox ("Failed to create pod
     * sandbox: ...") and fails the sync; pod_workers.go requeues the pod after wait.Jitter(backOffPeriod = 10 s, 0.5),
     * so however often the worker is woken meanwhile, RunPodSandbox is not called again before 10 s, and is by 15 s.
     */
    @Test
    void failedSandboxIsRetriedOnlyAfterThePodWorkerBackOff() {
        String message = "failed to setup network for sandbox \"abc\": cni plugin not initialized";
        runtime.failRunPodSandbox(message, true);
        PodWorker w = worker(pod("Always", container("app")));

        sync(w);
        assertThat(calls("runPodSandbox")).isEqualTo(1);
        assertThat(status("app").state.waiting.reason).isEqualTo("ContainerCreating");
        assertThat(w.sandboxRetryAt()).isBetween(clock.instant().plusSeconds(10), clock.instant().plusSeconds(15));
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.events()).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("FailedCreatePodSandBox");
            assertThat(e.type).isEqualTo("Warning");
            assertThat(e.message).isEqualTo("Failed to create pod sandbox: " + message);
        }));

        // the relist sees the failed sandbox, the worker is woken again and again: no new RunPodSandbox
        for (int i = 0; i < 9; i++) {
            clock.advance(Duration.ofSeconds(1));
            sync(w);
        }
        assertThat(calls("runPodSandbox")).as("within the 10 s back-off").isEqualTo(1);

        clock.advance(Duration.ofMillis(6100)); // 15.1 s after the failure: past any jitter
        sync(w);
        assertThat(calls("runPodSandbox")).isEqualTo(2);
        // the same failure again: the recorder counts it on one Event rather than making another
        await().atMost(Duration.ofSeconds(5)).untilAsserted(() -> assertThat(api.storedEvents())
                .filteredOn(e -> e.reason.equals("FailedCreatePodSandBox")).singleElement().satisfies(e -> assertThat(e.count).isEqualTo(2)));
        assertThat(api.events()).filteredOn(e -> e.reason.equals("FailedCreatePodSandBox")).hasSize(1);

        runtime.failRunPodSandbox(null, false);
        clock.advance(Duration.ofSeconds(16));
        sync(w);
        assertThat(calls("runPodSandbox")).isEqualTo(3);
        assertThat(runtime.calls()).contains("create web/app#0", "start web/app#0");
        assertThat(w.sandboxRetryAt()).isNull();
    }

    /** wait.Jitter(d, f) = d + random * f * d; a factor of 0 or less is 1. */
    @Test
    void jitterStretchesTheBackOffByUpToTheFactor() {
        assertThat(PodWorker.jitter(Duration.ofSeconds(10), 0.5, 0.0)).isEqualTo(Duration.ofSeconds(10));
        assertThat(PodWorker.jitter(Duration.ofSeconds(10), 0.5, 0.5)).isEqualTo(Duration.ofMillis(12500));
        assertThat(PodWorker.jitter(Duration.ofSeconds(10), 0.5, 0.999)).isLessThan(Duration.ofSeconds(15));
        assertThat(PodWorker.jitter(Duration.ofSeconds(10), 0, 0.5)).isEqualTo(Duration.ofSeconds(15));
        assertThat(PodWorker.BACKOFF_PERIOD).isEqualTo(Duration.ofSeconds(10));
        assertThat(PodWorker.BACKOFF_JITTER_FACTOR).isEqualTo(0.5);
    }

    /**
     * The storm seen with containerd before its CNI was ready (~550 RunPodSandbox calls per pod in 2 minutes): with the
     * worker's own loop and a relist every 100 ms that sees each failed sandbox appear (and wakes the worker), a failing
     * RunPodSandbox is called once in 3 s, not once per wake-up.
     */
    @Test
    void theRunningLoopDoesNotHammerAFailingRunPodSandbox() throws Exception {
        FakeRuntime failing = new FakeRuntime(Clock.systemUTC(), Duration.ZERO, "127.0.0.1");
        failing.addImage(IMAGE);
        failing.failRunPodSandbox("failed to setup network for sandbox \"x\": cni plugin not initialized", true);
        KubeletContext live = context(failing, Clock.systemUTC(), Duration.ofMillis(100));
        Pod p = pod("Always", container("app"));
        informer.set(api.put(p));
        PodWorker w = new PodWorker(p.metadata.uid, informer::get, live, () -> { });
        live.pleg().addListener(uid -> w.signal());
        live.pleg().start();
        try {
            w.start();
            await().atMost(Duration.ofSeconds(10)).until(() -> failing.calls().stream().anyMatch(c -> c.startsWith("runPodSandbox")));
            Thread.sleep(3000);
            assertThat(failing.calls()).filteredOn(c -> c.startsWith("runPodSandbox")).hasSize(1);
        } finally {
            w.stop();
            live.pleg().stop();
        }
    }
}
