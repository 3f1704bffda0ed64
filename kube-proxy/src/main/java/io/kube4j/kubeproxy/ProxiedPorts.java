package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Service;

import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.Set;
import java.util.List;
import java.util.TreeSet;

/** Turns a Service and its EndpointSlices into the ports to proxy (a pure function, the proxiers' only input). */
public final class ProxiedPorts {
    /** Kubernetes' default ClientIP affinity timeout (3 hours). */
    static final Duration DEFAULT_AFFINITY_TIMEOUT = Duration.ofSeconds(10800);

    private ProxiedPorts() {
    }

    /**
     * The Service's ports with their usable endpoints from the Service's EndpointSlices; none for
     * ExternalName Services.
     */
    public static List<ProxiedPort> of(Service service, List<EndpointSlice> slices) {
        return of(service, slices, "");
    }

    /**
     * As {@link #of(Service, List)}, also marking the endpoints on node {@code nodeName} (the EndpointSlice
     * endpoint's {@code nodeName}) as local and carrying {@code spec.externalTrafficPolicy: Local}, which
     * the iptables proxier needs for its {@code KUBE-SVL-*} chain ({@code CategorizeEndpoints} in
     * {@code pkg/proxy/topology.go}).
     */
    public static List<ProxiedPort> of(Service service, List<EndpointSlice> slices, String nodeName) {
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
            List<EndpointSlice> all = slices == null ? List.of() : slices;
            String portName = sp.name == null ? "" : sp.name;
            List<Endpoint> usable = usableEndpoints(portName, protocol, all);
            Set<Endpoint> onThisNode = nodeName == null || nodeName.isEmpty() ? Set.of() : endpointsOn(nodeName, portName, protocol, all);
            out.add(new ProxiedPort(service.metadata.namespace, service.metadata.name, sp.name, protocol, service.spec.clusterIP,
                    sp.port, sp.nodePort == null ? 0 : sp.nodePort, affinity, timeout, usable,
                    "Local".equals(service.spec.externalTrafficPolicy),
                    usable.stream().filter(onThisNode::contains).toList()));
        }
        return out;
    }

    /**
     * The endpoints of one Service port: every slice port of the same name and protocol contributes its
     * slice's endpoints (first address, that port), deduplicated by address and port
     * ({@code endpointslicecache.go}). Of those, the ready ones; when none is ready anywhere, the ones
     * still serving while terminating, so connections drain to pods on their way out rather than
     * fail ({@code CategorizeEndpoints} in {@code pkg/proxy/topology.go}, Cluster traffic policy).
     */
    /** Every endpoint of the port (ready or not) whose slice entry names node {@code nodeName}. */
    static Set<Endpoint> endpointsOn(String nodeName, String portName, String protocol, List<EndpointSlice> slices) {
        Set<Endpoint> out = new HashSet<>();
        for (EndpointSlice slice : slices) {
            for (EndpointSlice.EndpointPort port : slice.ports) {
                if (port.name == null || port.port == null || !port.name.equals(portName)
                        || !protocol.equals(port.protocol == null ? "TCP" : port.protocol)) {
                    continue;
                }
                for (EndpointSlice.Endpoint e : slice.endpoints) {
                    if (nodeName.equals(e.nodeName) && !e.addresses.isEmpty() && e.addresses.getFirst() != null) {
                        out.add(new Endpoint(e.addresses.getFirst(), port.port));
                    }
                }
            }
        }
        return out;
    }

    static List<Endpoint> usableEndpoints(String portName, String protocol, List<EndpointSlice> slices) {
        TreeSet<Endpoint> ready = new TreeSet<>();
        TreeSet<Endpoint> servingTerminating = new TreeSet<>();
        for (EndpointSlice slice : slices) {
            for (EndpointSlice.EndpointPort port : slice.ports) {
                // a port without a name, number or an impossible number is ignored, as Kubernetes does
                if (port.name == null || port.port == null || port.port < 1 || port.port > 65535) {
                    continue;
                }
                if (!port.name.equals(portName) || !protocol.equals(port.protocol == null ? "TCP" : port.protocol)) {
                    continue;
                }
                for (EndpointSlice.Endpoint e : slice.endpoints) {
                    if (e.addresses.isEmpty() || e.addresses.getFirst() == null || e.addresses.getFirst().isEmpty()) {
                        continue;
                    }
                    Endpoint ep = new Endpoint(e.addresses.getFirst(), port.port);
                    if (EndpointSliceCache.isReady(e)) {
                        ready.add(ep);
                    } else if (EndpointSliceCache.isServing(e) && EndpointSliceCache.isTerminating(e)) {
                        servingTerminating.add(ep);
                    }
                }
            }
        }
        return List.copyOf(ready.isEmpty() ? servingTerminating : ready);
    }
}
