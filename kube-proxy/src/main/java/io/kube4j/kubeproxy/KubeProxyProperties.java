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
 */
@ConfigurationProperties("kube4j.kube-proxy")
public record KubeProxyProperties(
        @DefaultValue("userspace") Mode mode,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("1s") Duration connectTimeout,
        @DefaultValue("30s") Duration syncPeriod,
        @DefaultValue Iptables iptables,
        @DefaultValue("false") boolean clusterIpListeners) {

    /** How Service traffic is forwarded. */
    public enum Mode { USERSPACE, IPTABLES }

    /** Paths of the iptables tools; the node's pod CIDR decides what is masqueraded (empty: everything not from a pod). */
    public record Iptables(@DefaultValue("iptables") String command,
                           @DefaultValue("iptables-restore") String restoreCommand,
                           @DefaultValue("") String clusterCidr) {
    }
}
