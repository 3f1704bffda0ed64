package io.kube4j.kubeproxy.iptables;

import io.kube4j.kubeproxy.KubeProxyProperties;
import io.kube4j.kubeproxy.ProxiedPort;
import io.kube4j.kubeproxy.Proxier;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The Linux proxier: ClusterIPs and NodePorts as DNAT rules in the node's nat table (needs the host
 * network namespace and NET_ADMIN). Each sync rewrites kube4j's chains with one
 * {@code iptables-restore --noflush}; the jumps from PREROUTING, OUTPUT and POSTROUTING are added once
 * and, with all chains, removed on shutdown.
 */
public class IptablesProxier implements Proxier {
    private static final Logger log = LoggerFactory.getLogger(IptablesProxier.class);

    /** The built-in chains that jump into ours, and the rule that does it. */
    static final List<List<String>> JUMPS = List.of(
            List.of("PREROUTING", "-m", "comment", "--comment", "kube4j service portals", "-j", IptablesRules.SERVICES),
            List.of("OUTPUT", "-m", "comment", "--comment", "kube4j service portals", "-j", IptablesRules.SERVICES),
            List.of("POSTROUTING", "-m", "comment", "--comment", "kube4j postrouting rules", "-j", IptablesRules.POSTROUTING));

    private final KubeProxyProperties.Iptables config;
    private final CommandRunner runner;
    private Set<String> chains = new LinkedHashSet<>();
    private boolean jumpsInstalled;

    public IptablesProxier(KubeProxyProperties.Iptables config) {
        this(config, CommandRunner.PROCESS);
    }

    public IptablesProxier(KubeProxyProperties.Iptables config, CommandRunner runner) {
        this.config = config;
        this.runner = runner;
    }

    @Override
    public synchronized void sync(List<ProxiedPort> ports) {
        IptablesRules.Rendered r = IptablesRules.render(ports, chains, config.clusterCidr());
        CommandRunner.Result res = runner.run(List.of(config.restoreCommand(), "--noflush"), r.restoreInput());
        if (!res.ok()) {
            // keep the old chain set: the next sync rewrites (and cleans) from what is really there
            log.error("iptables-restore failed ({}): {}", res.exitCode(), res.output().strip());
            return;
        }
        chains = r.chains();
        if (!jumpsInstalled) {
            jumpsInstalled = installJumps();
        }
    }

    private boolean installJumps() {
        boolean all = true;
        for (List<String> jump : JUMPS) {
            if (runner.run(command("-C", jump), null).ok()) {
                continue;
            }
            CommandRunner.Result r = runner.run(command("-I", jump), null);
            if (!r.ok()) {
                log.error("cannot add the jump from {} to kube4j's chains: {}", jump.get(0), r.output().strip());
                all = false;
            }
        }
        return all;
    }

    private List<String> command(String op, List<String> jump) {
        List<String> cmd = new ArrayList<>(List.of(config.command(), "-w", "-t", "nat", op, jump.get(0)));
        cmd.addAll(jump.subList(1, jump.size()));
        return cmd;
    }

    @Override
    public synchronized void close() {
        for (List<String> jump : JUMPS) {
            // -D removes one copy; repeat while -C still finds one
            for (int i = 0; i < 5 && runner.run(command("-C", jump), null).ok(); i++) {
                runner.run(command("-D", jump), null);
            }
        }
        Set<String> all = new LinkedHashSet<>(chains);
        all.addAll(IptablesRules.BASE_CHAINS);
        CommandRunner.Result r = runner.run(List.of(config.restoreCommand(), "--noflush"), IptablesRules.cleanup(all));
        if (!r.ok()) {
            log.warn("removing kube4j's iptables chains failed: {}", r.output().strip());
        }
        chains = new LinkedHashSet<>();
        jumpsInstalled = false;
    }
}
