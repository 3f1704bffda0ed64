package io.kube4j.apiserver.allocation;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * Where Service addresses come from ({@code kube4j.services.*}, e.g. {@code KUBE4J_SERVICES_CLUSTERIPRANGE}).
 *
 * @param clusterIpRange the CIDR ClusterIPs are allocated from
 * @param nodePortRange  the inclusive port range NodePorts are allocated from
 */
@ConfigurationProperties("kube4j.services")
public record ServiceAllocationProperties(
        @DefaultValue("10.96.0.0/12") String clusterIpRange,
        @DefaultValue("30000-32767") String nodePortRange) {
}
