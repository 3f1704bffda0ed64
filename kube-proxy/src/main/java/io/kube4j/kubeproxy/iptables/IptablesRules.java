package io.kube4j.kubeproxy.iptables;

import io.kube4j.kubeproxy.Endpoint;
import io.kube4j.kubeproxy.ProxiedPort;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders the nat table rules for all Service ports as {@code iptables-restore --noflush} input, the
 * way Kubernetes' iptables proxier lays them out: {@code KUBE4J-SERVICES} matches ClusterIP:port and
 * jumps to a per-port {@code KUBE4J-SVC-*} chain, which picks one {@code KUBE4J-SEP-*} chain per
 * endpoint with {@code statistic --mode random} (or {@code recent} for ClientIP affinity), which
 * DNATs to the pod. NodePorts enter through {@code KUBE4J-NODEPORTS}. Only kube4j's own chains are
 * written; chains of Services that are gone are flushed and deleted. Pure: no I/O, unit-testable.
 */
public final class IptablesRules {
    public static final String SERVICES = "KUBE4J-SERVICES";
    public static final String NODEPORTS = "KUBE4J-NODEPORTS";
    public static final String POSTROUTING = "KUBE4J-POSTROUTING";
    public static final String MARK_MASQ = "KUBE4J-MARK-MASQ";
    /** The fixed chains; per-port and per-endpoint chains come and go with Services. */
    public static final List<String> BASE_CHAINS = List.of(SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ);
    static final String MASQ_MARK = "0x4000";

    /** The restore input and every chain it declares (to know which chains become stale next time). */
    public record Rendered(String restoreInput, Set<String> chains) {
    }

    private IptablesRules() {
    }

    /**
     * @param previousChains chains written by the last sync; those not needed now are deleted
     * @param clusterCidr    pod CIDR: traffic to a ClusterIP from outside it is masqueraded (empty: not)
     */
    public static Rendered render(List<ProxiedPort> ports, Set<String> previousChains, String clusterCidr) {
        Set<String> chains = new LinkedHashSet<>(BASE_CHAINS);
        List<String> rules = new ArrayList<>();
        rules.add("-A " + POSTROUTING + " -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
        rules.add("-A " + POSTROUTING + " -j MARK --xor-mark " + MASQ_MARK);
        rules.add("-A " + POSTROUTING + " -m comment --comment \"kube4j service traffic requiring SNAT\" -j MASQUERADE");
        rules.add("-A " + MARK_MASQ + " -j MARK --or-mark " + MASQ_MARK);
        for (ProxiedPort p : ports) {
            String proto = p.protocol().toLowerCase(Locale.ROOT);
            if (!List.of("tcp", "udp", "sctp").contains(proto) || p.endpoints().isEmpty()) {
                // without endpoints there is nothing to DNAT to; the connection fails as for an unknown address
                continue;
            }
            String svcChain = "KUBE4J-SVC-" + hash(p.id() + "/" + proto);
            chains.add(svcChain);
            String match = " -p " + proto + " -m " + proto;
            String comment = " -m comment --comment \"" + p.id() + "\"";
            if (p.hasClusterIp()) {
                rules.add("-A " + SERVICES + " -d " + p.clusterIP() + "/32" + match + " --dport " + p.port() + " -m comment --comment \"" + p.id() + " cluster IP\" -j " + svcChain);
                if (clusterCidr != null && !clusterCidr.isEmpty()) {
                    rules.add("-A " + svcChain + " ! -s " + clusterCidr + " -d " + p.clusterIP() + "/32" + match + " --dport " + p.port() + " -j " + MARK_MASQ);
                }
            }
            if (p.nodePort() > 0) {
                rules.add("-A " + NODEPORTS + match + " --dport " + p.nodePort() + comment + " -j " + MARK_MASQ);
                rules.add("-A " + NODEPORTS + match + " --dport " + p.nodePort() + comment + " -j " + svcChain);
            }
            List<String> sepChains = new ArrayList<>();
            for (Endpoint e : p.endpoints()) {
                String sep = "KUBE4J-SEP-" + hash(p.id() + "/" + proto + "/" + e);
                chains.add(sep);
                sepChains.add(sep);
            }
            if (p.clientIpAffinity()) {
                for (String sep : sepChains) {
                    rules.add("-A " + svcChain + comment + " -m recent --name " + sep + " --rcheck --seconds " + p.affinityTimeout().toSeconds() + " --reap -j " + sep);
                }
            }
            int n = sepChains.size();
            for (int i = 0; i < n; i++) {
                if (i < n - 1) {
                    rules.add("-A " + svcChain + comment + " -m statistic --mode random --probability " + probability(n - i) + " -j " + sepChains.get(i));
                } else {
                    rules.add("-A " + svcChain + comment + " -j " + sepChains.get(i));
                }
            }
            for (int i = 0; i < n; i++) {
                Endpoint e = p.endpoints().get(i);
                String sep = sepChains.get(i);
                // a pod reaching itself through the Service (hairpin) must be masqueraded to get the reply
                rules.add("-A " + sep + comment + " -s " + e.ip() + "/32 -j " + MARK_MASQ);
                String recent = p.clientIpAffinity() ? " -m recent --name " + sep + " --set" : "";
                rules.add("-A " + sep + comment + recent + match + " -j DNAT --to-destination " + e);
            }
        }
        // last, so ClusterIP rules match first: anything addressed to this node may be a NodePort
        rules.add("-A " + SERVICES + " -m comment --comment \"kube4j service nodeports\" -m addrtype --dst-type LOCAL -j " + NODEPORTS);

        StringBuilder out = new StringBuilder("*nat\n");
        Set<String> stale = new LinkedHashSet<>(previousChains);
        stale.removeAll(chains);
        for (String c : chains) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        // declaring a chain flushes it, so its rules are gone before -X deletes it
        for (String c : stale) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        for (String r : rules) {
            out.append(r).append('\n');
        }
        for (String c : stale) {
            out.append("-X ").append(c).append('\n');
        }
        out.append("COMMIT\n");
        return new Rendered(out.toString(), chains);
    }

    /** The input that removes every kube4j chain (the jumps into them must be deleted first). */
    public static String cleanup(Set<String> chains) {
        StringBuilder out = new StringBuilder("*nat\n");
        for (String c : chains) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        for (String c : chains) {
            out.append("-X ").append(c).append('\n');
        }
        return out.append("COMMIT\n").toString();
    }

    /** 1/n with the precision Kubernetes uses, so each of n endpoints is equally likely. */
    static String probability(int n) {
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** A stable 16-character chain suffix (iptables chain names are limited to 28 characters). */
    static String hash(String s) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().withUpperCase().formatHex(d, 0, 8);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }
}
