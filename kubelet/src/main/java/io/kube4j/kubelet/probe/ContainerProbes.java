package io.kube4j.kubelet.probe;

import io.kube4j.api.Container;
import io.kube4j.api.Probe;

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

    private ContainerProbes(Container container, String containerId, String podIp, Instant startedAt, ProbeRunner runner, ProbeWorker.Listener listener) {
        this.startup = worker(ProbeType.STARTUP, container.startupProbe, container, containerId, podIp, startedAt, runner, () -> true, listener);
        this.liveness = worker(ProbeType.LIVENESS, container.livenessProbe, container, containerId, podIp, startedAt, runner, this::started, listener);
        this.readiness = worker(ProbeType.READINESS, container.readinessProbe, container, containerId, podIp, startedAt, runner, this::started, listener);
    }

    /** Starts the workers for the container's probes (none when it has none). */
    public static ContainerProbes start(Container container, String containerId, String podIp, Instant startedAt, ProbeRunner runner, ProbeWorker.Listener listener) {
        ContainerProbes probes = new ContainerProbes(container, containerId, podIp, startedAt, runner, listener);
        probes.all.forEach(ProbeWorker::start);
        return probes;
    }

    private ProbeWorker worker(ProbeType type, Probe probe, Container container, String containerId, String podIp, Instant startedAt,
                               ProbeRunner runner, java.util.function.BooleanSupplier mayRun, ProbeWorker.Listener listener) {
        if (probe == null) {
            return null;
        }
        ProbeWorker w = new ProbeWorker(type, probe, container, containerId, podIp, startedAt, runner, mayRun, listener);
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

    public void stop() {
        all.forEach(ProbeWorker::stop);
    }
}
