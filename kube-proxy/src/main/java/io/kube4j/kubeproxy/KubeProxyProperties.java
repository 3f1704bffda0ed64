package io.kube4j.kubeproxy;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

import java.time.Duration;

/**
 * kube-proxy configuration ({@code kube4j.kube-proxy.*}, e.g. {@code KUBE4J_KUBEPROXY_MODE=iptables}).
 *
 * @param mode           userspace (portable, the default) or iptables (Linux, host network, NET_ADMIN)
 * @param bindAddress    the address NodePort listeners bind in userspace mode
 * @param connectTimeout how long a connection to one endpoint may take before the next is tried
 * @param syncPeriod     how often the rules are re-applied even without changes (retries failed binds)
 * @param iptables       the iptables commands (iptables mode)
 * @param clusterIpListeners userspace mode: also put each ClusterIP on lo and listen on ClusterIP:port
 *                       (needs NET_ADMIN and the {@code ip} tool; pods need a route to the service range via this proxy)
 * @param hostnameOverride this proxy's node name (Kubernetes' {@code --hostname-override}); "" (the default) is the
 *                       machine's hostname. EndpointSlice endpoints with this {@code nodeName} are local
 *                       (externalTrafficPolicy Local).
 * @param networkPolicy  enforce NetworkPolicies for this node's pods with iptables (Linux, NET_ADMIN; off by default,
 *                       as kube-proxy leaves it to the network plugin in Kubernetes)
 */
@ConfigurationProperties("kube4j.kube-proxy")
public record KubeProxyProperties(
        @DefaultValue("userspace") Mode mode,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("1s") Duration connectTimeout,
        @DefaultValue("30s") Duration syncPeriod,
        @DefaultValue Iptables iptables,
        @DefaultValue("false") boolean clusterIpListeners,
        @DefaultValue("") String hostnameOverride,
        @DefaultValue("false") boolean networkPolicy) {

    /** {@code hostnameOverride}, else this machine's hostname, lower-cased as Kubernetes' {@code GetHostname} does. */
    public String nodeName() {
        if (hostnameOverride != null && !hostnameOverride.isBlank()) {
            return hostnameOverride.trim().toLowerCase(java.util.Locale.ROOT);
        }
        try {
            return java.net.InetAddress.getLocalHost().getHostName().trim().toLowerCase(java.util.Locale.ROOT);
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** How Service traffic is forwarded. */
    public enum Mode { USERSPACE, IPTABLES }

    /**
     * Paths of the iptables tools; the cluster's pod CIDR decides what is masqueraded (Kubernetes'
     * {@code --cluster-cidr} local-traffic detector: traffic to a ClusterIP from outside it is masqueraded;
     * empty: nothing is, as Kubernetes without a detector).
     *
     * @param saveCommand {@code iptables-save}, read before each sync to find stale service chains
     */
    public record Iptables(@DefaultValue("iptables") String command,
                           @DefaultValue("iptables-restore") String restoreCommand,
                           @DefaultValue("") String clusterCidr,
                           @DefaultValue("iptables-save") String saveCommand) {
    }
}
