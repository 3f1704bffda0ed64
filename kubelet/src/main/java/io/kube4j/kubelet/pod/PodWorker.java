package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Pod;
import io.kube4j.api.PodStatus;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.kubelet.probe.ContainerProbes;
import io.kube4j.kubelet.probe.ProbeAction;
import io.kube4j.kubelet.probe.ProbeResult;
import io.kube4j.kubelet.probe.ProbeType;
import io.kube4j.kubelet.probe.ProbeWorker;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.ImagePullException;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes one pod real and keeps it so: one worker per pod uid, on its own virtual thread, syncing on
 * every change of the pod and every sync period. A {@link #sync()} compares the pod's spec with what
 * the runtime has (found by the pod uid on every sandbox and container, so a restarted kubelet adopts
 * what it started before) and does the next step: sandbox, image, init containers in order, app
 * containers, restarts per restartPolicy with CrashLoopBackOff, kills on liveness failure; then writes
 * the status when it changed. On deletion it stops the containers gracefully (preStop, SIGTERM, wait
 * up to the grace period, SIGKILL), removes them and deletes the pod with grace 0.
 */
public final class PodWorker {
    private static final Logger log = LoggerFactory.getLogger(PodWorker.class);
    private static final Duration READINESS_EVENT_INTERVAL = Duration.ofSeconds(30);

    private final String uid;
    private final Supplier<Pod> source;
    private final KubeletContext ctx;
    private final ContainerRuntime runtime;
    private final Runnable onFinished;
    private final Instant firstSeen;
    private final LinkedBlockingQueue<Boolean> signals = new LinkedBlockingQueue<>(1);
    // probe workers by container id: a new container instance gets new probes
    private final Map<String, ContainerProbes> probes = new ConcurrentHashMap<>();
    // containers this worker started: a CREATED one not in here was left by a previous kubelet
    private final Set<String> startedIds = ConcurrentHashMap.newKeySet();
    // one BackOff / readiness event per container instance, not one per sync
    private final Set<String> backOffReported = ConcurrentHashMap.newKeySet();
    private final Map<String, Instant> lastReadinessEvent = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastPullFailure = new ConcurrentHashMap<>();
    private volatile Pod lastKnown;
    private volatile String lastWrittenStatus;
    private volatile boolean startRecorded;
    private volatile boolean finished;
    private volatile boolean stopped;
    private volatile int runningContainers;
    private volatile boolean running;
    private volatile Thread thread;

    /** {@code source} returns the pod as the informer has it now (null when gone). */
    public PodWorker(String uid, Supplier<Pod> source, KubeletContext ctx, Runnable onFinished) {
        this.uid = uid;
        this.source = source;
        this.ctx = ctx;
        this.runtime = ctx.runtime();
        this.onFinished = onFinished;
        this.firstSeen = ctx.clock().instant();
    }

    public String uid() {
        return uid;
    }

    /** Whether the pod is gone and everything it ran is removed. */
    public boolean finished() {
        return finished;
    }

    public int runningContainers() {
        return runningContainers;
    }

    /** Whether the pod has a running container. */
    public boolean running() {
        return running;
    }

    /** Starts the sync loop on a virtual thread. */
    public void start() {
        thread = Thread.ofVirtual().name("pod-worker-" + uid).start(this::loop);
    }

    /** Asks for a sync as soon as possible. */
    public void signal() {
        signals.offer(Boolean.TRUE);
    }

    /** Stops the loop (kubelet shutdown) without touching the pod's containers. */
    public void stop() {
        stopped = true;
        probes.values().forEach(ContainerProbes::stop);
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void loop() {
        while (!finished && !stopped) {
            try {
                sync();
            } catch (ApiException | ContainerRuntimeException e) {
                // transient: the apiserver or runtime will be back; the next sync retries
                log.warn("sync of pod {} failed: {}", describe(), e.getMessage());
            } catch (RuntimeException e) {
                log.error("sync of pod {} failed", describe(), e);
            }
            if (finished || stopped) {
                break;
            }
            try {
                signals.poll(ctx.syncPeriod().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
        }
        if (finished) {
            onFinished.run();
        }
    }

    private String describe() {
        Pod p = lastKnown;
        return p == null ? uid : p.key();
    }

    // ---- sync ---------------------------------------------------------------------------------

    /** One idempotent pass: bring the runtime in line with the pod, then report its status. */
    public synchronized void sync() {
        if (finished) {
            return;
        }
        Pod pod = source.get();
        if (pod != null && !uid.equals(pod.metadata.uid)) {
            pod = null; // the name now belongs to a new pod
        }
        if (pod == null) {
            // deleted without us (force delete, or bound elsewhere): nothing to report any more
            terminate(lastKnown, false);
            return;
        }
        lastKnown = pod;
        if (pod.metadata.deletionTimestamp != null) {
            terminate(pod, true);
            return;
        }
        if ("Succeeded".equals(pod.status.phase) || "Failed".equals(pod.status.phase)) {
            // a finished pod never runs again; its containers stay for their logs until it is deleted
            stopTerminalPod(pod);
            return;
        }
        Map<String, ContainerStatus.Waiting> waiting = new HashMap<>();
        Sandbox sandbox = ensureSandbox(pod, waiting);
        boolean initDone = false;
        if (sandbox != null) {
            List<ContainerInfo> containers = runtime.listContainers(uid);
            initDone = syncInitContainers(pod, sandbox, containers, waiting);
            if (initDone) {
                syncAppContainers(pod, sandbox, containers, waiting);
            }
        }
        List<ContainerInfo> containers = runtime.listContainers(uid);
        syncProbes(pod, sandbox, containers);
        writeStatus(pod, sandbox, containers, waiting, initDone);
        pruneDeadContainers(containers);
    }

    private Sandbox ensureSandbox(Pod pod, Map<String, ContainerStatus.Waiting> waiting) {
        List<Sandbox> sandboxes = runtime.listPodSandboxes(uid);
        Sandbox ready = sandboxes.stream().filter(Sandbox::ready).max(Comparator.comparingInt(Sandbox::attempt)).orElse(null);
        if (ready != null) {
            return ready;
        }
        // no (live) sandbox: the pod's network is gone, so its containers go too and all starts afresh
        for (ContainerInfo c : runtime.listContainers(uid)) {
            if (c.running()) {
                runtime.stopContainer(c.id(), Duration.ZERO);
            }
        }
        for (Sandbox old : sandboxes) {
            runtime.removePodSandbox(old.id());
        }
        int attempt = sandboxes.stream().mapToInt(Sandbox::attempt).max().orElse(-1) + 1;
        String hostname = pod.spec.hostname != null ? pod.spec.hostname : pod.metadata.name;
        try {
            String id = runtime.runPodSandbox(new SandboxConfig(ref(pod), attempt, hostname.length() > 63 ? hostname.substring(0, 63) : hostname));
            return runtime.listPodSandboxes(uid).stream().filter(s -> s.id().equals(id)).findFirst()
                    .orElseThrow(() -> new ContainerRuntimeException("sandbox " + id + " vanished"));
        } catch (ContainerRuntimeException | ImagePullException e) {
            ctx.events().warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
            for (Container c : allContainers(pod)) {
                waiting.put(c.name, waiting("ContainerCreating", "Failed to create pod sandbox: " + e.getMessage()));
            }
            return null;
        }
    }

    /** Runs the init containers one at a time, in order; true when all have completed. */
    private boolean syncInitContainers(Pod pod, Sandbox sandbox, List<ContainerInfo> containers, Map<String, ContainerStatus.Waiting> waiting) {
        for (Container c : pod.spec.initContainers) {
            ContainerInfo latest = latest(containers, c.name);
            if (latest == null) {
                startContainer(pod, sandbox, c, 0, waiting);
                return false;
            }
            if (latest.exited() && latest.exitCode() == 0) {
                continue;
            }
            if (latest.state() == ContainerInfo.State.CREATED) {
                startAdopted(latest);
                return false;
            }
            if (latest.exited() && !"Never".equals(restartPolicy(pod))) {
                restartWithBackoff(pod, sandbox, c, latest, waiting);
            }
            return false;
        }
        return true;
    }

    private void syncAppContainers(Pod pod, Sandbox sandbox, List<ContainerInfo> containers, Map<String, ContainerStatus.Waiting> waiting) {
        for (Container c : pod.spec.containers) {
            ContainerInfo latest = latest(containers, c.name);
            if (latest == null) {
                startContainer(pod, sandbox, c, 0, waiting);
                continue;
            }
            if (latest.running()) {
                ContainerProbes p = probes.get(latest.id());
                ProbeType failed = p == null ? null : p.failed();
                if (failed == null) {
                    continue;
                }
                ctx.events().normal(pod, "Killing", "Container " + c.name + " failed " + failed.name().toLowerCase() + " probe, will be restarted");
                probes.remove(latest.id()).stop();
                runtime.stopContainer(latest.id(), gracePeriod(pod, failed == ProbeType.STARTUP ? c.startupProbe : c.livenessProbe));
                latest = runtime.containerStatus(latest.id());
                if (latest == null || !latest.exited()) {
                    continue;
                }
            }
            if (latest.state() == ContainerInfo.State.CREATED) {
                startAdopted(latest);
            } else if (latest.exited() && shouldRestart(restartPolicy(pod), latest.exitCode())) {
                restartWithBackoff(pod, sandbox, c, latest, waiting);
            }
        }
    }

    private static boolean shouldRestart(String policy, int exitCode) {
        return switch (policy) {
            case "Never" -> false;
            case "OnFailure" -> exitCode != 0;
            default -> true;
        };
    }

    private void restartWithBackoff(Pod pod, Sandbox sandbox, Container c, ContainerInfo latest, Map<String, ContainerStatus.Waiting> waiting) {
        String key = uid + "/" + c.name;
        Instant now = ctx.clock().instant();
        Duration remaining = ctx.crashBackoff().remaining(key, latest.startedAt(), latest.finishedAt() != null ? latest.finishedAt() : now, now);
        if (!remaining.isZero()) {
            String message = "back-off " + human(ctx.crashBackoff().current(key)) + " restarting failed container=" + c.name
                    + " pod=" + pod.metadata.name + "_" + pod.metadata.namespace + "(" + uid + ")";
            waiting.put(c.name, waiting("CrashLoopBackOff", message));
            if (backOffReported.add(latest.id())) {
                ctx.events().warning(pod, "BackOff", "Back-off restarting failed container " + c.name + " in pod " + pod.metadata.name + "_" + pod.metadata.namespace + "(" + uid + ")");
            }
            return;
        }
        ctx.crashBackoff().retried(key);
        startContainer(pod, sandbox, c, latest.attempt() + 1, waiting);
    }

    /** A container created by an earlier kubelet that died before starting it. */
    private void startAdopted(ContainerInfo c) {
        if (startedIds.add(c.id())) {
            runtime.startContainer(c.id());
        }
    }

    private void startContainer(Pod pod, Sandbox sandbox, Container c, int attempt, Map<String, ContainerStatus.Waiting> waiting) {
        if (!ensureImage(pod, c, waiting)) {
            return;
        }
        String id;
        try {
            id = runtime.createContainer(sandbox, ctx.configFactory().create(pod, c, attempt, sandbox.ip(), ctx.hostIp()));
        } catch (ContainerRuntimeException e) {
            waiting.put(c.name, waiting("CreateContainerError", e.getMessage()));
            ctx.events().warning(pod, "Failed", "Error: " + e.getMessage());
            return;
        }
        ctx.events().normal(pod, "Created", "Created container " + c.name);
        startedIds.add(id);
        try {
            runtime.startContainer(id);
        } catch (ContainerRuntimeException e) {
            // the runtime keeps the failed container as exited; the next sync restarts it with backoff
            waiting.put(c.name, waiting("RunContainerError", e.getMessage()));
            ctx.events().warning(pod, "Failed", "Error: " + e.getMessage());
            return;
        }
        ctx.events().normal(pod, "Started", "Started container " + c.name);
    }

    /** Makes sure the image is there per imagePullPolicy; false (with a waiting reason) when it is not. */
    private boolean ensureImage(Pod pod, Container c, Map<String, ContainerStatus.Waiting> waiting) {
        String image = c.image;
        if (image == null || image.isBlank()) {
            waiting.put(c.name, waiting("InvalidImageName", "container " + c.name + " has no image"));
            return false;
        }
        String policy = c.imagePullPolicy != null ? c.imagePullPolicy : defaultPullPolicy(image);
        if ("Never".equals(policy) || "IfNotPresent".equals(policy)) {
            if (runtime.imagePresent(image)) {
                ctx.events().normal(pod, "Pulled", "Container image \"" + image + "\" already present on machine");
                return true;
            }
            if ("Never".equals(policy)) {
                String message = "Container image \"" + image + "\" is not present with pull policy of Never";
                waiting.put(c.name, waiting("ErrImageNeverPull", message));
                ctx.events().warning(pod, "ErrImageNeverPull", message);
                return false;
            }
        }
        String key = uid + "/" + c.name + "/pull";
        Instant now = ctx.clock().instant();
        Duration remaining = ctx.pullBackoff().remaining(key, null, lastPullFailure.get(key), now);
        if (!remaining.isZero()) {
            waiting.put(c.name, waiting("ImagePullBackOff", "Back-off pulling image \"" + image + "\""));
            return false;
        }
        ctx.events().normal(pod, "Pulling", "Pulling image \"" + image + "\"");
        long start = System.nanoTime();
        try {
            runtime.pullImage(image);
        } catch (ImagePullException e) {
            lastPullFailure.put(key, now);
            ctx.pullBackoff().retried(key);
            waiting.put(c.name, waiting("ErrImagePull", e.getMessage()));
            ctx.events().warning(pod, "Failed", "Failed to pull image \"" + image + "\": " + e.getMessage());
            return false;
        }
        lastPullFailure.remove(key);
        ctx.pullBackoff().forget(key);
        ctx.events().normal(pod, "Pulled", "Successfully pulled image \"" + image + "\" in " + Duration.ofNanos(System.nanoTime() - start).toMillis() + "ms");
        return true;
    }

    /** Kubernetes' default: Always for {@code :latest} or no tag, IfNotPresent otherwise. */
    static String defaultPullPolicy(String image) {
        String name = image.contains("@") ? image.substring(0, image.indexOf('@')) : image;
        if (image.contains("@")) {
            return "IfNotPresent";
        }
        int slash = name.lastIndexOf('/');
        int colon = name.lastIndexOf(':');
        boolean tagged = colon > slash;
        return !tagged || name.endsWith(":latest") ? "Always" : "IfNotPresent";
    }

    // ---- probes -------------------------------------------------------------------------------

    private void syncProbes(Pod pod, Sandbox sandbox, List<ContainerInfo> containers) {
        Set<String> runningIds = new HashSet<>();
        for (ContainerInfo info : containers) {
            if (!info.running() || sandbox == null) {
                continue;
            }
            runningIds.add(info.id());
            Container spec = pod.spec.containers.stream().filter(c -> c.name.equals(info.name())).findFirst().orElse(null);
            if (spec == null || (spec.livenessProbe == null && spec.readinessProbe == null && spec.startupProbe == null)) {
                continue;
            }
            probes.computeIfAbsent(info.id(), id -> ContainerProbes.start(spec, id, sandbox.ip(),
                    info.startedAt() != null ? info.startedAt() : Instant.now(), ctx.probeRunner(), this::onProbe));
        }
        for (String id : List.copyOf(probes.keySet())) {
            if (!runningIds.contains(id)) {
                ContainerProbes p = probes.remove(id);
                if (p != null) {
                    p.stop();
                }
            }
        }
    }

    private void onProbe(ProbeWorker worker, ProbeResult run, boolean changed) {
        Pod pod = lastKnown;
        if (!run.success() && pod != null) {
            String key = worker.container().name + "/" + worker.type();
            Instant now = Instant.now();
            Instant last = lastReadinessEvent.get(key);
            // liveness and startup failures are few (they end in a restart); readiness can fail for hours
            if (worker.type() != ProbeType.READINESS || last == null || Duration.between(last, now).compareTo(READINESS_EVENT_INTERVAL) >= 0) {
                lastReadinessEvent.put(key, now);
                ctx.events().warning(pod, "Unhealthy", worker.type().display() + " probe failed: " + run.message());
            }
        }
        if (changed) {
            signal();
        }
    }

    // ---- status -------------------------------------------------------------------------------

    private void writeStatus(Pod pod, Sandbox sandbox, List<ContainerInfo> containers, Map<String, ContainerStatus.Waiting> waiting, boolean initDone) {
        List<ContainerStatus> initStatuses = new ArrayList<>();
        for (Container c : pod.spec.initContainers) {
            initStatuses.add(containerStatus(c, containers, waiting, true, false));
        }
        List<ContainerStatus> statuses = new ArrayList<>();
        for (Container c : pod.spec.containers) {
            statuses.add(containerStatus(c, containers, waiting, initDone, true));
        }
        Instant now = ctx.clock().instant();
        PodStatus status = PodStatusBuilder.build(pod, initStatuses, statuses, sandbox == null ? null : sandbox.ip(), ctx.hostIp(), now);
        int runningNow = (int) containers.stream().filter(ContainerInfo::running).count();
        runningContainers = runningNow;
        running = runningNow > 0;
        if (!startRecorded && !statuses.isEmpty() && statuses.stream().allMatch(s -> s.state != null && s.state.running != null)) {
            startRecorded = true;
            ctx.metrics().podStarted(Duration.between(firstSeen, now));
        }
        String json = Json.write(status);
        if (json.equals(lastWrittenStatus) || json.equals(Json.write(pod.status))) {
            return;
        }
        Pod update = Json.copy(pod);
        update.status = status;
        try {
            ctx.client().updateStatus(update);
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return;
            }
            if (!e.isConflict()) {
                throw e;
            }
            // our copy was stale: the status is ours to write, so write it over the fresh object
            Pod fresh = ctx.client().get(Pod.class, pod.metadata.namespace, pod.metadata.name);
            if (!uid.equals(fresh.metadata.uid)) {
                return;
            }
            fresh.status = status;
            ctx.client().updateStatus(fresh);
        }
        lastWrittenStatus = json;
    }

    private ContainerStatus containerStatus(Container c, List<ContainerInfo> containers, Map<String, ContainerStatus.Waiting> waiting,
                                            boolean mayStart, boolean app) {
        List<ContainerInfo> instances = instances(containers, c.name);
        ContainerInfo latest = instances.isEmpty() ? null : instances.get(0);
        ContainerInfo previous = instances.size() > 1 ? instances.get(1) : null;
        ContainerStatus s = new ContainerStatus();
        s.name = c.name;
        s.image = c.image;
        s.restartCount = latest == null ? 0 : latest.attempt();
        s.state = new ContainerStatus.ContainerState();
        if (latest != null) {
            s.containerID = ctx.runtimeName() + "://" + latest.id();
            s.imageID = latest.imageId();
        }
        ContainerStatus.Waiting w = waiting.get(c.name);
        if (latest != null && latest.running()) {
            s.state.running = new ContainerStatus.Running();
            s.state.running.startedAt = time(latest.startedAt());
            s.lastState = terminatedState(previous);
            ContainerProbes p = probes.get(latest.id());
            s.started = app ? (p == null || p.started()) : null;
            s.ready = p == null || p.ready();
        } else if (w != null) {
            s.state.waiting = w;
            s.lastState = terminatedState(latest);
            s.started = app ? false : null;
        } else if (latest != null && latest.exited()) {
            s.state.terminated = terminated(latest);
            s.lastState = terminatedState(previous);
            s.started = app ? false : null;
        } else {
            s.state.waiting = waiting(mayStart ? "ContainerCreating" : "PodInitializing", null);
            s.lastState = terminatedState(latest);
            s.started = app ? false : null;
        }
        if (s.lastState == null) {
            s.lastState = new ContainerStatus.ContainerState();
        }
        return s;
    }

    private ContainerStatus.ContainerState terminatedState(ContainerInfo info) {
        if (info == null || !info.exited()) {
            return null;
        }
        ContainerStatus.ContainerState state = new ContainerStatus.ContainerState();
        state.terminated = terminated(info);
        return state;
    }

    private ContainerStatus.Terminated terminated(ContainerInfo info) {
        ContainerStatus.Terminated t = new ContainerStatus.Terminated();
        t.exitCode = info.exitCode();
        t.reason = info.reason() != null ? info.reason() : info.exitCode() == 0 ? "Completed" : "Error";
        t.message = info.message();
        t.startedAt = time(info.startedAt());
        t.finishedAt = time(info.finishedAt());
        t.containerID = ctx.runtimeName() + "://" + info.id();
        return t;
    }

    // ---- stopping -----------------------------------------------------------------------------

    private void stopTerminalPod(Pod pod) {
        probes.values().forEach(ContainerProbes::stop);
        probes.clear();
        for (ContainerInfo c : runtime.listContainers(uid)) {
            if (c.running()) {
                runtime.stopContainer(c.id(), gracePeriod(pod, null));
            }
        }
        for (Sandbox s : runtime.listPodSandboxes(uid)) {
            if (s.ready()) {
                runtime.stopPodSandbox(s.id());
            }
        }
        runningContainers = 0;
        running = false;
    }

    /**
     * Stops everything of the pod: preStop hooks and SIGTERM in parallel, SIGKILL when the grace period
     * is over, then removes containers and sandboxes; when the pod was deleted gracefully, finishes the
     * deletion with grace 0 (only for this uid).
     */
    private void terminate(Pod pod, boolean deleteFromApi) {
        probes.values().forEach(ContainerProbes::stop);
        probes.clear();
        Duration grace = pod == null ? Duration.ofSeconds(2) : gracePeriod(pod, null);
        Instant deadline = Instant.now().plus(grace);
        List<Thread> stoppers = new ArrayList<>();
        List<RuntimeException> failures = new java.util.concurrent.CopyOnWriteArrayList<>();
        for (ContainerInfo c : runtime.listContainers(uid)) {
            if (c.running() || c.state() == ContainerInfo.State.CREATED) {
                stoppers.add(Thread.ofVirtual().start(() -> {
                    try {
                        stopGracefully(pod, c, deadline);
                    } catch (RuntimeException e) {
                        failures.add(e);
                    }
                }));
            }
        }
        for (Thread t : stoppers) {
            try {
                t.join();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new ContainerRuntimeException("interrupted while stopping pod " + describe());
            }
        }
        if (!failures.isEmpty()) {
            throw failures.get(0);
        }
        for (Sandbox s : runtime.listPodSandboxes(uid)) {
            runtime.stopPodSandbox(s.id());
        }
        for (ContainerInfo c : runtime.listContainers(uid)) {
            runtime.removeContainer(c.id());
        }
        for (Sandbox s : runtime.listPodSandboxes(uid)) {
            runtime.removePodSandbox(s.id());
        }
        ctx.crashBackoff().forget(uid);
        ctx.pullBackoff().forget(uid);
        runningContainers = 0;
        running = false;
        if (deleteFromApi && pod != null) {
            DeleteOptions options = new DeleteOptions();
            options.gracePeriodSeconds = 0L;
            options.preconditions = new DeleteOptions.Preconditions();
            options.preconditions.uid = uid;
            try {
                ctx.client().delete(Pod.class, pod.metadata.namespace, pod.metadata.name, options);
            } catch (ApiException e) {
                if (!e.isNotFound() && !e.isConflict()) {
                    throw e;
                }
            }
        }
        finished = true;
    }

    private void stopGracefully(Pod pod, ContainerInfo c, Instant deadline) {
        Container spec = pod == null ? null : allContainers(pod).stream().filter(x -> x.name.equals(c.name())).findFirst().orElse(null);
        if (spec != null && spec.lifecycle != null && spec.lifecycle.preStop != null && c.running()) {
            Duration budget = Duration.between(Instant.now(), deadline);
            if (budget.isPositive()) {
                ProbeResult r = ctx.probeRunner().run(ProbeAction.of(spec.lifecycle.preStop), spec, c.id(), podIp(), budget);
                if (!r.success()) {
                    ctx.events().warning(pod, "FailedPreStopHook", "PreStopHook failed: " + r.message());
                }
            }
        }
        if (pod != null) {
            ctx.events().normal(pod, "Killing", "Stopping container " + c.name());
        }
        long remainingMillis = Math.max(0, Duration.between(Instant.now(), deadline).toMillis());
        // whole seconds, rounded up: runtimes take seconds, and a 7 s grace period must not become 6
        runtime.stopContainer(c.id(), Duration.ofSeconds((remainingMillis + 999) / 1000));
    }

    private String podIp() {
        return runtime.listPodSandboxes(uid).stream().filter(Sandbox::ready).map(Sandbox::ip).findFirst().orElse(null);
    }

    /** The deletion's grace period, else the probe's, else the pod's terminationGracePeriodSeconds, else 30 s. */
    private static Duration gracePeriod(Pod pod, io.kube4j.api.Probe probe) {
        Long seconds = pod.metadata.deletionTimestamp != null ? pod.metadata.deletionGracePeriodSeconds : null;
        if (seconds == null && probe != null) {
            seconds = probe.terminationGracePeriodSeconds;
        }
        if (seconds == null) {
            seconds = pod.spec.terminationGracePeriodSeconds;
        }
        return Duration.ofSeconds(seconds == null ? 30 : Math.max(0, seconds));
    }

    /** Keeps the latest two instances of each container (current and previous, for logs and lastState). */
    private void pruneDeadContainers(List<ContainerInfo> containers) {
        Map<String, List<ContainerInfo>> byName = new HashMap<>();
        for (ContainerInfo c : containers) {
            byName.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(c);
        }
        for (List<ContainerInfo> list : byName.values()) {
            list.sort(Comparator.comparingInt(ContainerInfo::attempt).reversed());
            for (ContainerInfo old : list.subList(Math.min(2, list.size()), list.size())) {
                if (old.exited()) {
                    runtime.removeContainer(old.id());
                    backOffReported.remove(old.id());
                }
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------

    private static List<ContainerInfo> instances(List<ContainerInfo> containers, String name) {
        return containers.stream().filter(c -> c.name().equals(name)).sorted(Comparator.comparingInt(ContainerInfo::attempt).reversed()).toList();
    }

    private static ContainerInfo latest(List<ContainerInfo> containers, String name) {
        List<ContainerInfo> all = instances(containers, name);
        return all.isEmpty() ? null : all.get(0);
    }

    private static List<Container> allContainers(Pod pod) {
        List<Container> all = new ArrayList<>(pod.spec.initContainers);
        all.addAll(pod.spec.containers);
        return all;
    }

    private static String restartPolicy(Pod pod) {
        return pod.spec.restartPolicy == null ? "Always" : pod.spec.restartPolicy;
    }

    private static PodRef ref(Pod pod) {
        return new PodRef(pod.metadata.uid, pod.metadata.namespace, pod.metadata.name);
    }

    private static ContainerStatus.Waiting waiting(String reason, String message) {
        ContainerStatus.Waiting w = new ContainerStatus.Waiting();
        w.reason = reason;
        w.message = message;
        return w;
    }

    private static String time(Instant i) {
        return i == null ? null : Times.format(i);
    }

    private static String human(Duration d) {
        long s = d.toSeconds();
        return s >= 60 && s % 60 == 0 ? (s / 60) + "m0s" : s >= 60 ? (s / 60) + "m" + (s % 60) + "s" : s + "s";
    }
}
