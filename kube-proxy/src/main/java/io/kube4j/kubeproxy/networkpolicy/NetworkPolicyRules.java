package io.kube4j.kubeproxy.networkpolicy;

import io.kube4j.api.Container;
import io.kube4j.api.Namespace;
import io.kube4j.api.NetworkPolicy;
import io.kube4j.api.NetworkPolicy.NetworkPolicyPeer;
import io.kube4j.api.NetworkPolicy.NetworkPolicyPort;
import io.kube4j.api.Pod;
import io.kube4j.kubeproxy.iptables.IptablesRules;
import io.kube4j.labels.Selector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * NetworkPolicy enforcement as iptables filter rules for the pods of one node, rendered as
 * {@code iptables-restore --noflush} input (the shape of kube-router's {@code pkg/controllers/netpol}:
 * a top chain jumped to from FORWARD and OUTPUT, a chain per isolated pod and direction, a mark for
 * "allowed by some rule", REJECT otherwise; peers matched by address with {@code -s}/{@code -d} instead
 * of ipsets).
 *
 * <ul>
 *   <li>{@value #TOP} (jumped to first from FORWARD and OUTPUT): replies of allowed connections
 *       (conntrack RELATED,ESTABLISHED) and traffic from the node itself (addrtype LOCAL: "traffic to and
 *       from the node where a Pod is running is always allowed", Kubernetes' Network Policies page) return
 *       at once; then {@code -s <pod IP>} jumps to the pod's egress chain and {@code -d <pod IP>} to its
 *       ingress chain, for every local pod isolated in that direction.</li>
 *   <li>{@code KUBE-NWPLCY-<hash>} per pod and direction: clears the mark bit {@value #MARK}, sets it for
 *       the pod's own address (a pod cannot block access to itself), for every (peer, port) of every rule of every policy selecting the pod (the union), returns when set,
 *       else REJECTs.</li>
 *   <li>{@code KUBE-NWPLCY-<hash>} per ipBlock peer with {@code except}: the jump matches the CIDR, the
 *       chain returns for each except CIDR and marks the rest.</li>
 * </ul>
 *
 * Semantics follow networking.k8s.io/v1: a pod is isolated for a direction when a policy of its namespace
 * selects it with that policy type; {@code policyTypes} empty means Ingress, plus Egress when the policy
 * has egress rules; a rule without peers matches every address, without ports every port; a peer with a
 * podSelector selects the pods of the policy's namespace, with a namespaceSelector all pods of the
 * selected namespaces, with both the selected pods of the selected namespaces; protocol defaults to TCP;
 * a named port is resolved against the destination pod's container ports (ingress: the isolated pod;
 * egress: each peer pod; it matches nothing for an ipBlock peer). Pods without an IP, in host network,
 * or finished (Succeeded/Failed) are neither isolated nor peers.
 */
public final class NetworkPolicyRules {
    /** The top chain, jumped to from the built-in FORWARD and OUTPUT chains. */
    public static final String TOP = "KUBE-NWPLCY";
    /** Prefix of the per-pod and per-ipBlock chains ({@code KUBE-NWPLCY-} + 16 hash characters = 28, iptables' maximum). */
    public static final String CHAIN_PREFIX = "KUBE-NWPLCY-";
    /** The packet mark bit "allowed by a rule" (kube-proxy uses 0x4000 and 0x8000). */
    public static final String MARK = "0x10000";
    /** The built-in filter chains that jump to {@link #TOP}. */
    public static final List<String> JUMP_FROM = List.of("FORWARD", "OUTPUT");
    /** The comment on those jumps (how they are found again). */
    public static final String JUMP_COMMENT = "kube4j network policies";

    private NetworkPolicyRules() {
    }

    /** The rule arguments of the jump from a built-in chain into {@link #TOP}. */
    public static List<String> jumpRule() {
        return List.of("-m", "comment", "--comment", JUMP_COMMENT, "-j", TOP);
    }

    /** Whether a pod takes part at all: it has an IP, is not in the host network, and has not finished. */
    static boolean actionable(Pod pod) {
        return pod.status != null && pod.status.podIP != null && !pod.status.podIP.isEmpty()
                && (pod.spec == null || !Boolean.TRUE.equals(pod.spec.hostNetwork))
                && !"Succeeded".equals(pod.status.phase) && !"Failed".equals(pod.status.phase);
    }

    /** The policy's effective types ({@code policyTypes}, else Ingress plus Egress when it has egress rules, as the API defaults them). */
    static Set<String> policyTypes(NetworkPolicy np) {
        Set<String> types = new LinkedHashSet<>();
        if (np.spec.policyTypes != null && !np.spec.policyTypes.isEmpty()) {
            types.addAll(np.spec.policyTypes);
            return types;
        }
        types.add("Ingress");
        if (np.spec.egress != null && !np.spec.egress.isEmpty()) {
            types.add("Egress");
        }
        return types;
    }

    /** Whether the policy selects the pod (same namespace, podSelector; an absent podSelector is the empty one: all pods). */
    static boolean selects(NetworkPolicy np, Pod pod) {
        if (!java.util.Objects.equals(np.metadata.namespace, pod.metadata.namespace)) {
            return false;
        }
        return np.spec.podSelector == null || Selector.from(np.spec.podSelector).matches(labels(pod.metadata.labels));
    }

    private static Map<String, String> labels(Map<String, String> l) {
        return l == null ? Map.of() : l;
    }

    /** The namespace's labels, with {@code kubernetes.io/metadata.name} as the apiserver sets it on every namespace. */
    static Map<String, String> namespaceLabels(Namespace ns) {
        Map<String, String> out = new HashMap<>(labels(ns.metadata.labels));
        out.putIfAbsent("kubernetes.io/metadata.name", ns.metadata.name);
        return out;
    }

    /**
     * The filter table for this node's pods.
     *
     * @param policies       every NetworkPolicy (all namespaces)
     * @param pods           every pod (peers may be anywhere); the isolated ones are those with {@code spec.nodeName = nodeName}
     * @param namespaces     every Namespace (for namespaceSelector)
     * @param nodeName       this node
     * @param existingChains the filter chains now in the kernel: stale {@code KUBE-NWPLCY-*} chains among them are deleted
     * @return {@code iptables-restore --noflush} input for the filter table
     */
    public static String render(List<NetworkPolicy> policies, List<Pod> pods, List<Namespace> namespaces, String nodeName, Set<String> existingChains) {
        List<NetworkPolicy> nps = new ArrayList<>(policies);
        nps.sort(Comparator.comparing(p -> p.metadata.namespace + "/" + p.metadata.name));
        List<Pod> all = pods.stream().filter(NetworkPolicyRules::actionable)
                .sorted(Comparator.comparing(p -> p.metadata.namespace + "/" + p.metadata.name)).toList();
        Map<String, Map<String, String>> nsLabels = new HashMap<>();
        for (Namespace ns : namespaces) {
            nsLabels.put(ns.metadata.name, namespaceLabels(ns));
        }

        Map<String, List<String>> chains = new LinkedHashMap<>();
        List<String> top = new ArrayList<>();
        top.add("-A " + TOP + " -m conntrack --ctstate RELATED,ESTABLISHED -j RETURN");
        top.add("-A " + TOP + " -m addrtype --src-type LOCAL -j RETURN");
        chains.put(TOP, top);
        for (Pod pod : all) {
            if (!nodeName.equals(pod.spec == null ? null : pod.spec.nodeName)) {
                continue;
            }
            String key = pod.metadata.namespace + "/" + pod.metadata.name;
            List<NetworkPolicy> selecting = nps.stream().filter(np -> selects(np, pod)).toList();
            for (String direction : List.of("Egress", "Ingress")) {
                List<NetworkPolicy> isolating = selecting.stream().filter(np -> policyTypes(np).contains(direction)).toList();
                if (isolating.isEmpty()) {
                    continue;
                }
                boolean ingress = direction.equals("Ingress");
                String chain = CHAIN_PREFIX + IptablesRules.hash(key + " " + direction);
                top.add("-A " + TOP + (ingress ? " -d " : " -s ") + pod.status.podIP + "/32 -m comment --comment \""
                        + key + " " + direction.toLowerCase(Locale.ROOT) + "\" -j " + chain);
                List<String> rules = new ArrayList<>();
                rules.add("-A " + chain + " -j MARK --set-xmark 0x0/" + MARK);
                // "a pod cannot block access to itself" (Network Policies page): its own traffic back to it
                // through a Service (hairpin) passes the node with the pod's address on both ends
                rules.add("-A " + chain + (ingress ? " -s " : " -d ") + pod.status.podIP + "/32 -m comment --comment \"the pod itself\" -j MARK --set-xmark " + MARK + "/" + MARK);
                for (NetworkPolicy np : isolating) {
                    int ruleIndex = 0;
                    List<?> npRules = ingress ? np.spec.ingress : np.spec.egress;
                    for (Object r : npRules == null ? List.of() : npRules) {
                        List<NetworkPolicyPeer> peers = ingress ? ((NetworkPolicy.NetworkPolicyIngressRule) r).from : ((NetworkPolicy.NetworkPolicyEgressRule) r).to;
                        List<NetworkPolicyPort> ports = ingress ? ((NetworkPolicy.NetworkPolicyIngressRule) r).ports : ((NetworkPolicy.NetworkPolicyEgressRule) r).ports;
                        String ruleId = np.metadata.namespace + "/" + np.metadata.name + " " + direction + " " + ruleIndex++;
                        ruleLines(chain, ruleId, ingress, pod, peers, ports, np.metadata.namespace, all, nsLabels, rules, chains);
                    }
                }
                rules.add("-A " + chain + " -m mark --mark " + MARK + "/" + MARK + " -j RETURN");
                rules.add("-A " + chain + " -m comment --comment \"" + key + " " + direction.toLowerCase(Locale.ROOT)
                        + " not allowed by any network policy\" -j REJECT");
                chains.put(chain, rules);
            }
        }

        StringBuilder out = new StringBuilder("*filter\n");
        chains.keySet().forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        Set<String> stale = new TreeSet<>();
        for (String c : existingChains) {
            if (c.startsWith(CHAIN_PREFIX) && !chains.containsKey(c)) {
                stale.add(c);
            }
        }
        stale.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        chains.values().forEach(lines -> lines.forEach(l -> out.append(l).append('\n')));
        stale.forEach(c -> out.append("-X ").append(c).append('\n'));
        return out.append("COMMIT\n").toString();
    }

    /** The lines of one rule (peers × ports) into {@code chain}; ipBlock-with-except chains go into {@code chains}. */
    private static void ruleLines(String chain, String ruleId, boolean ingress, Pod pod, List<NetworkPolicyPeer> peers,
                                  List<NetworkPolicyPort> ports, String policyNamespace, List<Pod> all,
                                  Map<String, Map<String, String>> nsLabels, List<String> rules, Map<String, List<String>> chains) {
        String addr = ingress ? " -s " : " -d ";
        String allow = " -j MARK --set-xmark " + MARK + "/" + MARK;
        if (peers == null || peers.isEmpty()) {
            // every address; named ports resolve against the destination: the pod itself for ingress, unknown for egress
            for (String port : portMatches(ports, ingress ? pod : null)) {
                rules.add("-A " + chain + port + allow);
            }
            return;
        }
        int peerIndex = 0;
        for (NetworkPolicyPeer peer : peers) {
            int thisPeer = peerIndex++;
            if (peer.ipBlock != null) {
                List<String> except = peer.ipBlock.except == null ? List.of() : peer.ipBlock.except;
                String target = allow;
                if (!except.isEmpty()) {
                    String exceptChain = CHAIN_PREFIX + IptablesRules.hash(chain + " " + ruleId + " " + thisPeer);
                    List<String> lines = new ArrayList<>();
                    for (String e : except) {
                        lines.add("-A " + exceptChain + addr.stripTrailing() + " " + e + " -j RETURN");
                    }
                    lines.add("-A " + exceptChain + allow);
                    chains.put(exceptChain, lines);
                    target = " -j " + exceptChain;
                }
                for (String port : portMatches(ports, ingress ? pod : null)) {
                    rules.add("-A " + chain + addr + peer.ipBlock.cidr + port + target);
                }
                continue;
            }
            for (Pod peerPod : peerPods(peer, policyNamespace, all, nsLabels)) {
                for (String port : portMatches(ports, ingress ? pod : peerPod)) {
                    rules.add("-A " + chain + addr + peerPod.status.podIP + "/32" + port + allow);
                }
            }
        }
    }

    /** The pods a podSelector/namespaceSelector peer selects. */
    static List<Pod> peerPods(NetworkPolicyPeer peer, String policyNamespace, List<Pod> all, Map<String, Map<String, String>> nsLabels) {
        if (peer.podSelector == null && peer.namespaceSelector == null) {
            return List.of();
        }
        Selector pods = peer.podSelector == null ? Selector.everything() : Selector.from(peer.podSelector);
        Selector nss = peer.namespaceSelector == null ? null : Selector.from(peer.namespaceSelector);
        List<Pod> out = new ArrayList<>();
        for (Pod p : all) {
            boolean inNamespace = nss == null
                    ? policyNamespace.equals(p.metadata.namespace)
                    : nss.matches(nsLabels.getOrDefault(p.metadata.namespace, Map.of("kubernetes.io/metadata.name", p.metadata.namespace)));
            if (inNamespace && pods.matches(labels(p.metadata.labels))) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * The port matches of a rule: one empty string (all ports) when it has none, else one per port (and per
     * container port a name resolves to on {@code destination}); a named port without a destination pod
     * (egress to an ipBlock or to any address) matches nothing.
     */
    static List<String> portMatches(List<NetworkPolicyPort> ports, Pod destination) {
        if (ports == null || ports.isEmpty()) {
            return List.of("");
        }
        List<String> out = new ArrayList<>();
        for (NetworkPolicyPort p : ports) {
            String proto = (p.protocol == null || p.protocol.isEmpty() ? "TCP" : p.protocol).toLowerCase(Locale.ROOT);
            if (p.port == null) {
                out.add(" -p " + proto);
            } else if (p.port.isInt()) {
                String range = p.endPort != null && p.endPort > p.port.intValue() ? p.port.intValue() + ":" + p.endPort : String.valueOf(p.port.intValue());
                out.add(" -p " + proto + " -m " + proto + " --dport " + range);
            } else if (destination != null) {
                for (int number : namedPort(destination, p.port.strValue(), proto)) {
                    out.add(" -p " + proto + " -m " + proto + " --dport " + number);
                }
            }
        }
        return out;
    }

    /** The container ports named {@code name} with protocol {@code proto} (lower case) in the pod. */
    static Set<Integer> namedPort(Pod pod, String name, String proto) {
        Set<Integer> out = new TreeSet<>();
        if (pod.spec == null || pod.spec.containers == null) {
            return out;
        }
        for (Container c : pod.spec.containers) {
            for (Container.ContainerPort cp : c.ports == null ? List.<Container.ContainerPort>of() : c.ports) {
                String cpProto = (cp.protocol == null || cp.protocol.isEmpty() ? "TCP" : cp.protocol).toLowerCase(Locale.ROOT);
                if (name.equals(cp.name) && proto.equals(cpProto) && cp.containerPort != null) {
                    out.add(cp.containerPort);
                }
            }
        }
        return out;
    }

    /** The input that flushes and deletes {@link #TOP} and every {@code KUBE-NWPLCY-*} chain among {@code existingChains} (jumps removed first). */
    public static String cleanup(Set<String> existingChains) {
        List<String> ours = existingChains.stream().filter(c -> c.equals(TOP) || c.startsWith(CHAIN_PREFIX)).sorted().toList();
        StringBuilder out = new StringBuilder("*filter\n");
        ours.forEach(c -> out.append(':').append(c).append(" - [0:0]\n"));
        ours.forEach(c -> out.append("-X ").append(c).append('\n'));
        return out.append("COMMIT\n").toString();
    }
}
