package io.kube4j.kubelet.runtime.fake;

import io.kube4j.kubelet.runtime.ContainerConfig;
import io.kube4j.kubelet.runtime.ContainerInfo;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.ExecResult;
import io.kube4j.kubelet.runtime.ContainerRuntimeException;
import io.kube4j.kubelet.runtime.ImagePullException;
import io.kube4j.kubelet.runtime.LogOptions;
import io.kube4j.kubelet.runtime.PodRef;
import io.kube4j.kubelet.runtime.RuntimeVersion;
import io.kube4j.kubelet.runtime.Sandbox;
import io.kube4j.kubelet.runtime.SandboxConfig;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;

/**
 * The hollow runtime: no processes, no containers, only bookkeeping, with timings so a hollow node
 * behaves like a real one. A container does what its command says ({@link FakeProgram}: {@code sleep 5;
 * exit 1} runs 5 s on this runtime's clock and exits 1; a server runs until stopped; a command-less init
 * container completes after {@code initRunTime}). Starting takes {@code startDelay}, pulling
 * {@code pullDelay}; a stopped container exits {@code stopDelay} after SIGTERM (143), or is killed (137)
 * when that is longer than its grace period. Exits are announced to the container event listeners
 * (the relist then runs at once). Pods get the fixed IP given (so tests can probe a local server) or one
 * of 10.244.0.0/16, which nobody owns: network probes are then simulated. Tests script it with
 * {@link #failPull}, {@link #exit}, {@link #onExec} and read back {@link #calls()}.
 */
public final class FakeRuntime implements ContainerRuntime {
    private static final AtomicInteger NEXT_IP = new AtomicInteger(1);

    /**
     * How long things take on a hollow node.
     *
     * @param startDelay  starting a container
     * @param pullDelay   pulling an image
     * @param stopDelay   a container's exit after SIGTERM
     * @param initRunTime the run time of a command-less regular init container
     */
    public record Timings(Duration startDelay, Duration pullDelay, Duration stopDelay, Duration initRunTime) {
        /** Everything at once; command-less init containers complete after 1 s. */
        public static final Timings INSTANT = new Timings(Duration.ZERO, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1));
    }

    private final Clock clock;
    private final Timings timings;
    private final String fixedPodIp;
    private final List<Runnable> listeners = new CopyOnWriteArrayList<>();
    // wakes the listeners when a container's program ends on its own (on the wall clock)
    private static final java.util.concurrent.ScheduledExecutorService TIMER = java.util.concurrent.Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "fake-runtime-timer");
        t.setDaemon(true);
        return t;
    });
    private final Map<String, FakeSandbox> sandboxes = new ConcurrentHashMap<>();
    private volatile String sandboxFailure;
    private volatile boolean leaveFailedSandbox;
    private final Map<String, FakeContainer> containers = new ConcurrentHashMap<>();
    private final Map<String, String> pullFailures = new ConcurrentHashMap<>();
    private final Set<String> images = ConcurrentHashMap.newKeySet();
    private final List<String> calls = new CopyOnWriteArrayList<>();
    private final AtomicInteger ids = new AtomicInteger();
    private volatile BiFunction<ContainerInfo, List<String>, ExecResult> exec = (c, cmd) -> new ExecResult(0, "");
    private volatile boolean down;

    /** A runtime whose containers take {@code startDelay} to start and nothing else takes time. */
    public FakeRuntime(Clock clock, Duration startDelay, String fixedPodIp) {
        this(clock, new Timings(startDelay, Duration.ZERO, Duration.ZERO, Duration.ofSeconds(1)), fixedPodIp);
    }

    /**
     * @param clock      the clock container times and program run times are measured on
     * @param timings    how long things take
     * @param fixedPodIp the IP of every pod (a local address tests can probe), or null for made-up ones
     */
    public FakeRuntime(Clock clock, Timings timings, String fixedPodIp) {
        this.clock = clock;
        this.timings = timings;
        this.fixedPodIp = fixedPodIp;
    }

    // ---- scripting (tests and scale runs) ----------------------------------------------------

    /** Pulls of {@code image} fail with {@code message} from now on. */
    public void failPull(String image, String message) {
        pullFailures.put(image, message);
    }

    /** Marks an image as present locally, so IfNotPresent / Never use it without pulling. */
    public void addImage(String image) {
        images.add(image);
    }

    /** The running instance of the pod's container exits with {@code exitCode} (and the runtime's {@code reason}, e.g. OOMKilled). */
    public void exit(String podUid, String containerName, int exitCode, String reason) {
        for (FakeContainer c : containers.values()) {
            if (c.config.pod().uid().equals(podUid) && c.config.name().equals(containerName) && c.state(clock.instant()) == ContainerInfo.State.RUNNING) {
                c.finish(clock.instant(), exitCode, reason);
            }
        }
        fire();
    }

    public void exit(String podUid, String containerName, int exitCode) {
        exit(podUid, containerName, exitCode, null);
    }

    /** What exec (exec probes, preStop hooks) answers. */
    public void onExec(BiFunction<ContainerInfo, List<String>, ExecResult> handler) {
        this.exec = handler;
    }

    /** Appends a line to a container's log. */
    public void log(String containerId, String line) {
        FakeContainer c = containers.get(containerId);
        if (c != null) {
            c.log.add(line);
        }
    }

    /** Makes every call fail, as a dead daemon would. */
    public void setDown(boolean down) {
        this.down = down;
    }

    /** Every mutating call so far, e.g. {@code "create web/app#0"}, {@code "stop web/app#0 30s"}. */
    public List<String> calls() {
        return List.copyOf(calls);
    }

    // ---- ContainerRuntime ---------------------------------------------------------------------

    /** The config a container was created with (its resolved env, command and mounts), or null when unknown. */
    public ContainerConfig config(String containerId) {
        FakeContainer c = containers.get(containerId);
        return c == null ? null : c.config;
    }

    @Override
    public RuntimeVersion version() {
        check();
        return new RuntimeVersion("fake", "0.1.0");
    }

    /**
     * Makes RunPodSandbox fail with {@code message} (null: succeed again), leaving a not-ready sandbox behind when
     * {@code leaveSandbox}, as containerd 1.6 does when its CNI is not initialized (SANDBOX_NOTREADY/UNKNOWN).
     */
    public void failRunPodSandbox(String message, boolean leaveSandbox) {
        this.sandboxFailure = message;
        this.leaveFailedSandbox = leaveSandbox;
    }

    @Override
    public String runPodSandbox(SandboxConfig config) {
        check();
        String id = "sandbox-" + ids.incrementAndGet();
        String ip = fixedPodIp != null ? fixedPodIp : syntheticIp();
        calls.add("runPodSandbox " + config.pod().name() + "#" + config.attempt());
        String failure = sandboxFailure;
        if (failure != null) {
            if (leaveFailedSandbox) {
                FakeSandbox left = new FakeSandbox(id, config, ip, clock.instant());
                left.ready = false;
                sandboxes.put(id, left);
            }
            throw new ContainerRuntimeException(failure, null);
        }
        sandboxes.put(id, new FakeSandbox(id, config, ip, clock.instant()));
        return id;
    }

    /** Records {@code updatePodCidr <cidr>} (Kubernetes' UpdatePodCIDR reaches the CRI runtime's UpdateRuntimeConfig). */
    @Override
    public void updatePodCidr(String podCidr) {
        check();
        calls.add("updatePodCidr " + podCidr);
    }

    @Override
    public void stopPodSandbox(String sandboxId) {
        check();
        FakeSandbox s = sandboxes.get(sandboxId);
        if (s != null && s.ready) {
            s.ready = false;
            calls.add("stopPodSandbox " + s.config.pod().name());
        }
    }

    @Override
    public void removePodSandbox(String sandboxId) {
        check();
        FakeSandbox s = sandboxes.remove(sandboxId);
        if (s != null) {
            calls.add("removePodSandbox " + s.config.pod().name());
        }
    }

    @Override
    public List<Sandbox> listPodSandboxes() {
        check();
        List<Sandbox> out = new ArrayList<>();
        for (FakeSandbox s : sandboxes.values()) {
            out.add(new Sandbox(s.id, s.config.pod(), s.config.attempt(), s.ready, s.ready ? s.ip : null, s.createdAt));
        }
        return out;
    }

    @Override
    public boolean imagePresent(String image) {
        check();
        return images.contains(image);
    }

    @Override
    public void pullImage(String image) {
        check();
        pause(timings.pullDelay());
        calls.add("pull " + image);
        String failure = pullFailures.get(image);
        if (failure != null) {
            throw new ImagePullException(failure);
        }
        images.add(image);
    }

    @Override
    public String createContainer(Sandbox sandbox, ContainerConfig config) {
        check();
        if (config.kind() == ContainerConfig.Kind.EPHEMERAL) {
            // nothing to debug in a simulated container: the pod gets a Failed event saying so
            throw new io.kube4j.kubelet.runtime.ContainerRuntimeException("the fake runtime does not run ephemeral containers (" + config.name()
                    + "): use the docker or process runtime to debug a pod");
        }
        String id = "container-" + ids.incrementAndGet();
        containers.put(id, new FakeContainer(id, config, FakeProgram.of(config, timings.initRunTime()), clock.instant()));
        calls.add("create " + label(config));
        return id;
    }

    @Override
    public void startContainer(String containerId) {
        check();
        FakeContainer c = require(containerId);
        pause(timings.startDelay());
        Instant now = clock.instant();
        c.startAt = now;
        if (c.program.runTime() != null) {
            c.naturalEnd = now.plus(c.program.runTime());
            long millis = Math.max(0, c.program.runTime().toMillis());
            TIMER.schedule(this::fire, millis + 5, java.util.concurrent.TimeUnit.MILLISECONDS);
        }
        c.log.addAll(c.program.output());
        calls.add("start " + label(c.config));
        fire();
    }

    @Override
    public void stopContainer(String containerId, Duration timeout) {
        check();
        FakeContainer c = containers.get(containerId);
        if (c == null) {
            return;
        }
        calls.add("stop " + label(c.config) + " " + timeout.toSeconds() + "s");
        ContainerInfo.State state = c.state(clock.instant());
        if (state == ContainerInfo.State.RUNNING || state == ContainerInfo.State.CREATED) {
            boolean killed = timings.stopDelay().compareTo(timeout) > 0;
            pause(killed ? timeout : timings.stopDelay());
            // 128 + SIGTERM: what a process that obeys SIGTERM exits with; 128 + SIGKILL when it took too long
            c.finish(clock.instant(), killed ? 137 : 143, null);
            fire();
        }
    }

    @Override
    public void removeContainer(String containerId) {
        check();
        FakeContainer c = containers.remove(containerId);
        if (c != null) {
            calls.add("remove " + label(c.config));
        }
    }

    @Override
    public List<ContainerInfo> listContainers() {
        check();
        Instant now = clock.instant();
        return containers.values().stream().map(c -> c.info(now)).toList();
    }

    @Override
    public ContainerInfo containerStatus(String containerId) {
        check();
        FakeContainer c = containers.get(containerId);
        return c == null ? null : c.info(clock.instant());
    }

    @Override
    public void logs(String containerId, LogOptions options, OutputStream out) throws IOException {
        FakeContainer c = require(containerId);
        List<String> lines = List.copyOf(c.log);
        if (options.tailLines() != null && lines.size() > options.tailLines()) {
            lines = lines.subList(lines.size() - options.tailLines(), lines.size());
        }
        for (String line : lines) {
            out.write((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        out.flush();
    }

    @Override
    public ExecResult exec(String containerId, List<String> command, Duration timeout) {
        check();
        return exec.apply(require(containerId).info(clock.instant()), command);
    }

    @Override
    public void addContainerEventListener(Runnable listener) {
        listeners.add(listener);
    }

    /** Only a fixed (local) pod IP can be reached; made-up ones are never contacted. */
    @Override
    public boolean podNetworkReachable() {
        return fixedPodIp != null;
    }

    private void fire() {
        listeners.forEach(Runnable::run);
    }

    private static void pause(Duration d) {
        if (d.isZero() || d.isNegative()) {
            return;
        }
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private void check() {
        if (down) {
            throw new io.kube4j.kubelet.runtime.ContainerRuntimeException("fake runtime is down");
        }
    }

    private FakeContainer require(String id) {
        FakeContainer c = containers.get(id);
        if (c == null) {
            throw new io.kube4j.kubelet.runtime.ContainerRuntimeException("no such container: " + id);
        }
        return c;
    }

    private static String label(ContainerConfig config) {
        return config.pod().name() + "/" + config.name() + "#" + config.attempt();
    }

    private static String syntheticIp() {
        int n = NEXT_IP.getAndIncrement();
        return "10.244." + ((n >> 8) & 0xff) + "." + (n & 0xff);
    }

    private static final class FakeSandbox {
        final String id;
        final SandboxConfig config;
        final String ip;
        final Instant createdAt;
        volatile boolean ready = true;

        FakeSandbox(String id, SandboxConfig config, String ip, Instant createdAt) {
            this.id = id;
            this.config = config;
            this.ip = ip;
            this.createdAt = createdAt;
        }
    }

    private static final class FakeContainer {
        final String id;
        final ContainerConfig config;
        final FakeProgram program;
        final Instant createdAt;
        final List<String> log = Collections.synchronizedList(new ArrayList<>());
        volatile Instant startAt;
        // when the program ends on its own (null: never)
        volatile Instant naturalEnd;
        volatile Instant finishedAt;
        volatile int exitCode;
        volatile String reason;

        FakeContainer(String id, ContainerConfig config, FakeProgram program, Instant createdAt) {
            this.id = id;
            this.config = config;
            this.program = program;
            this.createdAt = createdAt;
        }

        synchronized ContainerInfo.State state(Instant now) {
            if (finishedAt == null && naturalEnd != null && !now.isBefore(naturalEnd)) {
                finishedAt = naturalEnd;
                exitCode = program.exitCode();
            }
            if (finishedAt != null) {
                return ContainerInfo.State.EXITED;
            }
            if (startAt == null || now.isBefore(startAt)) {
                return ContainerInfo.State.CREATED;
            }
            return ContainerInfo.State.RUNNING;
        }

        synchronized void finish(Instant now, int code, String why) {
            if (finishedAt != null) {
                return;
            }
            if (startAt == null || now.isBefore(startAt)) {
                startAt = now;
            }
            finishedAt = now;
            exitCode = code;
            reason = why;
        }

        ContainerInfo info(Instant now) {
            ContainerInfo.State s = state(now);
            return new ContainerInfo(id, config.pod(), config.name(), config.attempt(), config.image(), "fake://" + config.image(), s,
                    createdAt, s == ContainerInfo.State.CREATED ? null : startAt, finishedAt, exitCode, reason, null);
        }
    }

    /** Identity of the pod a fake container belongs to (for tests). */
    public PodRef podOf(String containerId) {
        return require(containerId).config.pod();
    }
}
