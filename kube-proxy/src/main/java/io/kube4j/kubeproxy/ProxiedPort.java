package io.kube4j.kubeproxy;

import java.time.Duration;
import java.util.List;

/**
 * One Service port as the proxy sees it: where it listens (ClusterIP:port, NodePort), how it
 * balances (session affinity) and its ready endpoints, sorted so every sync sees the same order.
 *
 * @param nodePort 0 when the Service has none
 */
public record ProxiedPort(String namespace, String service, String portName, String protocol,
                          String clusterIP, int port, int nodePort,
                          boolean clientIpAffinity, Duration affinityTimeout, List<Endpoint> endpoints) {

    /** {@code namespace/service:portName} (no {@code :portName} for an unnamed port): the metric tag and map key. */
    public String id() {
        return namespace + "/" + service + (portName == null || portName.isEmpty() ? "" : ":" + portName);
    }

    public boolean hasClusterIp() {
        return clusterIP != null && !clusterIP.isEmpty() && !"None".equals(clusterIP);
    }
}
