package io.kube4j.kubeproxy;

import io.kube4j.api.Endpoints;
import io.kube4j.api.Service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Turns a Service and its Endpoints into the ports to proxy (a pure function, the proxiers' only input). */
public final class ProxiedPorts {
    /** Kubernetes' default ClientIP affinity timeout (3 hours). */
    static final Duration DEFAULT_AFFINITY_TIMEOUT = Duration.ofSeconds(10800);

    private ProxiedPorts() {
    }

    /** The Service's ports with their ready endpoints; none for ExternalName Services. {@code endpoints} may be null. */
    public static List<ProxiedPort> of(Service service, Endpoints endpoints) {
        List<ProxiedPort> out = new ArrayList<>();
        if (service.spec == null || "ExternalName".equals(service.spec.type)) {
            return out;
        }
        boolean affinity = "ClientIP".equals(service.spec.sessionAffinity);
        Duration timeout = DEFAULT_AFFINITY_TIMEOUT;
        if (service.spec.sessionAffinityConfig != null && service.spec.sessionAffinityConfig.clientIP != null
                && service.spec.sessionAffinityConfig.clientIP.timeoutSeconds != null && service.spec.sessionAffinityConfig.clientIP.timeoutSeconds > 0) {
            timeout = Duration.ofSeconds(service.spec.sessionAffinityConfig.clientIP.timeoutSeconds);
        }
        for (Service.ServicePort sp : service.spec.ports) {
            String protocol = sp.protocol == null ? "TCP" : sp.protocol;
            out.add(new ProxiedPort(service.metadata.namespace, service.metadata.name, sp.name, protocol, service.spec.clusterIP,
                    sp.port, sp.nodePort == null ? 0 : sp.nodePort, affinity, timeout,
                    readyEndpoints(sp, protocol, service.spec.ports.size(), endpoints)));
        }
        return out;
    }

    /**
     * The ready addresses of the subsets that carry this port: the Endpoints controller names each
     * endpoint port after its Service port; a single-port Service also takes a subset's single port
     * whatever its name, so hand-written Endpoints work too.
     */
    private static List<Endpoint> readyEndpoints(Service.ServicePort sp, String protocol, int servicePorts, Endpoints endpoints) {
        TreeSet<Endpoint> out = new TreeSet<>();
        if (endpoints == null) {
            return List.of();
        }
        String name = sp.name == null ? "" : sp.name;
        for (Endpoints.EndpointSubset subset : endpoints.subsets) {
            Endpoints.EndpointPort match = null;
            for (Endpoints.EndpointPort ep : subset.ports) {
                String epName = ep.name == null ? "" : ep.name;
                String epProtocol = ep.protocol == null ? "TCP" : ep.protocol;
                if (epName.equals(name) && epProtocol.equals(protocol)) {
                    match = ep;
                }
            }
            if (match == null && servicePorts == 1 && subset.ports.size() == 1) {
                match = subset.ports.get(0);
            }
            if (match == null || match.port < 1 || match.port > 65535) {
                continue;
            }
            for (Endpoints.EndpointAddress a : subset.addresses) {
                if (a.ip != null && !a.ip.isEmpty()) {
                    out.add(new Endpoint(a.ip, match.port));
                }
            }
        }
        return List.copyOf(out);
    }
}
