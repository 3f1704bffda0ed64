package io.kube4j.kubelet.network;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * kubenet's one masquerade rule ({@code ensureMasqRule} in Kubernetes' removed
 * {@code pkg/kubelet/dockershim/network/kubenet/kubenet_linux.go}): pods' traffic to anything that is neither a
 * local address nor inside the non-masquerade CIDR leaves the node with the node's address, while traffic between
 * pods (inside the CIDR) keeps the pod IP, on every node, which is why the generated bridge network has
 * {@code ipMasq: false} (the bridge plugin would masquerade everything leaving the node's own podCIDR, other
 * nodes' pods included). The rule, appended to the nat table's POSTROUTING chain of the kubelet's network
 * namespace when missing:
 * <pre>
 * -A POSTROUTING -m comment --comment "kubenet: SNAT for outbound traffic from cluster" -m addrtype ! --dst-type LOCAL ! -d &lt;cidr&gt; -j MASQUERADE
 * </pre>
 * kubenet checks it at init and on every status call; here at {@link #start()} and every {@link #RESYNC}. The
 * rule is left in place on stop, as kubenet leaves it.
 */
public final class KubenetMasquerade {
    private static final Logger log = LoggerFactory.getLogger(KubenetMasquerade.class);
    /** kubenet's comment on the rule. */
    public static final String COMMENT = "kubenet: SNAT for outbound traffic from cluster";
    /** How often the rule is checked again. */
    public static final Duration RESYNC = Duration.ofSeconds(30);

    private final String nonMasqueradeCidr;
    private final PodCidrRoutes.CommandRunner runner;
    private volatile boolean stopped;
    private Thread worker;

    /**
     * @param nonMasqueradeCidr the kubelet's {@code --non-masquerade-cidr} (Kubernetes' default {@code 10.0.0.0/8});
     *                          {@code 0.0.0.0/0} disables the rule, as in kubenet
     * @param runner            runs {@code iptables}
     */
    public KubenetMasquerade(String nonMasqueradeCidr, PodCidrRoutes.CommandRunner runner) {
        this.nonMasqueradeCidr = nonMasqueradeCidr;
        this.runner = runner;
    }

    /** The rule's specification after the chain name (iptables' argument order as kubenet's EnsureRule). */
    public List<String> ruleSpec() {
        return List.of("-m", "comment", "--comment", COMMENT, "-m", "addrtype", "!", "--dst-type", "LOCAL",
                "!", "-d", nonMasqueradeCidr, "-j", "MASQUERADE");
    }

    /**
     * {@code iptables -t nat -C POSTROUTING <rule>}, and {@code -A} when that says it is missing (utiliptables'
     * EnsureRule with Append). Nothing when the CIDR is {@code 0.0.0.0/0}.
     *
     * @return whether the rule is in place (or not wanted)
     */
    public boolean ensure() {
        if ("0.0.0.0/0".equals(nonMasqueradeCidr) || nonMasqueradeCidr.isBlank()) {
            return true;
        }
        if (runner.run(command("-C")).ok()) {
            return true;
        }
        PodCidrRoutes.CommandRunner.Result added = runner.run(command("-A"));
        if (!added.ok()) {
            log.warn("Failed to ensure that nat chain POSTROUTING jumps to MASQUERADE: {}", added.output().strip());
            return false;
        }
        log.info("nat POSTROUTING: masquerade pod traffic leaving {} ({})", nonMasqueradeCidr, COMMENT);
        return true;
    }

    private List<String> command(String op) {
        List<String> cmd = new ArrayList<>(List.of("iptables", "-w", "5", "-t", "nat", op, "POSTROUTING"));
        cmd.addAll(ruleSpec());
        return cmd;
    }

    /** Ensures the rule now and every {@link #RESYNC} on a virtual thread. */
    public synchronized void start() {
        ensure();
        worker = Thread.ofVirtual().name("kubenet-masquerade").start(() -> {
            while (!stopped) {
                try {
                    Thread.sleep(RESYNC);
                } catch (InterruptedException e) {
                    return;
                }
                ensure();
            }
        });
    }

    /** Stops checking; the rule stays. */
    public synchronized void stop() {
        stopped = true;
        if (worker != null) {
            worker.interrupt();
        }
    }
}
