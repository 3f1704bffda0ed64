package io.kube4j.kubeproxy.dns;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Cluster DNS configuration ({@code kube4j.dns.*}, e.g. {@code KUBE4J_DNS_PORT}).
 *
 * @param enabled     whether this process answers cluster DNS at all
 * @param bindAddress the address the UDP and TCP listeners bind
 * @param port        the DNS port (53 needs root or CAP_NET_BIND_SERVICE; a failed bind is logged, not fatal)
 * @param domain      the cluster domain: names are {@code <service>.<namespace>.svc.<domain>}
 * @param ttlSeconds  TTL of the answers: short, since Services and endpoints change
 */
@ConfigurationProperties("kube4j.dns")
public record DnsProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("0.0.0.0") String bindAddress,
        @DefaultValue("53") int port,
        @DefaultValue("cluster.local") String domain,
        @DefaultValue("5") long ttlSeconds) {
}
