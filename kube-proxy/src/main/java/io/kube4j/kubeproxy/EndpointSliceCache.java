package io.kube4j.kubeproxy;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Endpoints;
import io.kube4j.api.ObjectMeta;
import io.kube4j.informer.Informer;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The EndpointSlices of every Service, grouped by their {@code kubernetes.io/service-name} label (an
 * index on the one slice informer), for the proxy and for cluster DNS. Slices without the label belong
 * to no Service and are ignored, as Kubernetes' {@code pkg/proxy/endpointslicecache.go} does.
 */
public final class EndpointSliceCache {
    /** The index of slices by {@code namespace/<service name>}. */
    static final String BY_SERVICE = "service";

    // all slices, all namespaces
    private final Informer<EndpointSlice> informer;

    /** Wraps {@code informer}, adding the by-Service index; call before the informer starts. */
    public EndpointSliceCache(Informer<EndpointSlice> informer) {
        this.informer = informer;
        informer.addIndex(BY_SERVICE, s -> {
            String svc = s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME);
            return svc == null || svc.isEmpty() ? List.of() : List.of(ObjectMeta.key(s.metadata.namespace, svc));
        });
    }

    public Informer<EndpointSlice> informer() {
        return informer;
    }

    /** The slices of Service {@code namespace/name}, by slice name (cached objects: do not modify). */
    public List<EndpointSlice> slices(String namespace, String name) {
        List<EndpointSlice> out = new ArrayList<>(informer.store().byIndex(BY_SERVICE, ObjectMeta.key(namespace, name)));
        out.sort(Comparator.comparing(s -> s.metadata.name));
        return out;
    }

    /**
     * The Service's ready endpoints as an Endpoints object, one subset per slice (its ports and its
     * endpoints whose {@code ready} is true or unset), for cluster DNS, whose answers were written
     * against Endpoints; null when the Service has no slice. CoreDNS reads slices the same way
     * ({@code plugin/kubernetes/object/endpoint.go}, {@code EndpointSliceToEndpoints}).
     */
    public Endpoints endpoints(String namespace, String name) {
        List<EndpointSlice> slices = slices(namespace, name);
        if (slices.isEmpty()) {
            return null;
        }
        Endpoints out = new Endpoints();
        out.metadata.namespace = namespace;
        out.metadata.name = name;
        for (EndpointSlice s : slices) {
            Endpoints.EndpointSubset subset = new Endpoints.EndpointSubset();
            for (EndpointSlice.EndpointPort p : s.ports) {
                Endpoints.EndpointPort ep = new Endpoints.EndpointPort();
                ep.name = p.name;
                ep.port = p.port == null ? -1 : p.port;
                ep.protocol = p.protocol;
                subset.ports.add(ep);
            }
            for (EndpointSlice.Endpoint e : s.endpoints) {
                if (!isReady(e)) {
                    continue;
                }
                for (String ip : e.addresses) {
                    Endpoints.EndpointAddress a = new Endpoints.EndpointAddress();
                    a.ip = ip;
                    a.hostname = e.hostname;
                    a.nodeName = e.nodeName;
                    a.targetRef = e.targetRef;
                    subset.addresses.add(a);
                }
            }
            out.subsets.add(subset);
        }
        return out;
    }

    /** {@code ready}, where unset means ready ("unknown state ... should be interpreted as ready"). */
    static boolean isReady(EndpointSlice.Endpoint e) {
        return e.conditions == null || e.conditions.ready == null || e.conditions.ready;
    }

    /** {@code serving}, where unset means serving (kube-proxy's reading). */
    static boolean isServing(EndpointSlice.Endpoint e) {
        return e.conditions == null || e.conditions.serving == null || e.conditions.serving;
    }

    /** {@code terminating}, where unset means not terminating. */
    static boolean isTerminating(EndpointSlice.Endpoint e) {
        return e.conditions != null && Boolean.TRUE.equals(e.conditions.terminating);
    }
}
