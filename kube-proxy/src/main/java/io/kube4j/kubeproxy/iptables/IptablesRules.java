package io.kube4j.kubeproxy.iptables;

import io.kube4j.kubeproxy.Endpoint;
import io.kube4j.kubeproxy.ProxiedPort;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Set;

/**
 * Renders the filter and nat rules of all Service ports as one {@code iptables-restore --noflush} input,
 * laid out as Kubernetes' iptables proxier lays them out ({@code syncProxyRules} in
 * {@code pkg/proxy/iptables/proxier.go}):
 * <ul>
 *   <li>nat {@code KUBE-SERVICES} matches ClusterIP:port and jumps to the port's {@code KUBE-SVC-<hash>}
 *       chain, which picks one {@code KUBE-SEP-<hash>} chain per endpoint with
 *       {@code -m statistic --mode random --probability 1/n} (after {@code -m recent --rcheck} rules for
 *       ClientIP affinity); the SEP chain DNATs to the endpoint. Its last rule sends anything addressed to
 *       a local address to {@code KUBE-NODEPORTS}, which jumps to the port's {@code KUBE-EXT-<hash>}.</li>
 *   <li>{@code KUBE-EXT-*} masquerades and goes on to the SVC chain (externalTrafficPolicy Cluster), or
 *       with policy Local sends pod- and node-originated traffic to the SVC chain and the rest to
 *       {@code KUBE-SVL-<hash>}, which spreads over this node's endpoints only.</li>
 *   <li>{@code KUBE-MARK-MASQ} sets mark 0x4000; {@code KUBE-POSTROUTING} masquerades marked packets.</li>
 *   <li>filter: {@code KUBE-SERVICES} rejects ClusterIPs without endpoints, {@code KUBE-EXTERNAL-SERVICES}
 *       rejects (no endpoints) or drops (externalTrafficPolicy Local without a local endpoint) NodePorts,
 *       {@code KUBE-FORWARD} accepts marked and established traffic and drops INVALID.</li>
 * </ul>
 * Chains of Services that are gone (found in {@code existingNatChains}, from {@code iptables-save}) are
 * flushed and deleted in the same transaction. Pure: no I/O, unit-testable.
 */
public final class IptablesRules {
    public static final String SERVICES = "KUBE-SERVICES";
    public static final String EXTERNAL_SERVICES = "KUBE-EXTERNAL-SERVICES";
    public static final String NODEPORTS = "KUBE-NODEPORTS";
    public static final String POSTROUTING = "KUBE-POSTROUTING";
    public static final String MARK_MASQ = "KUBE-MARK-MASQ";
    public static final String FORWARD = "KUBE-FORWARD";
    public static final String PROXY_FIREWALL = "KUBE-PROXY-FIREWALL";
    /** The fixed nat chains; per-port and per-endpoint chains come and go with Services. */
    public static final List<String> BASE_CHAINS = List.of(SERVICES, NODEPORTS, POSTROUTING, MARK_MASQ);
    /** The fixed filter chains. */
    public static final List<String> FILTER_CHAINS = List.of(SERVICES, EXTERNAL_SERVICES, FORWARD, NODEPORTS, PROXY_FIREWALL);
    /** Prefixes of the per-Service nat chains (Kubernetes' {@code isServiceChainName}). */
    public static final List<String> SERVICE_CHAIN_PREFIXES = List.of("KUBE-SVC-", "KUBE-SVL-", "KUBE-SEP-", "KUBE-FW-", "KUBE-EXT-");
    /** Kubernetes' default {@code --iptables-masquerade-bit} 14. */
    static final String MASQ_MARK = "0x4000";

    /** The restore input and the nat chains it keeps (declared and filled). */
    public record Rendered(String restoreInput, Set<String> chains) {
    }

    private IptablesRules() {
    }

    /**
     * @param existingNatChains chains in the nat table now; per-Service ones not needed any more are deleted
     * @param clusterCidr       pod CIDR (Kubernetes' {@code --cluster-cidr} local-traffic detector): traffic to a
     *                          ClusterIP from outside it is masqueraded; empty: no detector, nothing is
     */
    public static Rendered render(List<ProxiedPort> ports, Set<String> existingNatChains, String clusterCidr) {
        boolean detector = clusterCidr != null && !clusterCidr.isEmpty();
        Set<String> natChains = new LinkedHashSet<>(BASE_CHAINS);
        List<String> nat = new ArrayList<>();
        List<String> filter = new ArrayList<>();
        nat.add("-A " + POSTROUTING + " -m mark ! --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j RETURN");
        // clear the mark so a packet that traverses the stack again is not masqueraded twice
        nat.add("-A " + POSTROUTING + " -j MARK --xor-mark " + MASQ_MARK);
        nat.add("-A " + POSTROUTING + " -m comment --comment \"kubernetes service traffic requiring SNAT\" -j MASQUERADE --random-fully");
        nat.add("-A " + MARK_MASQ + " -j MARK --or-mark " + MASQ_MARK);
        for (ProxiedPort p : ports) {
            String proto = p.protocol().toLowerCase(Locale.ROOT);
            if (!List.of("tcp", "udp", "sctp").contains(proto)) {
                continue;
            }
            String name = p.id();
            String hash = portProtoHash(name, proto);
            String svcChain = "KUBE-SVC-" + hash;
            String svlChain = "KUBE-SVL-" + hash;
            String extChain = "KUBE-EXT-" + hash;
            String match = " -m " + proto + " -p " + proto;
            List<Endpoint> endpoints = p.endpoints();
            List<Endpoint> local = p.localEndpoints();
            boolean hasEndpoints = !endpoints.isEmpty();
            boolean extLocal = p.externalPolicyLocal();
            boolean hasExternalEndpoints = hasEndpoints && (!extLocal || !local.isEmpty());
            boolean usesLocalChain = extLocal && !local.isEmpty();
            String clusterIpMatch = " -m comment --comment \"" + name + " cluster IP\"" + match + " -d " + p.clusterIP() + " --dport " + p.port();

            if (p.hasClusterIp()) {
                if (hasEndpoints) {
                    nat.add("-A " + SERVICES + clusterIpMatch + " -j " + svcChain);
                } else {
                    filter.add("-A " + SERVICES + " -m comment --comment \"" + name + " has no endpoints\"" + match
                            + " -d " + p.clusterIP() + " --dport " + p.port() + " -j REJECT");
                }
            }
            if (p.nodePort() > 0) {
                if (hasEndpoints) {
                    nat.add("-A " + NODEPORTS + " -m comment --comment \"" + name + "\"" + match + " --dport " + p.nodePort() + " -j " + extChain);
                }
                if (!hasExternalEndpoints) {
                    String comment = hasEndpoints ? name + " has no local endpoints" : name + " has no endpoints";
                    filter.add("-A " + EXTERNAL_SERVICES + " -m comment --comment \"" + comment + "\" -m addrtype --dst-type LOCAL"
                            + match + " --dport " + p.nodePort() + " -j " + (hasEndpoints ? "DROP" : "REJECT"));
                }
            }
            if (!hasEndpoints) {
                continue;
            }
            if (p.hasClusterIp() && detector) {
                // off-cluster traffic to a ClusterIP (a route to the service range via this node) may leave
                // the node again: masquerade it so the reply comes back here
                nat.add("-A " + svcChain + clusterIpMatch + " ! -s " + clusterCidr + " -j " + MARK_MASQ);
            }
            if (p.nodePort() > 0) {
                natChains.add(extChain);
                if (!extLocal) {
                    nat.add("-A " + extChain + " -m comment --comment \"masquerade traffic for " + name + " external destinations\" -j " + MARK_MASQ);
                } else {
                    if (detector) {
                        nat.add("-A " + extChain + " -m comment --comment \"pod traffic for " + name + " external destinations\" -s " + clusterCidr + " -j " + svcChain);
                    }
                    nat.add("-A " + extChain + " -m comment --comment \"masquerade LOCAL traffic for " + name + " external destinations\" -m addrtype --src-type LOCAL -j " + MARK_MASQ);
                    nat.add("-A " + extChain + " -m comment --comment \"route LOCAL traffic for " + name + " external destinations\" -m addrtype --src-type LOCAL -j " + svcChain);
                }
                if (hasExternalEndpoints) {
                    nat.add("-A " + extChain + " -j " + (extLocal ? svlChain : svcChain));
                }
            }
            natChains.add(svcChain);
            serviceToEndpointRules(nat, p, proto, svcChain, endpoints);
            if (usesLocalChain) {
                natChains.add(svlChain);
                serviceToEndpointRules(nat, p, proto, svlChain, local);
            }
            for (Endpoint e : endpoints) {
                String sep = endpointChain(name, proto, e);
                natChains.add(sep);
                String comment = " -m comment --comment \"" + name + "\"";
                // a pod reaching itself through the Service (hairpin) must be masqueraded to get the reply
                nat.add("-A " + sep + comment + " -s " + e.ip() + " -j " + MARK_MASQ);
                String recent = p.clientIpAffinity() ? " -m recent --name " + sep + " --set" : "";
                nat.add("-A " + sep + comment + recent + match + " -j DNAT --to-destination " + e);
            }
        }
        // last, so ClusterIP rules match first: anything addressed to this node may be a NodePort; loopback
        // is excluded as Kubernetes does without --iptables-localhost-nodeports (we do not set route_localnet)
        nat.add("-A " + SERVICES + " -m comment --comment \"kubernetes service nodeports; NOTE: this must be the last rule in this chain\""
                + " -m addrtype --dst-type LOCAL ! -d 127.0.0.0/8 -j " + NODEPORTS);
        filter.add("-A " + FORWARD + " -m conntrack --ctstate INVALID -j DROP");
        filter.add("-A " + FORWARD + " -m comment --comment \"kubernetes forwarding rules\" -m mark --mark " + MASQ_MARK + "/" + MASQ_MARK + " -j ACCEPT");
        filter.add("-A " + FORWARD + " -m comment --comment \"kubernetes forwarding conntrack rule\" -m conntrack --ctstate RELATED,ESTABLISHED -j ACCEPT");

        StringBuilder out = new StringBuilder("*filter\n");
        for (String c : FILTER_CHAINS) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        filter.forEach(r -> out.append(r).append('\n'));
        out.append("COMMIT\n*nat\n");
        for (String c : natChains) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        List<String> stale = existingNatChains.stream().filter(c -> isServiceChain(c) && !natChains.contains(c)).sorted().toList();
        // declaring a chain flushes it, so its rules (and jumps to other stale chains) are gone before -X
        for (String c : stale) {
            out.append(':').append(c).append(" - [0:0]\n");
        }
        nat.forEach(r -> out.append(r).append('\n'));
        for (String c : stale) {
            out.append("-X ").append(c).append('\n');
        }
        out.append("COMMIT\n");
        return new Rendered(out.toString(), natChains);
    }

    /** ClientIP affinity rules, then one probabilistic jump per endpoint ({@code writeServiceToEndpointRules}). */
    private static void serviceToEndpointRules(List<String> nat, ProxiedPort p, String proto, String chain, List<Endpoint> endpoints) {
        String name = p.id();
        if (p.clientIpAffinity()) {
            for (Endpoint e : endpoints) {
                String sep = endpointChain(name, proto, e);
                nat.add("-A " + chain + " -m comment --comment \"" + name + " -> " + e + "\" -m recent --name " + sep
                        + " --rcheck --seconds " + p.affinityTimeout().toSeconds() + " --reap -j " + sep);
            }
        }
        int n = endpoints.size();
        for (int i = 0; i < n; i++) {
            Endpoint e = endpoints.get(i);
            String rule = "-A " + chain + " -m comment --comment \"" + name + " -> " + e + "\"";
            if (i < n - 1) {
                rule += " -m statistic --mode random --probability " + probability(n - i);
            }
            nat.add(rule + " -j " + endpointChain(name, proto, e));
        }
    }

    /**
     * The input that flushes and deletes every chain of ours: the fixed filter and nat chains, and the
     * per-Service nat chains among {@code existingNatChains} (the jumps into them must be deleted first),
     * as Kubernetes' {@code cleanupLeftoversForFamily}.
     */
    public static String cleanup(Set<String> existingFilterChains, Set<String> existingNatChains) {
        StringBuilder out = new StringBuilder("*filter\n");
        List<String> filter = FILTER_CHAINS.stream().filter(existingFilterChains::contains).toList();
        filter.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        filter.forEach(c -> out.append("-X ").append(c).append('\n'));
        out.append("COMMIT\n*nat\n");
        List<String> nat = new ArrayList<>(BASE_CHAINS.stream().filter(existingNatChains::contains).toList());
        existingNatChains.stream().filter(IptablesRules::isServiceChain).sorted().forEach(nat::add);
        nat.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        nat.forEach(c -> out.append("-X ").append(c).append('\n'));
        return out.append("COMMIT\n").toString();
    }

    static boolean isServiceChain(String chain) {
        return SERVICE_CHAIN_PREFIXES.stream().anyMatch(chain::startsWith);
    }

    /** 1/n as Kubernetes' {@code computeProbability} writes it ({@code %0.10f}). */
    static String probability(int n) {
        return String.format(Locale.ROOT, "%.10f", 1.0 / n);
    }

    /** The 16-character chain suffix of a Service port: base32(sha256(name + protocol))[:16] ({@code portProtoHash}). */
    static String portProtoHash(String servicePortName, String protocol) {
        return hash(servicePortName + protocol);
    }

    /** {@code KUBE-SEP-} + base32(sha256(name + protocol + "ip:port"))[:16] ({@code servicePortEndpointChainName}). */
    static String endpointChain(String servicePortName, String protocol, Endpoint e) {
        return "KUBE-SEP-" + hash(servicePortName + protocol + e);
    }

    /** base32 (RFC 4648, Go's StdEncoding) of SHA-256, first 16 characters: chain names stay within iptables' 28. */
    public static String hash(String s) {
        try {
            return base32(MessageDigest.getInstance("SHA-256").digest(s.getBytes(StandardCharsets.UTF_8))).substring(0, 16);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static String base32(byte[] data) {
        final String alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
        StringBuilder out = new StringBuilder();
        int buffer = 0;
        int bits = 0;
        for (byte b : data) {
            buffer = (buffer << 8) | (b & 0xff);
            bits += 8;
            while (bits >= 5) {
                out.append(alphabet.charAt((buffer >> (bits - 5)) & 31));
                bits -= 5;
            }
        }
        if (bits > 0) {
            out.append(alphabet.charAt((buffer << (5 - bits)) & 31));
        }
        return out.toString();
    }
}
