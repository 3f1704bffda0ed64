package io.kube4j.scheduler;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodDisruptionBudget;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import io.kube4j.leader.LeaderElector;
import io.kube4j.scheduler.core.Scheduler;
import io.kube4j.scheduler.queue.SchedulingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.net.InetAddress;
import java.time.Duration;
import java.util.UUID;

/**
 * Starts the informers at once (a standby keeps a warm cache and queue), and runs the scheduling
 * loop while this replica leads (or always, without leader election). Losing the lease stops the
 * loop; a replica that regains it continues from its caches.
 */
public final class SchedulerRunner implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(SchedulerRunner.class);

    private final SchedulerProperties props;
    private final ApiClient client;
    private final Scheduler scheduler;
    private final SchedulingQueue queue;
    private final Informer<Pod> podInformer;
    private final Informer<Node> nodeInformer;
    private final Informer<PodDisruptionBudget> pdbInformer;
    private LeaderElector elector;
    private Thread loop;
    private volatile boolean running;

    /** @param pdbInformer the PodDisruptionBudgets preemption prefers not to violate */
    public SchedulerRunner(SchedulerProperties props, ApiClient client, Scheduler scheduler, SchedulingQueue queue,
                           Informer<Pod> podInformer, Informer<Node> nodeInformer, Informer<PodDisruptionBudget> pdbInformer) {
        this.props = props;
        this.client = client;
        this.scheduler = scheduler;
        this.queue = queue;
        this.podInformer = podInformer;
        this.nodeInformer = nodeInformer;
        this.pdbInformer = pdbInformer;
    }

    @Override
    public synchronized void start() {
        running = true;
        nodeInformer.start();
        podInformer.start();
        pdbInformer.start();
        if (props.leaderElect()) {
            String identity = props.identity().isEmpty() ? hostname() + "_" + UUID.randomUUID() : props.identity();
            elector = LeaderElector.withDefaults(client, props.leaseNamespace(), props.leaseName(), identity, new LeaderElector.Callbacks() {
                @Override
                public void onStartedLeading() {
                    startLoop();
                }

                @Override
                public void onStoppedLeading() {
                    stopLoop();
                }
            });
            elector.start();
        } else {
            startLoop();
        }
    }

    /** Whether the scheduling loop runs here now. */
    public synchronized boolean isScheduling() {
        return loop != null && loop.isAlive();
    }

    private synchronized void startLoop() {
        if (loop != null || !running) {
            return;
        }
        log.info("scheduler {} starts scheduling", props.name());
        loop = Thread.ofPlatform().name("scheduling-loop").daemon().start(() -> {
            try {
                // decisions on a half-filled cache would overcommit nodes
                while (!(nodeInformer.waitForSync(Duration.ofSeconds(1)) && podInformer.waitForSync(Duration.ofSeconds(1))
                        && pdbInformer.waitForSync(Duration.ofSeconds(1)))) {
                    if (Thread.currentThread().isInterrupted()) {
                        return;
                    }
                }
            } catch (InterruptedException e) {
                return;
            }
            scheduler.run();
        });
    }

    private synchronized void stopLoop() {
        if (loop != null) {
            log.info("scheduler {} stops scheduling", props.name());
            loop.interrupt();
            loop = null;
        }
    }

    @Override
    public void stop() {
        synchronized (this) {
            running = false;
        }
        if (elector != null) {
            elector.stop();
        }
        stopLoop();
        queue.close();
        podInformer.stop();
        nodeInformer.stop();
        pdbInformer.stop();
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    static String hostname() {
        try {
            return InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "scheduler";
        }
    }
}
