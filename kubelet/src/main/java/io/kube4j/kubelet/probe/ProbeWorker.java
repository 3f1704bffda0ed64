package io.kube4j.kubelet.probe;

import io.kube4j.api.Container;
import io.kube4j.api.Probe;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.function.BooleanSupplier;

/**
 * Runs one probe of one container instance periodically on its own virtual thread, as the kubelet's
 * prober workers do: waits initialDelaySeconds after the container started, then every periodSeconds
 * runs the check and turns consecutive outcomes into a result once successThreshold successes or
 * failureThreshold failures are reached. A liveness or startup probe stops after its verdict (the
 * container is restarted, or has started); readiness keeps going as long as the container runs.
 */
public final class ProbeWorker {

    /** Told about every run (for Unhealthy events) and whether the result changed (to sync the pod). */
    public interface Listener {
        void onProbe(ProbeWorker worker, ProbeResult run, boolean resultChanged);
    }

    private final ProbeType type;
    private final Probe probe;
    private final Container container;
    private final String containerId;
    private final String podIp;
    private final Instant startedAt;
    private final ProbeRunner runner;
    private final BooleanSupplier mayRun;
    private final Listener listener;
    private final Clock clock;
    private volatile Boolean result;
    private volatile boolean stopped;
    private volatile Thread thread;
    private int successes;
    private int failures;

    ProbeWorker(ProbeType type, Probe probe, Container container, String containerId, String podIp, Instant startedAt,
                ProbeRunner runner, BooleanSupplier mayRun, Listener listener, Clock clock) {
        this.type = type;
        this.probe = probe;
        this.container = container;
        this.containerId = containerId;
        this.podIp = podIp;
        this.startedAt = startedAt;
        this.runner = runner;
        this.mayRun = mayRun;
        this.listener = listener;
        this.clock = clock;
        // Kubernetes' initial results: not ready until proven, alive until proven otherwise, not started
        this.result = switch (type) {
            case READINESS -> Boolean.FALSE;
            case LIVENESS -> Boolean.TRUE;
            case STARTUP -> null;
        };
    }

    public ProbeType type() {
        return type;
    }

    public Container container() {
        return container;
    }

    /** TRUE, FALSE, or null while a startup probe has not decided yet. */
    public Boolean result() {
        return result;
    }

    /** The verdict as the planner reads it. */
    public ProbeResults.Result verdict() {
        Boolean r = result;
        return r == null ? ProbeResults.Result.UNKNOWN : r ? ProbeResults.Result.SUCCESS : ProbeResults.Result.FAILURE;
    }

    void start() {
        thread = Thread.ofVirtual().name("probe-" + type.name().toLowerCase() + "-" + container.name).start(this::run);
    }

    void stop() {
        stopped = true;
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
    }

    private void run() {
        Duration initialDelay = Duration.ofSeconds(value(probe.initialDelaySeconds, 0));
        Duration period = Duration.ofSeconds(Math.max(1, value(probe.periodSeconds, 10)));
        int successThreshold = Math.max(1, value(probe.successThreshold, 1));
        int failureThreshold = Math.max(1, value(probe.failureThreshold, 3));
        Duration wait = Duration.between(clock.instant(), startedAt.plus(initialDelay));
        if (!wait.isNegative() && !sleep(wait)) {
            return;
        }
        while (!stopped) {
            if (mayRun.getAsBoolean()) {
                ProbeResult run = runner.run(ProbeAction.of(probe), container, containerId, podIp, ProbeAction.timeout(probe));
                if (stopped) {
                    return;
                }
                boolean changed = false;
                if (run.success()) {
                    failures = 0;
                    successes++;
                    if (!Boolean.TRUE.equals(result) && successes >= successThreshold) {
                        result = Boolean.TRUE;
                        changed = true;
                    }
                } else {
                    successes = 0;
                    failures++;
                    if (!Boolean.FALSE.equals(result) && failures >= failureThreshold) {
                        result = Boolean.FALSE;
                        changed = true;
                    }
                }
                listener.onProbe(this, run, changed);
                boolean decided = type == ProbeType.STARTUP ? result != null : type == ProbeType.LIVENESS && Boolean.FALSE.equals(result);
                if (decided) {
                    return;
                }
            }
            if (!sleep(period)) {
                return;
            }
        }
    }

    private static int value(Integer v, int dflt) {
        return v == null ? dflt : v;
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return !stopped;
        } catch (InterruptedException e) {
            return false;
        }
    }
}
