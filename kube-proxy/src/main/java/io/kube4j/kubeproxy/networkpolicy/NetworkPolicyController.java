package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.api.Namespace;
import io.kube4j.api.NetworkPolicy;
import io.kube4j.api.Pod;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.kubeproxy.KubeProxyProperties;
import io.kube4j.kubeproxy.iptables.CommandRunner;
import io.kube4j.net.BridgeNetfilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.context.SmartLifecycle;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * Enforces NetworkPolicies for this node's pods with iptables (kube-router's network policy controller,
 * {@code pkg/controllers/netpol}, in kube-proxy): any NetworkPolicy, Pod or Namespace event marks the
 * state dirty; one worker renders {@link NetworkPolicyRules} from the informer caches and writes them
 * with one {@code iptables-restore --noflush} transaction, then makes sure the jumps into
 * {@link NetworkPolicyRules#TOP} are the first rules of FORWARD and OUTPUT (moved back to the top when
 * another agent, kube-proxy's own proxier included, inserted before them). A periodic sync repairs
 * flushed tables. On stop the jumps and chains are removed. Enabled by
 * {@code kube4j.kube-proxy.network-policy=true}.
 *
 * <p>Pods of one node on one Linux bridge ({@code cni0}) talk through the bridge: their packets reach the FORWARD
 * chain only with bridge netfilter on ({@code net.bridge.bridge-nf-call-iptables=1}, per network namespace), so the
 * controller makes sure of it on start and at every jump check ({@link BridgeNetfilter#ensure()}, as kubenet's
 * {@code Init} does and as kube-router, Calico and kubenet require), logging a warning naming the sysctl when it
 * cannot (a kernel without br_netfilter): policies then do not hold between pods of the same bridge.
 */
public class NetworkPolicyController implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(NetworkPolicyController.class);

    private final Informer<NetworkPolicy> policies;
    private final Informer<Pod> pods;
    private final Informer<Namespace> namespaces;
    private final KubeProxyProperties.Iptables config;
    private final CommandRunner runner;
    private final String nodeName;
    private final Duration period;
    private final BridgeNetfilter bridgeNetfilter;
    private volatile boolean bridgeNetfilterWarned;
    private final BlockingQueue<Boolean> dirty = new ArrayBlockingQueue<>(1);
    private volatile boolean running;
    private volatile boolean hasSynced;
    private Thread worker;

    /**
     * @param nodeName this node (the kube-proxy's hostname-override): pods with this {@code spec.nodeName} are enforced here
     * @param period   the resync period without events
     */
    public NetworkPolicyController(Informer<NetworkPolicy> policies, Informer<Pod> pods, Informer<Namespace> namespaces,
                                   KubeProxyProperties.Iptables config, CommandRunner runner, String nodeName, Duration period) {
        this(policies, pods, namespaces, config, runner, nodeName, period, null);
    }

    /**
     * As the other constructor, plus the bridge netfilter switch of this node's network namespace to keep on
     * ({@link BridgeNetfilter#system()} in kube-proxy; null: not touched, for tests without a kernel).
     */
    public NetworkPolicyController(Informer<NetworkPolicy> policies, Informer<Pod> pods, Informer<Namespace> namespaces,
                                   KubeProxyProperties.Iptables config, CommandRunner runner, String nodeName, Duration period,
                                   BridgeNetfilter bridgeNetfilter) {
        this.bridgeNetfilter = bridgeNetfilter;
        this.policies = policies;
        this.pods = pods;
        this.namespaces = namespaces;
        this.config = config;
        this.runner = runner;
        this.nodeName = nodeName;
        this.period = period;
        policies.addHandler(trigger());
        pods.addHandler(trigger());
        namespaces.addHandler(trigger());
    }

    private <T> ResourceEventHandler<T> trigger() {
        return ResourceEventHandler.onAnyChange(() -> dirty.offer(Boolean.TRUE));
    }

    @Override
    public void start() {
        running = true;
        ensureBridgeNetfilter();
        policies.start();
        pods.start();
        namespaces.start();
        dirty.offer(Boolean.TRUE);
        worker = Thread.ofVirtual().name("network-policy-sync").start(this::run);
    }

    private void run() {
        long lastFull = 0;
        while (running) {
            try {
                boolean event = dirty.poll(Math.min(period.toMillis(), JUMP_CHECK.toMillis()), TimeUnit.MILLISECONDS) != null;
                if (!event && hasSynced && System.nanoTime() - lastFull < period.toNanos()) {
                    // between full syncs only the jumps are checked: another agent inserting at the top of
                    // FORWARD/OUTPUT (kube-proxy's own proxier on its first sync) must not stay before them
                    checkJumps();
                    continue;
                }
                if (!policies.hasSynced() || !pods.hasSynced() || !namespaces.hasSynced()) {
                    // a partial view of the policies would open isolated pods
                    Thread.sleep(50);
                    dirty.offer(Boolean.TRUE);
                    continue;
                }
                syncOnce();
                lastFull = System.nanoTime();
            } catch (InterruptedException e) {
                return;
            } catch (RuntimeException e) {
                log.error("network policy sync failed; retrying at the next change or period", e);
            }
        }
    }

    /** How often the jumps' position is checked between full syncs. */
    static final Duration JUMP_CHECK = Duration.ofSeconds(2);

    /** Moves the jumps back to the top of their chains when something was inserted before them. */
    synchronized void checkJumps() {
        ensureBridgeNetfilter();
        String saved = save();
        if (saved == null || !saved.contains(":" + NetworkPolicyRules.TOP + " ")) {
            // the table was flushed: a full sync recreates the chains before the jumps
            dirty.offer(Boolean.TRUE);
            return;
        }
        for (String chain : NetworkPolicyRules.JUMP_FROM) {
            if (!jumpIsFirst(saved, chain)) {
                log.info("the jump to {} is no longer the first rule of {}: moving it back", NetworkPolicyRules.TOP, chain);
                ensureFirst(chain);
            }
        }
    }

    /**
     * Turns bridge netfilter back on when something turned it off (checked every {@link #JUMP_CHECK}: a read of one
     * file); the warning of a kernel without it is logged once.
     */
    void ensureBridgeNetfilter() {
        if (bridgeNetfilter == null) {
            return;
        }
        java.util.OptionalInt now;
        try {
            now = bridgeNetfilter.callIptables();
        } catch (IllegalStateException e) {
            now = java.util.OptionalInt.empty();
        }
        if (now.isPresent() && now.getAsInt() == 1) {
            return;
        }
        if (now.isEmpty() && bridgeNetfilterWarned) {
            return;
        }
        BridgeNetfilter.Status status = bridgeNetfilter.ensure();
        if (!status.enabled()) {
            bridgeNetfilterWarned = true;
            log.warn("network policies do not hold between pods on the same Linux bridge of this node: {}", status.problem());
        } else {
            log.info("{} turned on: traffic between pods on a Linux bridge of this node passes the network policy rules",
                    BridgeNetfilter.CALL_IPTABLES);
        }
    }

    /** Renders the caches and applies them (visible for tests). */
    synchronized void syncOnce() {
        String saved = save();
        String input = NetworkPolicyRules.render(policies.store().list(), pods.store().list(), namespaces.store().list(),
                nodeName, chainsOf(saved == null ? "" : saved));
        CommandRunner.Result res = runner.run(List.of(config.restoreCommand(), "--noflush"), input);
        if (!res.ok()) {
            log.error("iptables-restore of network policies failed ({}): {}", res.exitCode(), res.output().strip());
            return;
        }
        for (String chain : NetworkPolicyRules.JUMP_FROM) {
            if (saved == null || !jumpIsFirst(saved, chain)) {
                ensureFirst(chain);
            }
        }
        hasSynced = true;
    }

    /** Whether the first rule of the built-in {@code chain} in the saved filter table is our jump. */
    static boolean jumpIsFirst(String saveOutput, String chain) {
        return saveOutput.lines().filter(l -> l.startsWith("-A " + chain + " ")).findFirst()
                .map(l -> l.contains("\"" + NetworkPolicyRules.JUMP_COMMENT + "\"") && l.endsWith("-j " + NetworkPolicyRules.TOP))
                .orElse(false);
    }

    private void ensureFirst(String chain) {
        deleteJumps(chain);
        List<String> cmd = new ArrayList<>(List.of(config.command(), "-w", "-t", "filter", "-I", chain, "1"));
        cmd.addAll(NetworkPolicyRules.jumpRule());
        CommandRunner.Result r = runner.run(cmd, null);
        if (!r.ok()) {
            log.error("cannot add the jump from {} to {}: {}", chain, NetworkPolicyRules.TOP, r.output().strip());
        }
    }

    private void deleteJumps(String chain) {
        for (int i = 0; i < 5; i++) {
            List<String> cmd = new ArrayList<>(List.of(config.command(), "-w", "-t", "filter", "-D", chain));
            cmd.addAll(NetworkPolicyRules.jumpRule());
            if (!runner.run(cmd, null).ok()) {
                return;
            }
        }
    }

    private String save() {
        CommandRunner.Result r = runner.run(List.of(config.saveCommand(), "-t", "filter"), null);
        if (!r.ok()) {
            log.warn("iptables-save -t filter failed: stale network policy chains are not deleted this time: {}", r.output().strip());
            return null;
        }
        return r.output();
    }

    static Set<String> chainsOf(String saveOutput) {
        Set<String> chains = new HashSet<>();
        for (String line : saveOutput.split("\n")) {
            if (line.startsWith(":")) {
                int end = line.indexOf(' ');
                chains.add(end < 0 ? line.substring(1) : line.substring(1, end));
            }
        }
        return chains;
    }

    /** Whether the caches have synced and the rules were written once. */
    public boolean hasSynced() {
        return hasSynced;
    }

    @Override
    public void stop() {
        running = false;
        if (worker != null) {
            worker.interrupt();
        }
        policies.stop();
        pods.stop();
        namespaces.stop();
        synchronized (this) {
            NetworkPolicyRules.JUMP_FROM.forEach(this::deleteJumps);
            String saved = save();
            CommandRunner.Result r = runner.run(List.of(config.restoreCommand(), "--noflush"),
                    NetworkPolicyRules.cleanup(chainsOf(saved == null ? "" : saved)));
            if (!r.ok()) {
                log.warn("removing the network policy chains failed: {}", r.output().strip());
            }
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }
}
