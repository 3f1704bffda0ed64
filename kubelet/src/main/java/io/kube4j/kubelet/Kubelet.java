package io.kube4j.kubelet;

import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.kubelet.node.LeaseHeartbeat;
import io.kube4j.kubelet.node.NodeStatusReporter;
import io.kube4j.kubelet.pod.KubeletContext;
import io.kube4j.kubelet.pod.PodWorkers;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;

/**
 * One node agent: registers and heartbeats its Node (status and Lease), watches the pods bound to it
 * and hands each to its pod worker, and cleans up what the runtime has for pods that are gone.
 * A process runs one, or many hollow ones with the fake runtime.
 */
public final class Kubelet {
    private static final Logger log = LoggerFactory.getLogger(Kubelet.class);
    private static final Duration HOUSEKEEPING_INTERVAL = Duration.ofSeconds(30);

    private final String nodeName;
    private final KubeletContext ctx;
    private final NodeStatusReporter statusReporter;
    private final LeaseHeartbeat lease;
    private final Duration statusInterval;
    private final Informer<Pod> pods;
    private final PodWorkers workers;
    private volatile boolean stopped;
    private volatile boolean registered;
    private Thread heartbeat;
    private Thread housekeeping;

    public Kubelet(String nodeName, ApiClient client, KubeletContext ctx, NodeStatusReporter statusReporter, Duration statusInterval) {
        this.nodeName = nodeName;
        this.ctx = ctx;
        this.statusReporter = statusReporter;
        this.lease = new LeaseHeartbeat(client, nodeName);
        this.statusInterval = statusInterval;
        this.pods = new Informer<>(client, Pod.class, null, ListOptions.fields("spec.nodeName=" + nodeName));
        this.workers = new PodWorkers(pods.store(), ctx);
        pods.addHandler(workers);
    }

    public String nodeName() {
        return nodeName;
    }

    public ContainerRuntime runtime() {
        return ctx.runtime();
    }

    public Informer<Pod> pods() {
        return pods;
    }

    public PodWorkers workers() {
        return workers;
    }

    /** Whether the Node has been registered. */
    public boolean registered() {
        return registered;
    }

    public synchronized void start() {
        ctx.pleg().start();
        ctx.statusManager().start(nodeName);
        pods.start();
        heartbeat = Thread.ofVirtual().name("heartbeat-" + nodeName).start(this::heartbeatLoop);
        housekeeping = Thread.ofVirtual().name("housekeeping-" + nodeName).start(this::housekeepingLoop);
    }

    private void heartbeatLoop() {
        while (!stopped) {
            try {
                if (!registered) {
                    statusReporter.register();
                    registered = true;
                } else {
                    statusReporter.sync();
                }
            } catch (RuntimeException e) {
                log.warn("node {} status: {}", nodeName, e.getMessage());
            }
            if (registered) {
                try {
                    lease.renew(statusReporter.nodeUid());
                } catch (RuntimeException e) {
                    log.warn("node {} lease: {}", nodeName, e.getMessage());
                }
            }
            if (!sleep(registered ? statusInterval : Duration.ofSeconds(1))) {
                return;
            }
        }
    }

    private void housekeepingLoop() {
        while (!stopped) {
            // before the first list we cannot tell orphans from pods we have not heard of yet
            if (pods.hasSynced()) {
                try {
                    workers.housekeeping();
                } catch (RuntimeException e) {
                    log.warn("node {} housekeeping: {}", nodeName, e.getMessage());
                }
            }
            if (!sleep(pods.hasSynced() ? HOUSEKEEPING_INTERVAL : Duration.ofSeconds(1))) {
                return;
            }
        }
    }

    private boolean sleep(Duration d) {
        try {
            Thread.sleep(d);
            return !stopped;
        } catch (InterruptedException e) {
            return false;
        }
    }

    /** Stops watching and heartbeating; running pods stay for the next kubelet to adopt. */
    public synchronized void stop() {
        stopped = true;
        pods.stop();
        workers.stop();
        ctx.configMaps().stop();
        ctx.secrets().stop();
        ctx.pleg().stop();
        ctx.statusManager().stop();
        if (heartbeat != null) {
            heartbeat.interrupt();
        }
        if (housekeeping != null) {
            housekeeping.interrupt();
        }
        if (ctx.runtime() instanceof AutoCloseable closeable) {
            try {
                closeable.close();
            } catch (Exception e) {
                log.warn("closing the runtime of node {}: {}", nodeName, e.toString());
            }
        }
    }
}
