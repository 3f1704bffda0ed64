package io.kube4j.controllermanager;

import io.kube4j.client.ApiClient;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerRunner;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.leader.LeaderElector;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.util.ArrayList;
import java.util.List;

/**
 * Starts the informers and controllers, behind leader election when enabled: only the replica
 * holding the Lease runs them. A leader that loses the Lease exits, as Kubernetes' does, so a
 * restarted process comes back with fresh caches instead of half-stopped workers.
 */
public final class ControllerManager implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(ControllerManager.class);

    private final SharedInformers informers;
    private final List<ControllerRunner> runners = new ArrayList<>();
    private final LeaderElector elector;
    private final Runnable onLostLease;
    private volatile boolean running;
    private volatile boolean leading;
    private volatile boolean stopping;

    public ControllerManager(ApiClient client, SharedInformers informers, List<Controller> controllers,
                             ControllerManagerProperties props, String identity, MeterRegistry registry, Runnable onLostLease) {
        this.informers = informers;
        this.onLostLease = onLostLease;
        for (Controller c : controllers) {
            runners.add(new ControllerRunner(c, c.concurrentSyncs() > 0 ? c.concurrentSyncs() : props.workers(), registry));
        }
        this.elector = props.leaderElect()
                ? LeaderElector.withDefaults(client, props.leaseNamespace(), props.leaseName(), identity, new LeaderElector.Callbacks() {
                    @Override
                    public void onStartedLeading() {
                        startControllers();
                    }

                    @Override
                    public void onStoppedLeading() {
                        lostLease();
                    }
                })
                : null;
        Gauge.builder("leader_election_master_status", this, m -> m.leading ? 1 : 0)
                .tag("name", props.leaseName()).description("1 while this replica runs the controllers").register(registry);
    }

    /** Whether this replica runs the controllers now. */
    public boolean isLeading() {
        return leading;
    }

    public List<ControllerRunner> runners() {
        return runners;
    }

    private synchronized void startControllers() {
        if (leading || stopping) {
            return;
        }
        leading = true;
        log.info("starting {} controllers", runners.size());
        informers.start();
        runners.forEach(ControllerRunner::start);
    }

    private void lostLease() {
        if (stopping) {
            return;
        }
        log.error("lost the leader-election lease: exiting so that a fresh process can compete again");
        stopControllers();
        onLostLease.run();
    }

    private synchronized void stopControllers() {
        runners.forEach(ControllerRunner::stop);
        informers.stop();
        leading = false;
    }

    @Override
    public void start() {
        running = true;
        if (elector != null) {
            elector.start();
        } else {
            startControllers();
        }
    }

    @Override
    public void stop() {
        stopping = true;
        if (elector != null) {
            // releases the Lease so a standby takes over at once
            elector.stop();
        }
        stopControllers();
        running = false;
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
