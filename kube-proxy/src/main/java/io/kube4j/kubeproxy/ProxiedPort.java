package io.kube4j.kubeproxy;

import java.time.Duration;
import java.util.List;

/**
 * One Service port as the proxy sees it: where it listens (ClusterIP:port, NodePort), how it
 * balances (session affinity) and its usable endpoints, sorted so every sync sees the same order.
 *
 * @param nodePort            0 when the Service has none
 * @param externalPolicyLocal {@code spec.externalTrafficPolicy: Local}: NodePort traffic from outside the node
 *                            goes only to {@code localEndpoints} (Kubernetes' {@code ExternalPolicyLocal()})
 * @param localEndpoints      the subset of {@code endpoints} whose EndpointSlice {@code nodeName} is this
 *                            proxy's node ({@code IsLocal()} in {@code pkg/proxy/endpoint.go})
 */
public record ProxiedPort(String namespace, String service, String portName, String protocol,
                          String clusterIP, int port, int nodePort,
                          boolean clientIpAffinity, Duration affinityTimeout, List<Endpoint> endpoints,
                          boolean externalPolicyLocal, List<Endpoint> localEndpoints) {

    /** A port with Cluster external traffic policy and no endpoint known to be local. */
    public ProxiedPort(String namespace, String service, String portName, String protocol,
                       String clusterIP, int port, int nodePort,
                       boolean clientIpAffinity, Duration affinityTimeout, List<Endpoint> endpoints) {
        this(namespace, service, portName, protocol, clusterIP, port, nodePort, clientIpAffinity, affinityTimeout, endpoints, false, List.of());
    }

    /** {@code namespace/service:portName} (no {@code :portName} for an unnamed port): the metric tag and map key. */
    public String id() {
        return namespace + "/" + service + (portName == null || portName.isEmpty() ? "" : ":" + portName);
    }

    public boolean hasClusterIp() {
        return clusterIP != null && !clusterIP.isEmpty() && !"None".equals(clusterIP);
    }
}
