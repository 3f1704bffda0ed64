package io.kube4j.kubelet.network;

import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * Host-gw pod routing (as flannel's host-gw backend, which Kubernetes' kubenet setups leave to the network): every
 * other Node's pod CIDR is routed via that Node's address, so pods on different hosts reach each other by pod IP
 * without NAT or tunnels. For each Node but this one with a {@code spec.podCIDRs} block and an {@code InternalIP}
 * of the same address family, {@code ip route replace <podCIDR> via <InternalIP>} runs in the kubelet's own network
 * namespace; the route of a Node that is deleted, loses its address or block, or moves to another address is removed
 * with {@code ip route del <podCIDR> via <old InternalIP>} (naming the gateway, so a route someone else put there for
 * the same block is left alone). The Nodes come from an informer on all Nodes; every event triggers a sync, and all
 * routes are replaced again every {@link #RESYNC} in case someone removed them. A failed command is logged and tried
 * again at the next sync (1 s later). Two Nodes claiming one block: the first by name wins.
 * <p>
 * Needs NET_ADMIN in the namespace. Routes are only known from this process's own run: a route of a Node deleted
 * while no kubelet ran stays until the block is reused.
 */
public final class PodCidrRoutes {
    private static final Logger log = LoggerFactory.getLogger(PodCidrRoutes.class);
    /** How often every route is replaced again without any Node event. */
    public static final Duration RESYNC = Duration.ofSeconds(30);
    private static final Duration RETRY = Duration.ofSeconds(1);

    /** Runs one command (here always {@code ip ...}); an interface so tests can record or redirect the commands. */
    @FunctionalInterface
    public interface CommandRunner {
        /** The exit code and combined output of one run. */
        record Result(int exitCode, String output) {
            public boolean ok() {
                return exitCode == 0;
            }
        }

        Result run(List<String> command);

        /** Runs the command as a process of this JVM's network namespace (30 s limit). */
        CommandRunner PROCESS = command -> {
            try {
                Process p = new ProcessBuilder(command).redirectErrorStream(true).start();
                p.getOutputStream().close();
                String output = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
                if (!p.waitFor(30, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    return new Result(-1, "timed out: " + output);
                }
                return new Result(p.exitValue(), output);
            } catch (IOException e) {
                return new Result(-1, e.toString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                return new Result(-1, "interrupted");
            }
        };
    }

    private final Informer<Node> nodes;
    private final String nodeName;
    private final CommandRunner runner;
    // pod CIDR -> the gateway its route was last programmed with; guarded by this
    private final Map<String, String> programmed = new LinkedHashMap<>();
    // one permit: something changed since the last sync
    private final Semaphore changed = new Semaphore(0);
    private volatile boolean stopped;
    private Thread worker;

    /**
     * Watches all Nodes through {@code client}.
     *
     * @param nodeName this kubelet's Node, which gets no route (its pods are on its own bridge)
     * @param runner   runs {@code ip}; {@link CommandRunner#PROCESS} in the kubelet
     */
    public PodCidrRoutes(ApiClient client, String nodeName, CommandRunner runner) {
        this(new Informer<>(client, Node.class), nodeName, runner);
    }

    /** Over a given Node informer (tests preload an unstarted one and call {@link #sync}). */
    public PodCidrRoutes(Informer<Node> nodes, String nodeName, CommandRunner runner) {
        this.nodes = nodes;
        this.nodeName = nodeName;
        this.runner = runner;
        nodes.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Node n) {
                signal();
            }

            @Override
            public void onUpdate(Node old, Node n) {
                signal();
            }

            @Override
            public void onDelete(Node n) {
                signal();
            }
        });
    }

    private void signal() {
        if (changed.availablePermits() == 0) {
            changed.release();
        }
    }

    /** Starts the Node informer and the sync loop. */
    public synchronized void start() {
        nodes.start();
        worker = Thread.ofVirtual().name("pod-cidr-routes").start(this::loop);
    }

    /** Stops watching; the routes stay (pods on other hosts stay reachable while the kubelet restarts). */
    public synchronized void stop() {
        stopped = true;
        nodes.stop();
        if (worker != null) {
            worker.interrupt();
        }
    }

    private void loop() {
        long lastFull = 0;
        while (!stopped) {
            Duration wait = RESYNC;
            if (nodes.hasSynced()) {
                boolean full = System.nanoTime() - lastFull >= RESYNC.toNanos();
                if (full) {
                    lastFull = System.nanoTime();
                }
                try {
                    if (!sync(full)) {
                        wait = RETRY;
                    }
                } catch (RuntimeException e) {
                    log.warn("pod CIDR routes: {}", e.toString());
                    wait = RETRY;
                }
            } else {
                wait = RETRY;
            }
            try {
                changed.tryAcquire(wait.toMillis(), TimeUnit.MILLISECONDS);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    /**
     * The routes the Nodes in the cache call for: pod CIDR to gateway, in the Nodes' name order.
     */
    public Map<String, String> desired() {
        Map<String, String> routes = new LinkedHashMap<>();
        List<Node> all = new ArrayList<>(nodes.store().list());
        all.sort(Comparator.comparing(n -> n.metadata.name));
        for (Node n : all) {
            if (n.metadata.name.equals(nodeName)) {
                continue;
            }
            String ip = n.status.address("InternalIP");
            if (ip == null || ip.isBlank()) {
                continue;
            }
            List<String> cidrs = !n.spec.podCIDRs.isEmpty() ? n.spec.podCIDRs
                    : n.spec.podCIDR == null || n.spec.podCIDR.isBlank() ? List.of() : List.of(n.spec.podCIDR);
            for (String cidr : cidrs) {
                // an IPv4 block is routed via an IPv4 address, an IPv6 one via IPv6
                if (cidr.contains(":") != ip.contains(":")) {
                    continue;
                }
                String before = routes.putIfAbsent(cidr, ip);
                if (before != null && !before.equals(ip)) {
                    log.warn("pod CIDR {} of node {} is also claimed by the node at {}; keeping {}", cidr, n.metadata.name, before, before);
                }
            }
        }
        return routes;
    }

    /**
     * Makes the namespace's routes match {@link #desired()}: replaces new or moved routes (all of them when
     * {@code full}), deletes those no longer wanted.
     *
     * @return whether every command succeeded (else the failed ones are tried at the next sync)
     */
    public synchronized boolean sync(boolean full) {
        Map<String, String> want = desired();
        boolean ok = true;
        for (var it = programmed.entrySet().iterator(); it.hasNext(); ) {
            var route = it.next();
            if (want.containsKey(route.getKey())) {
                continue;
            }
            CommandRunner.Result r = runner.run(List.of("ip", "route", "del", route.getKey(), "via", route.getValue()));
            // already gone (someone else removed it): nothing left to do
            if (r.ok() || r.output().contains("No such process")) {
                log.info("removed route {} via {}", route.getKey(), route.getValue());
                it.remove();
            } else {
                log.warn("ip route del {} via {}: {}", route.getKey(), route.getValue(), r.output().strip());
                ok = false;
            }
        }
        for (var route : want.entrySet()) {
            if (!full && route.getValue().equals(programmed.get(route.getKey()))) {
                continue;
            }
            CommandRunner.Result r = runner.run(List.of("ip", "route", "replace", route.getKey(), "via", route.getValue()));
            if (r.ok()) {
                if (!route.getValue().equals(programmed.put(route.getKey(), route.getValue()))) {
                    log.info("route {} via {}", route.getKey(), route.getValue());
                }
            } else {
                log.warn("ip route replace {} via {}: {}", route.getKey(), route.getValue(), r.output().strip());
                ok = false;
            }
        }
        return ok;
    }

    /** The routes this instance has programmed: pod CIDR to gateway. */
    public synchronized Map<String, String> programmed() {
        return Map.copyOf(programmed);
    }
}
