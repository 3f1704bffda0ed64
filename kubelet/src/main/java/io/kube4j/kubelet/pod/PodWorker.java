package io.kube4j.kubelet.pod;

import io.kube4j.api.Container;
import io.kube4j.api.ContainerStatus;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Pod;
import io.kube4j.api.PodStatus;
import io.kube4j.client.ApiException;
import io.kube4j.json.Times;
import io.kube4j.kubelet.probe.ProbeManager;
import io.kube4j.kubelet.probe.ProbeResult;
import io.kube4j.kubelet.probe.ProbeType;
import io.kube4j.kubelet.probe.ProbeWorker;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.ImagePullException;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.RuntimePod;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;
import io.kube4j.kubelet.volume.VolumeManager;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Supplier;

/**
 * Makes one pod real and keeps it so: one worker per pod uid on its own virtual thread (Kubernetes'
 * {@code pod_workers.go} + {@code syncPod}). Each {@link #sync()} plans, then acts:
 * <ol>
 *   <li>read the pod (informer) and what the runtime had for it at the node's last relist ({@code Pleg});</li>
 *   <li>set up or update its volumes ({@link VolumeManager}); until all are set up nothing is started;</li>
 *   <li>plan: {@link PodActionsPlanner#compute} decides what to kill and start, pure;</li>
 *   <li>report: {@link PodStatusGenerator} builds the status from the same picture, {@link StatusManager}
 *       PATCHes it when it changed;</li>
 *   <li>act: {@link ContainerKiller}, sandbox, {@link ContainerStarter} (with {@link ImagePuller}), probes.</li>
 * </ol>
 * After acting, the next sync waits for a relist newer than the picture it acted on, so nothing is done
 * twice. A terminal pod (Succeeded/Failed) is stopped and keeps its containers for their logs; a deleted
 * pod is stopped (preStop, SIGTERM, SIGKILL after the grace period, sidecars last), cleaned up and
 * deleted with grace 0 (Kubernetes' syncTerminatingPod / syncTerminatedPod).
 */
public final class PodWorker {
    private static final Logger log = LoggerFactory.getLogger(PodWorker.class);
    private static final Duration READINESS_EVENT_INTERVAL = Duration.ofSeconds(30);
    /**
     * How long a container whose creation failed waits before the next try: Kubernetes' pod worker
     * backOffPeriod (pkg/kubelet/kubelet.go backOffPeriod = 10 s; the jitter of up to 50 % is left out so tests
     * can name the moment).
     */
    static final Duration SYNC_ERROR_BACKOFF = Duration.ofSeconds(10);
    /**
     * The pod worker's back-off after a failed sync (Kubernetes' kubelet.go {@code backOffPeriod}, 10 s), stretched by
     * up to {@link #BACKOFF_JITTER_FACTOR} of itself: pod_workers.go completeWork requeues a pod whose sync failed
     * after {@code wait.Jitter(backOffPeriod, workerBackOffPeriodJitterFactor)}.
     */
    static final Duration BACKOFF_PERIOD = Duration.ofSeconds(10);
    /** pod_workers.go {@code workerBackOffPeriodJitterFactor}. */
    static final double BACKOFF_JITTER_FACTOR = 0.5;
    private static final Set<String> RETRIED_AFTER_SYNC_BACKOFF = Set.of("CreateContainerConfigError", "CreateContainerError");

    private final String uid;
    private final Supplier<Pod> source;
    private final KubeletContext ctx;
    private final Runnable onFinished;
    private final Instant firstSeen;
    private final ProbeManager probes;
    private final ContainerKiller killer;
    private final ContainerStarter starter;
    private final LinkedBlockingQueue<Boolean> signals = new LinkedBlockingQueue<>(1);
    // why containers that should run do not, by name (Kubernetes' reasonCache): shown as their waiting state
    private final Map<String, ContainerStatus.Waiting> reasons = new ConcurrentHashMap<>();
    // one BackOff event per exited instance, one Unhealthy readiness event per 30 s
    private final Set<String> backOffReported = ConcurrentHashMap.newKeySet();
    // per container: when a start that failed with CreateContainerError / CreateContainerConfigError may be tried again
    private final Map<String, Instant> startRetryAt = new ConcurrentHashMap<>();
    private final Map<String, Instant> lastReadinessEvent = new ConcurrentHashMap<>();
    private volatile Pod lastKnown;
    // when a pod whose sandbox could not be created (FailedCreatePodSandBox) may try RunPodSandbox again; null: now
    private volatile Instant sandboxRetryAt;
    // the relists started when the last actions were done (the next sync needs a newer picture); -1 when the
    // last sync did nothing. Starts at 0:
    // the first sync waits for the node's first relist, else a restarted kubelet would not see what runs
    private volatile long actedOn = 0;
    private volatile boolean deadlineReported;
    private volatile boolean startRecorded;
    private volatile boolean finished;
    private volatile boolean stopped;
    private volatile int runningContainers;
    private volatile Thread thread;

    /**
     * @param uid        the pod's uid
     * @param source     the pod as the informer has it now (null when gone)
     * @param ctx        the node's shared parts
     * @param onFinished run once the pod is gone and everything it ran is removed
     */
    public PodWorker(String uid, Supplier<Pod> source, KubeletContext ctx, Runnable onFinished) {
        this.uid = uid;
        this.source = source;
        this.ctx = ctx;
        this.onFinished = onFinished;
        this.firstSeen = ctx.clock().instant();
        this.probes = new ProbeManager(ctx.probeRunner(), ctx.clock(), this::onProbe);
        this.killer = new ContainerKiller(ctx);
        this.starter = new ContainerStarter(ctx, new ImagePuller(ctx), killer);
    }

    /** The uid of the pod this worker owns. */
    public String uid() {
        return uid;
    }

    /** Whether the pod is gone and everything it ran is removed. */
    public boolean finished() {
        return finished;
    }

    /** Running containers at the last sync. */
    public int runningContainers() {
        return runningContainers;
    }

    /** Whether the pod had a running container at the last sync. */
    public boolean running() {
        return runningContainers > 0;
    }

    /** Starts the sync loop on a virtual thread. */
    public void start() {
        thread = Thread.ofVirtual().name("pod-worker-" + uid).start(this::loop);
    }

    /** Asks for a sync as soon as possible (pod changed, runtime changed, a probe's verdict changed). */
    public void signal() {
        signals.offer(Boolean.TRUE);
    }

    /** Stops the loop (kubelet shutdown) without touching the pod's containers. */
    public void stop() {
        stopped = true;
        probes.stopAll();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void loop() {
        while (!finished && !stopped) {
            try {
                long acted = actedOn;
                if (acted >= 0) {
                    // never act twice on the same picture: wait for a relist after our last actions
                    ctx.pleg().awaitNewerThan(acted, ctx.syncPeriod().multipliedBy(5));
                }
                sync();
            } catch (InterruptedException e) {
                break;
            } catch (ApiException | ContainerRuntimeException | ImagePullException e) {
                // transient: the apiserver or runtime will be back; retried after the pod worker's back-off
                log.warn("sync of pod {} failed: {}", describe(), e.getMessage());
                if (!backOff()) {
                    break;
                }
            } catch (RuntimeException e) {
                log.error("sync of pod {} failed", describe(), e);
                if (!backOff()) {
                    break;
                }
            }
            if (finished || stopped) {
                break;
            }
            try {
                signals.poll(untilNextSync().toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                break;
            }
        }
        if (finished) {
            onFinished.run();
        }
    }

    /**
     * Waits out the back-off after a failed sync (Kubernetes' completeWork with a sync error: the pod is requeued after
     * {@code wait.Jitter(backOffPeriod, 0.5)}, 10 to 15 s, not at once). Only the pod's deletion cuts it short, as a
     * kill update reaches Kubernetes' pod worker at once. False when interrupted.
     */
    private boolean backOff() {
        Instant until = ctx.clock().instant().plus(jitter(BACKOFF_PERIOD, BACKOFF_JITTER_FACTOR, ThreadLocalRandom.current().nextDouble()));
        try {
            while (!stopped) {
                Duration left = Duration.between(ctx.clock().instant(), until);
                if (left.isNegative() || left.isZero()) {
                    return true;
                }
                if (signals.poll(left.toMillis(), TimeUnit.MILLISECONDS) != null) {
                    Pod pod = source.get();
                    if (pod == null || pod.metadata.deletionTimestamp != null) {
                        return true;
                    }
                }
            }
            return false;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** How long the loop waits for a signal: the sync period, or less when a sandbox back-off ends sooner. */
    private Duration untilNextSync() {
        Duration wait = ctx.syncPeriod();
        Instant retry = sandboxRetryAt;
        if (retry != null) {
            // a back-off already over was seen by the sync that just ran: no reason to wake early (and never spin)
            Duration left = Duration.between(ctx.clock().instant(), retry);
            if (!left.isNegative() && !left.isZero() && left.compareTo(wait) < 0) {
                wait = left;
            }
        }
        return wait;
    }

    /**
     * Kubernetes' {@code wait.Jitter(duration, maxFactor)}: {@code duration + random * maxFactor * duration}, a
     * factor of 0 or less meaning 1.
     *
     * @param random a number in [0, 1)
     */
    static Duration jitter(Duration duration, double maxFactor, double random) {
        double factor = maxFactor <= 0 ? 1.0 : maxFactor;
        return duration.plusNanos((long) (random * factor * duration.toNanos()));
    }

    /** When the pod may try to create its sandbox again after a failure (null when it may now); for tests. */
    Instant sandboxRetryAt() {
        return sandboxRetryAt;
    }

    private String describe() {
        Pod p = lastKnown;
        return p == null ? uid : p.key();
    }

    // ---- sync ---------------------------------------------------------------------------------

    /** One pass over the pod as of the last relist: plan, report, act. Idempotent. */
    public synchronized void sync() {
        if (finished) {
            return;
        }
        Pod pod = source.get();
        if (pod != null && !uid.equals(pod.metadata.uid)) {
            pod = null; // the name now belongs to a new pod
        }
        RuntimePod runtime = ctx.pleg().pod(uid);
        runningContainers = runtime.running().size();
        if (pod == null) {
            // deleted without us (force delete, or bound elsewhere): stop and clean up, nothing to report
            terminate(lastKnown, false);
            return;
        }
        lastKnown = pod;
        if (pod.metadata.deletionTimestamp != null) {
            terminate(pod, true);
            return;
        }
        PodStatus written = ctx.statusManager().status(uid);
        boolean terminal = PodStatusGenerator.terminal(pod.status == null ? null : pod.status.phase)
                || (written != null && PodStatusGenerator.terminal(written.phase));
        if (terminal) {
            syncTerminal(pod, runtime, written);
            return;
        }
        // Kubernetes' WaitForAttachAndMount, without the waiting: set up (or update) the volumes, see which are ready
        VolumeManager.PodVolumes volumes = ctx.volumes().mountPod(pod);
        Instant now = ctx.clock().instant();
        String startTime = written != null && written.startTime != null ? written.startTime : pod.status == null ? null : pod.status.startTime;
        PodActions actions = PodActionsPlanner.compute(pod, runtime, probes, ctx.crashBackoff(), startTime == null ? null : Times.parse(startTime), now);
        actions.backOff().forEach(reasons::put);
        reportBackOff(pod, runtime, actions);

        PodStatusGenerator.Eviction eviction = actions.deadlineExceeded()
                ? new PodStatusGenerator.Eviction(PodActionsPlanner.DEADLINE_REASON, PodActionsPlanner.DEADLINE_MESSAGE) : null;
        PodStatus status = PodStatusGenerator.generate(new PodStatusGenerator.Input(pod, written, runtime, Map.copyOf(reasons), probes,
                ctx.runtimeName(), ctx.hostIp(), false, eviction, now));
        ctx.statusManager().set(pod, status);
        recordStart(status, now);
        if (eviction != null && !deadlineReported) {
            deadlineReported = true;
            ctx.events().normal(pod, PodActionsPlanner.DEADLINE_REASON, PodActionsPlanner.DEADLINE_MESSAGE);
        }
        if (PodStatusGenerator.terminal(status.phase)) {
            // done for good (all containers finished under Never/OnFailure, or the deadline passed)
            syncTerminal(pod, runtime, ctx.statusManager().status(uid));
            return;
        }
        if (!volumes.ready()) {
            // nothing starts until every volume is set up: the containers show ContainerCreating meanwhile
            actedOn = -1;
            return;
        }
        act(pod, runtime, actions);
    }

    /** Carries out the plan: kills first, then the sandbox, then init containers in order, then containers. */
    private void act(Pod pod, RuntimePod runtime, PodActions actions) {
        Instant retry = sandboxRetryAt;
        if (actions.createSandbox() && retry != null && ctx.clock().instant().isBefore(retry)) {
            // the last RunPodSandbox failed: SyncPod runs again only after the pod worker's back-off (completeWork),
            // whatever wakes the worker meanwhile (a relist seeing the failed sandbox, a status write)
            actedOn = -1;
            return;
        }
        if (actions.isEmpty()) {
            actedOn = -1;
            probes.sync(pod, runtime, podIp(runtime));
            pruneDeadContainers(runtime);
            return;
        }
        try {
            carryOut(pod, runtime, actions);
        } finally {
            // a relist that started before now may not show what was just done: wait for a later one
            actedOn = ctx.pleg().started();
        }
    }

    private void carryOut(Pod pod, RuntimePod runtime, PodActions actions) {
        if (actions.killPod()) {
            probes.stopAll();
            killer.killPod(pod, runtime, null);
            if (actions.createSandbox()) {
                // a new sandbox starts initialization over (Kubernetes' purgeInitContainers)
                for (Container c : pod.spec.initContainers) {
                    runtime.instances(c.name).forEach(i -> ctx.runtime().removeContainer(i.id()));
                }
            }
        } else {
            for (PodActions.ContainerToKill k : actions.containersToKill()) {
                probes.remove(k.containerId());
                ContainerInfo info = runtime.containers().stream().filter(c -> c.id().equals(k.containerId())).findFirst().orElse(null);
                if (info != null) {
                    killer.kill(pod, info, spec(pod, k.name()), k.reason(), k.message(), null);
                }
            }
        }
        Sandbox sandbox = runtime.readySandbox();
        if (actions.createSandbox()) {
            sandbox = createSandbox(pod, actions.sandboxAttempt());
            if (sandbox == null) {
                return;
            }
        }
        if (sandbox == null) {
            return;
        }
        for (int i : actions.ephemeralContainersToStart()) {
            startEphemeralContainer(pod, sandbox, pod.spec.ephemeralContainers.get(i), runtime);
        }
        for (int i : actions.initContainersToStart()) {
            Container c = pod.spec.initContainers.get(i);
            if (!startContainer(pod, sandbox, c, runtime) && !PodActionsPlanner.isSidecar(c)) {
                return; // a regular init container that cannot start holds up the rest
            }
        }
        for (int i : actions.containersToStart()) {
            startContainer(pod, sandbox, pod.spec.containers.get(i), runtime);
        }
    }

    /** Whether any container of the pod (init, regular, ephemeral) is privileged: Kubernetes' {@code HasPrivilegedContainer}. */
    static boolean hasPrivilegedContainer(Pod pod) {
        return java.util.stream.Stream.of(pod.spec.initContainers, pod.spec.containers, pod.spec.ephemeralContainers)
                .flatMap(java.util.List::stream)
                .anyMatch(c -> c.securityContext != null && Boolean.TRUE.equals(c.securityContext.privileged));
    }

    private Sandbox createSandbox(Pod pod, int attempt) {
        String hostname = pod.spec.hostname != null ? pod.spec.hostname : pod.metadata.name;
        try {
            String id = ctx.runtime().runPodSandbox(new SandboxConfig(ref(pod), attempt, hostname.length() > 63 ? hostname.substring(0, 63) : hostname,
                    hasPrivilegedContainer(pod)));
            // the new sandbox's IP: the one runtime call outside the relist, once per sandbox
            Sandbox created = ctx.runtime().listPodSandboxes(uid).stream().filter(s -> s.id().equals(id)).findFirst()
                    .orElseThrow(() -> new ContainerRuntimeException("sandbox " + id + " vanished"));
            sandboxRetryAt = null;
            return created;
        } catch (ContainerRuntimeException | ImagePullException e) {
            // kuberuntime_manager.go SyncPod: the failure fails the sync (createSandboxResult.Fail), the event is recorded,
            // and the pod worker requeues the pod after wait.Jitter(backOffPeriod, workerBackOffPeriodJitterFactor)
            sandboxRetryAt = ctx.clock().instant().plus(jitter(BACKOFF_PERIOD, BACKOFF_JITTER_FACTOR, ThreadLocalRandom.current().nextDouble()));
            ctx.events().warning(pod, "FailedCreatePodSandBox", "Failed to create pod sandbox: " + e.getMessage());
            ContainerStatus.Waiting w = ImagePuller.waiting("ContainerCreating", "Failed to create pod sandbox: " + e.getMessage());
            for (Container c : pod.spec.initContainers) {
                reasons.put(c.name, w);
            }
            for (Container c : pod.spec.containers) {
                reasons.put(c.name, w);
            }
            return null;
        }
    }

    /**
     * Starts an ephemeral container once (Kubernetes never restarts them): in the PID namespace of its
     * targetContainerName's running instance when it names one (the runtime decides what it can share).
     */
    private void startEphemeralContainer(Pod pod, Sandbox sandbox, io.kube4j.api.EphemeralContainer c, RuntimePod runtime) {
        String target = null;
        if (c.targetContainerName != null && !c.targetContainerName.isEmpty()) {
            ContainerInfo t = runtime.latest(c.targetContainerName);
            if (t == null || !t.running()) {
                // Kubernetes' startContainer fails with "target container ... is not running" (getTargetID via FindContainerStatusByName)
                reasons.put(c.name, ImagePuller.waiting("CreateContainerError", "container " + c.targetContainerName + " is not running"));
                return;
            }
            target = t.id();
        }
        ContainerStatus.Waiting failure = starter.start(pod, sandbox, c, 0, target);
        if (failure == null) {
            reasons.remove(c.name);
        } else {
            reasons.put(c.name, failure);
        }
    }

    /** Starts the next instance of {@code c}; false (with the reason kept for the status) when it could not. */
    private boolean startContainer(Pod pod, Sandbox sandbox, Container c, RuntimePod runtime) {
        ContainerInfo latest = runtime.latest(c.name);
        ContainerInfo exited = runtime.instances(c.name).stream().filter(ContainerInfo::exited).findFirst().orElse(null);
        if (exited != null) {
            // the attempt counts against the back-off (Kubernetes' doBackOff calls Next before starting)
            ctx.crashBackoff().next(PodActionsPlanner.backOffKey(pod, c), exited.finishedAt(), ctx.clock().instant());
        }
        Instant now = ctx.clock().instant();
        Instant retryAt = startRetryAt.get(c.name);
        if (retryAt != null && now.isBefore(retryAt)) {
            return false; // the last failure's reason stays in the status until the retry
        }
        ContainerStatus.Waiting failure = starter.start(pod, sandbox, c, latest == null ? 0 : latest.attempt() + 1);
        if (failure == null) {
            reasons.remove(c.name);
            startRetryAt.remove(c.name);
            return true;
        }
        reasons.put(c.name, failure);
        if (RETRIED_AFTER_SYNC_BACKOFF.contains(failure.reason)) {
            // Kubernetes: the failed start fails SyncPod, and the pod worker requeues the pod after its backOffPeriod
            // (pod_workers.go completeWork: wait.Jitter(10 s, 0.5)); no instance exists, so no crash-loop back-off
            startRetryAt.put(c.name, now.plus(SYNC_ERROR_BACKOFF));
        }
        return false;
    }

    private void reportBackOff(Pod pod, RuntimePod runtime, PodActions actions) {
        for (String name : actions.backOff().keySet()) {
            ContainerInfo exited = runtime.instances(name).stream().filter(ContainerInfo::exited).findFirst().orElse(null);
            if (exited != null && backOffReported.add(exited.id())) {
                ctx.events().warning(pod, "BackOff", "Back-off restarting failed container " + name + " in pod " + PodActionsPlanner.formatPod(pod));
            }
        }
    }

    private void recordStart(PodStatus status, Instant now) {
        if (!startRecorded && !status.containerStatuses.isEmpty()
                && status.containerStatuses.stream().allMatch(s -> s.state != null && s.state.running != null)) {
            startRecorded = true;
            ctx.metrics().podStarted(Duration.between(firstSeen, now));
        }
    }

    // ---- terminal and terminating -------------------------------------------------------------

    /** A pod that is done: nothing may run any more; its final status is reported, its containers kept for logs. */
    private void syncTerminal(Pod pod, RuntimePod runtime, PodStatus written) {
        probes.stopAll();
        if (!runtime.stopped()) {
            killer.killPod(pod, runtime, null);
            actedOn = ctx.pleg().started();
        } else {
            actedOn = -1;
        }
        PodStatus status = PodStatusGenerator.generate(new PodStatusGenerator.Input(pod, written, runtime, Map.copyOf(reasons), probes,
                ctx.runtimeName(), ctx.hostIp(), true, null, ctx.clock().instant()));
        ctx.statusManager().set(pod, status);
    }

    /**
     * Stops everything of the pod (sidecars last), removes its containers and sandboxes, and when it
     * was deleted gracefully, finishes the deletion with grace 0 (only for this uid).
     */
    private void terminate(Pod pod, boolean deleteFromApi) {
        probes.stopAll();
        // the relist may be a moment behind what this worker last started: ask the runtime for this pod itself
        RuntimePod current = new RuntimePod(uid, ctx.runtime().listPodSandboxes(uid), ctx.runtime().listContainers(uid));
        killer.killPod(pod, current, pod == null ? null : ContainerKiller.gracePeriod(pod, null, PodActions.KillReason.UNKNOWN));
        if (deleteFromApi && pod != null) {
            publishFinalStatus(pod);
        }
        for (ContainerInfo c : ctx.runtime().listContainers(uid)) {
            ctx.runtime().removeContainer(c.id());
        }
        for (Sandbox s : ctx.runtime().listPodSandboxes(uid)) {
            ctx.runtime().stopPodSandbox(s.id());
            ctx.runtime().removePodSandbox(s.id());
        }
        // the pod's directory (its volumes' files) goes once nothing of the pod runs any more
        ctx.volumes().unmountPod(uid);
        ctx.crashBackoff().forget(uid);
        ctx.pullBackoff().forget(uid);
        ctx.statusManager().forget(uid);
        runningContainers = 0;
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

    /**
     * The status of a deleted pod once its containers have stopped, written before the pod is deleted with grace 0,
     * as Kubernetes' kubelet does (syncTerminatingPod, then the status manager's syncPod writes the terminal status
     * and only then, canBeDeleted, deletes): every container terminated with its exit code, phase Succeeded when all
     * exited 0, else Failed (getPhase with podIsTerminal). Watchers see it before the DELETED event.
     */
    private void publishFinalStatus(Pod pod) {
        RuntimePod stopped = new RuntimePod(uid, ctx.runtime().listPodSandboxes(uid), ctx.runtime().listContainers(uid));
        PodStatus status = PodStatusGenerator.generate(new PodStatusGenerator.Input(pod, ctx.statusManager().status(uid), stopped,
                Map.copyOf(reasons), probes, ctx.runtimeName(), ctx.hostIp(), true, null, ctx.clock().instant()));
        try {
            ctx.statusManager().set(pod, status);
            // on the apiserver before the delete below, not whenever the status manager's writer gets to it
            ctx.statusManager().flush(uid);
        } catch (ApiException e) {
            // the deletion goes on: a status that cannot be written must not keep the pod forever
            log.warn("final status of pod {} not written: {}", pod.key(), e.getMessage());
        }
    }

    // ---- probes -------------------------------------------------------------------------------

    private void onProbe(ProbeWorker worker, ProbeResult run, boolean changed) {
        Pod pod = lastKnown;
        if (!run.success() && pod != null) {
            String key = worker.container().name + "/" + worker.type();
            Instant now = ctx.clock().instant();
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

    // ---- housekeeping -------------------------------------------------------------------------

    /** Keeps the latest two instances of each container (current and previous, for logs and lastState). */
    private void pruneDeadContainers(RuntimePod runtime) {
        Map<String, List<ContainerInfo>> byName = new HashMap<>();
        for (ContainerInfo c : runtime.containers()) {
            byName.computeIfAbsent(c.name(), n -> new ArrayList<>()).add(c);
        }
        for (List<ContainerInfo> list : byName.values()) {
            list.sort(Comparator.comparingInt(ContainerInfo::attempt).reversed());
            for (ContainerInfo old : list.subList(Math.min(2, list.size()), list.size())) {
                if (old.exited()) {
                    ctx.runtime().removeContainer(old.id());
                    backOffReported.remove(old.id());
                }
            }
        }
    }

    private static String podIp(RuntimePod runtime) {
        Sandbox s = runtime.readySandbox();
        return s == null ? null : s.ip();
    }

    private static Container spec(Pod pod, String name) {
        for (Container c : pod.spec.initContainers) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        for (Container c : pod.spec.containers) {
            if (c.name.equals(name)) {
                return c;
            }
        }
        return null;
    }

    private static PodRef ref(Pod pod) {
        return new PodRef(pod.metadata.uid, pod.metadata.namespace, pod.metadata.name);
    }

    /** Kubernetes' default image pull policy (kept here for callers of the old worker). */
    static String defaultPullPolicy(String image) {
        return ImagePuller.defaultPullPolicy(image);
    }
}
