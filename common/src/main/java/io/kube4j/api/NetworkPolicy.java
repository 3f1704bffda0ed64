package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A NetworkPolicy (networking.k8s.io/v1): which traffic the selected pods may receive and send. */
public class NetworkPolicy extends KubeObject {
    public NetworkPolicySpec spec = new NetworkPolicySpec();

    public NetworkPolicy() {
        super("networking.k8s.io/v1", "NetworkPolicy");
    }

    /** The pods it applies to, allowed ingress and egress, and which directions it covers. */
    public static class NetworkPolicySpec {
        public LabelSelector podSelector;
        public List<NetworkPolicyIngressRule> ingress = new ArrayList<>();
        public List<NetworkPolicyEgressRule> egress = new ArrayList<>();
        public List<String> policyTypes = new ArrayList<>();
    }

    /** Traffic allowed in: from these peers to these ports. */
    public static class NetworkPolicyIngressRule {
        public List<NetworkPolicyPort> ports = new ArrayList<>();
        public List<NetworkPolicyPeer> from = new ArrayList<>();
    }

    /** Traffic allowed out: to these peers on these ports. */
    public static class NetworkPolicyEgressRule {
        public List<NetworkPolicyPort> ports = new ArrayList<>();
        public List<NetworkPolicyPeer> to = new ArrayList<>();
    }

    /** A protocol and a port (number or name), or a port range up to endPort. */
    public static class NetworkPolicyPort {
        public String protocol;
        public IntOrString port;
        public Integer endPort;
    }

    /** Pods (by pod and namespace selector) or an IP block. */
    public static class NetworkPolicyPeer {
        public LabelSelector podSelector;
        public LabelSelector namespaceSelector;
        public IPBlock ipBlock;
    }

    /** A CIDR, minus some sub-CIDRs. */
    public static class IPBlock {
        public String cidr;
        public List<String> except = new ArrayList<>();
    }
}
