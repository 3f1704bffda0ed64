package io.kube4j.kubelet.probe;

import io.kube4j.api.Container;
import io.kube4j.api.Probe;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * The liveness, readiness and startup probe workers of one container instance. A new instance (after
 * a restart) gets new workers: results never carry over from a previous instance.
 */
public final class ContainerProbes {
    private final ProbeWorker liveness;
    private final ProbeWorker readiness;
    private final ProbeWorker startup;
    private final List<ProbeWorker> all = new ArrayList<>();

    private ContainerProbes(Container container, String containerId, String podIp, Instant startedAt, ProbeRunner runner,
                            ProbeWorker.Listener listener, Clock clock) {
        this.startup = worker(ProbeType.STARTUP, container.startupProbe, container, containerId, podIp, startedAt, runner, () -> true, listener, clock);
        this.liveness = worker(ProbeType.LIVENESS, container.livenessProbe, container, containerId, podIp, startedAt, runner, this::started, listener, clock);
        this.readiness = worker(ProbeType.READINESS, container.readinessProbe, container, containerId, podIp, startedAt, runner, this::started, listener, clock);
    }

    /**
     * Starts the workers for the container's probes (none when it has none).
     *
     * @param startedAt when the container instance started: initialDelaySeconds counts from it, on {@code clock}
     */
    public static ContainerProbes start(Container container, String containerId, String podIp, Instant startedAt, ProbeRunner runner,
                                        ProbeWorker.Listener listener, Clock clock) {
        ContainerProbes probes = new ContainerProbes(container, containerId, podIp, startedAt, runner, listener, clock);
        probes.all.forEach(ProbeWorker::start);
        return probes;
    }

    private ProbeWorker worker(ProbeType type, Probe probe, Container container, String containerId, String podIp, Instant startedAt,
                               ProbeRunner runner, java.util.function.BooleanSupplier mayRun, ProbeWorker.Listener listener, Clock clock) {
        if (probe == null) {
            return null;
        }
        ProbeWorker w = new ProbeWorker(type, probe, container, containerId, podIp, startedAt, runner, mayRun, listener, clock);
        all.add(w);
        return w;
    }

    /** Whether the startup probe has succeeded (true when there is none). */
    public boolean started() {
        return startup == null || Boolean.TRUE.equals(startup.result());
    }

    /** Whether the readiness probe says ready (true when there is none), once started. */
    public boolean ready() {
        return started() && (readiness == null || Boolean.TRUE.equals(readiness.result()));
    }

    /** The probe whose failure means the container must be restarted, or null. */
    public ProbeType failed() {
        if (startup != null && Boolean.FALSE.equals(startup.result())) {
            return ProbeType.STARTUP;
        }
        if (liveness != null && Boolean.FALSE.equals(liveness.result())) {
            return ProbeType.LIVENESS;
        }
        return null;
    }

    /** The verdict of the container's probe of {@code type} (UNKNOWN when it has none or none yet). */
    public ProbeResults.Result verdict(ProbeType type) {
        ProbeWorker w = switch (type) {
            case LIVENESS -> liveness;
            case READINESS -> readiness;
            case STARTUP -> startup;
        };
        return w == null ? ProbeResults.Result.UNKNOWN : w.verdict();
    }

    /** Stops every probe worker of the container. */
    public void stop() {
        all.forEach(ProbeWorker::stop);
    }
}
