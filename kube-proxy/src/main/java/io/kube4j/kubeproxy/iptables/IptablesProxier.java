package io.kube4j.kubeproxy.iptables;

import io.kube4j.kubeproxy.KubeProxyProperties;
import io.kube4j.kubeproxy.ProxiedPort;
import io.kube4j.kubeproxy.Proxier;
import io.kube4j.net.BridgeNetfilter;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The Linux proxier: ClusterIPs and NodePorts as DNAT rules in the node's nat table, plus the filter rules
 * that reject Services without endpoints (needs the node's network namespace and NET_ADMIN). Each sync
 * reads the tables with {@code iptables-save} (to find stale per-Service chains and missing jumps, as
 * Kubernetes' {@code syncProxyRules} does), then rewrites every chain of ours with one
 * {@code iptables-restore --noflush} transaction; the jumps from the built-in chains
 * ({@code iptablesJumpChains} in {@code pkg/proxy/iptables/proxier.go}) are inserted when missing and,
 * with all chains, removed on shutdown.
 */
public class IptablesProxier implements Proxier {
    private static final Logger log = LoggerFactory.getLogger(IptablesProxier.class);

    /** One jump from a built-in chain into ours: table, built-in chain, then the rule's arguments. */
    record Jump(String table, String chain, List<String> rule) {
    }

    /** Kubernetes' {@code iptablesJumpChains}, without the LoadBalancer firewall (kube4j has no load balancers). */
    static final List<Jump> JUMPS = List.of(
            jump("filter", "INPUT", "kubernetes externally-visible service portals", IptablesRules.EXTERNAL_SERVICES, true),
            jump("filter", "FORWARD", "kubernetes externally-visible service portals", IptablesRules.EXTERNAL_SERVICES, true),
            jump("filter", "INPUT", "kubernetes health check service ports", IptablesRules.NODEPORTS, false),
            jump("filter", "FORWARD", "kubernetes service portals", IptablesRules.SERVICES, true),
            jump("filter", "OUTPUT", "kubernetes service portals", IptablesRules.SERVICES, true),
            jump("filter", "FORWARD", "kubernetes forwarding rules", IptablesRules.FORWARD, false),
            jump("nat", "OUTPUT", "kubernetes service portals", IptablesRules.SERVICES, false),
            jump("nat", "PREROUTING", "kubernetes service portals", IptablesRules.SERVICES, false),
            jump("nat", "POSTROUTING", "kubernetes postrouting rules", IptablesRules.POSTROUTING, false));

    private static Jump jump(String table, String chain, String comment, String target, boolean newOnly) {
        List<String> rule = new ArrayList<>();
        if (newOnly) {
            rule.addAll(List.of("-m", "conntrack", "--ctstate", "NEW"));
        }
        rule.addAll(List.of("-m", "comment", "--comment", comment, "-j", target));
        return new Jump(table, chain, List.copyOf(rule));
    }

    private final KubeProxyProperties.Iptables config;
    private final CommandRunner runner;

    /**
     * The proxier of this machine; as Kubernetes' {@code NewProxier}, logs {@link BridgeNetfilter#MISSING} when bridged
     * traffic does not pass iptables ({@code net.bridge.bridge-nf-call-iptables} is not 1 in this network namespace):
     * replies of connections DNATed to a pod on the same Linux bridge as the client are then not translated back.
     */
    public IptablesProxier(KubeProxyProperties.Iptables config) {
        this(config, CommandRunner.PROCESS);
        warnWithoutBridgeNetfilter(BridgeNetfilter.system());
    }

    /** Kubernetes' check: a warning when the sysctl exists and is not 1, or (here too) does not exist. */
    static boolean warnWithoutBridgeNetfilter(BridgeNetfilter bridgeNetfilter) {
        try {
            java.util.OptionalInt v = bridgeNetfilter.callIptables();
            if (v.isEmpty() || v.getAsInt() != 1) {
                log.warn("{} ({} is {})", BridgeNetfilter.MISSING, BridgeNetfilter.CALL_IPTABLES, v.isEmpty() ? "missing" : v.getAsInt());
                return true;
            }
        } catch (IllegalStateException e) {
            log.debug("cannot read {}: {}", BridgeNetfilter.CALL_IPTABLES, e.getMessage());
        }
        return false;
    }

    public IptablesProxier(KubeProxyProperties.Iptables config, CommandRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    @Override
    public synchronized void sync(List<ProxiedPort> ports) {
        Map<String, String> saved = save();
        IptablesRules.Rendered r = IptablesRules.render(ports, chainsOf(saved.getOrDefault("nat", "")), config.clusterCidr());
        CommandRunner.Result res = runner.run(List.of(config.restoreCommand(), "--noflush"), r.restoreInput());
        if (!res.ok()) {
            // nothing changed (one transaction); the next change or the periodic sync tries again
            log.error("iptables-restore failed ({}): {}", res.exitCode(), res.output().strip());
            return;
        }
        // the jumps are checked one by one (iptables -C) only when the saved tables lack one, so that a
        // sync costs three processes, not a dozen, and a flushed table is repaired at the next sync
        if (!JUMPS.stream().allMatch(j -> hasJump(saved.getOrDefault(j.table(), ""), j))) {
            ensureJumps();
        }
    }

    /** The filter and nat tables now, by table, as {@code iptables-save -t <table>} prints them; absent if it fails. */
    private Map<String, String> save() {
        Map<String, String> out = new HashMap<>();
        for (String table : List.of("filter", "nat")) {
            CommandRunner.Result save = runner.run(List.of(config.saveCommand(), "-t", table), null);
            if (!save.ok()) {
                log.warn("iptables-save -t {} failed: stale chains are not deleted this time: {}", table, save.output().strip());
                continue;
            }
            out.put(table, save.output());
        }
        return out;
    }

    /** Whether {@code saveOutput} has the jump (its built-in chain, comment and target; iptables-save quotes the comment). */
    static boolean hasJump(String saveOutput, Jump jump) {
        String comment = "--comment \"" + jump.rule().get(jump.rule().indexOf("--comment") + 1) + "\"";
        String target = "-j " + jump.rule().getLast();
        return saveOutput.lines().anyMatch(l -> l.startsWith("-A " + jump.chain() + " ") && l.contains(comment) && l.endsWith(target));
    }

    /** The chain names declared in {@code iptables-save} output ({@code :NAME POLICY [p:b]} lines). */
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

    /** Inserts every missing jump ({@code iptables -C} then {@code -I}, Kubernetes' {@code EnsureRule(Prepend)}). */
    private void ensureJumps() {
        for (Jump jump : JUMPS) {
            if (runner.run(command(jump, "-C"), null).ok()) {
                continue;
            }
            CommandRunner.Result r = runner.run(command(jump, "-I"), null);
            if (!r.ok()) {
                log.error("cannot add the jump from {} {} to {}: {}", jump.table(), jump.chain(), jump.rule().getLast(), r.output().strip());
            }
        }
    }

    private List<String> command(Jump jump, String op) {
        List<String> cmd = new ArrayList<>(List.of(config.command(), "-w", "-t", jump.table(), op, jump.chain()));
        cmd.addAll(jump.rule());
        return cmd;
    }

    @Override
    public synchronized void close() {
        for (Jump jump : JUMPS) {
            // -D removes one copy; repeat while -C still finds one
            for (int i = 0; i < 5 && runner.run(command(jump, "-C"), null).ok(); i++) {
                runner.run(command(jump, "-D"), null);
            }
        }
        Map<String, String> saved = save();
        CommandRunner.Result r = runner.run(List.of(config.restoreCommand(), "--noflush"),
                IptablesRules.cleanup(chainsOf(saved.getOrDefault("filter", "")), chainsOf(saved.getOrDefault("nat", ""))));
        if (!r.ok()) {
            log.warn("removing kube-proxy's iptables chains failed: {}", r.output().strip());
        }
    }
}
