package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Node;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.PodPorts;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.informer.Store;
import io.kube4j.json.Json;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;

/**
 * Turns a Service's current EndpointSlices into the desired ones: one group of slices per distinct set
 * of resolved ports (pods whose named target ports resolve differently land in different slices), at
 * most {@code maxEndpointsPerSlice} endpoints a slice, and as few writes as possible. Kubernetes:
 * {@code staging/src/k8s.io/endpointslice/reconciler.go} and {@code utils.go}.
 *
 * <p>Per port set (Kubernetes' {@code reconcileByPortMapping}): (1) existing slices keep the endpoints
 * still desired (updated in place when a condition, node or zone changed); a slice left empty is
 * deleted, a slice untouched is not written; (2) slices already being updated are filled up with the
 * remaining new endpoints, fullest first; (3) what is left goes into the one untouched slice it fits
 * best (when fewer than a slice's worth remain), else into new slices. Creates that coincide with
 * deletes become updates of the slices to delete. A Service with no endpoint at all keeps one empty
 * placeholder slice. Deviations: endpoints are placed in pod-name order rather than Go's random map
 * order, so results are deterministic; no topology hints and no trigger-time annotation are written.
 */
final class EndpointSliceReconciler {
    /** {@code v1.LabelTopologyZone}. */
    static final String LABEL_TOPOLOGY_ZONE = "topology.kubernetes.io/zone";
    /** {@code v1.IsHeadlessService}: set (empty) on the slices of a Service without a ClusterIP. */
    static final String LABEL_HEADLESS = "service.kubernetes.io/headless";
    /** {@code v1.NamespaceTerminatingCause}. */
    static final String NAMESPACE_TERMINATING_CAUSE = "NamespaceTerminating";

    // writes
    private final ControllerClient client;
    // zones of the pods' nodes
    private final Store<Node> nodes;
    private final int maxEndpointsPerSlice;
    private final EndpointSliceTracker tracker;
    // the managed-by label value
    private final String controllerName;

    EndpointSliceReconciler(ControllerClient client, Store<Node> nodes, int maxEndpointsPerSlice, EndpointSliceTracker tracker, String controllerName) {
        this.client = client;
        this.nodes = nodes;
        this.maxEndpointsPerSlice = maxEndpointsPerSlice;
        this.tracker = tracker;
        this.controllerName = controllerName;
    }

    /** The slices to write for one address type. */
    private static final class Plan {
        final List<EndpointSlice> toCreate = new ArrayList<>();
        final List<EndpointSlice> toUpdate = new ArrayList<>();
        final List<EndpointSlice> toDelete = new ArrayList<>();
    }

    /**
     * Creates, updates and deletes slices so that {@code existing} (this controller's slices of the
     * Service, from the cache) become the desired ones for {@code pods} (those the selector matches).
     *
     * @return the errors met (a pod on an unknown node, a write that failed); empty when all is done
     */
    List<String> reconcile(Service service, List<Pod> pods, List<EndpointSlice> existing) {
        List<String> errors = new ArrayList<>();
        Set<String> supported = addressTypes(service);
        List<EndpointSlice> unsupported = new ArrayList<>();
        Map<String, List<EndpointSlice>> byType = new LinkedHashMap<>();
        for (EndpointSlice s : existing) {
            if (!supported.contains(s.addressType)) {
                unsupported.add(s);
            } else {
                byType.computeIfAbsent(s.addressType, t -> new ArrayList<>()).add(s);
            }
        }
        for (String type : supported) {
            reconcileByAddressType(service, pods, byType.getOrDefault(type, List.of()), type, errors);
        }
        for (EndpointSlice s : unsupported) {
            try {
                delete(s);
            } catch (ApiException e) {
                errors.add("error deleting " + s.metadata.name + " EndpointSlice for Service " + service.key() + ": " + e.getMessage());
            }
        }
        return errors;
    }

    private void reconcileByAddressType(Service service, List<Pod> pods, List<EndpointSlice> existing, String addressType, List<String> errors) {
        Plan plan = new Plan();
        Map<String, List<EndpointSlice>> existingByPorts = new LinkedHashMap<>();
        List<EndpointSlice> sortedExisting = new ArrayList<>(existing);
        sortedExisting.sort(Comparator.comparing(s -> s.metadata.name));
        for (EndpointSlice s : sortedExisting) {
            if (ownedBy(s, service)) {
                existingByPorts.computeIfAbsent(portMapKey(s.ports), k -> new ArrayList<>()).add(s);
            } else {
                // left behind by an older Service of the same name
                plan.toDelete.add(s);
            }
        }

        Map<String, List<EndpointSlice.EndpointPort>> desiredPorts = new LinkedHashMap<>();
        Map<String, EndpointSet> desired = new LinkedHashMap<>();
        List<Pod> sortedPods = new ArrayList<>(pods);
        sortedPods.sort(Comparator.comparing(p -> p.metadata.name));
        for (Pod pod : sortedPods) {
            if (!shouldPodBeInEndpoints(pod)) {
                continue;
            }
            List<EndpointSlice.EndpointPort> ports = endpointPorts(service, pod);
            String key = portMapKey(ports);
            desired.computeIfAbsent(key, k -> new EndpointSet());
            desiredPorts.putIfAbsent(key, ports);
            Node node = pod.spec.nodeName == null || pod.spec.nodeName.isEmpty() ? null : nodes.get(null, pod.spec.nodeName);
            if (node == null && !Boolean.TRUE.equals(service.spec.publishNotReadyAddresses)) {
                // retried later; the slices are still written without this pod so that a pod on a
                // vanished node cannot hold them stuck
                errors.add("skipping Pod " + pod.metadata.name + " for Service " + service.key() + ": Node " + pod.spec.nodeName + " Not Found");
                continue;
            }
            EndpointSlice.Endpoint endpoint = podToEndpoint(pod, node, service, addressType);
            if (!endpoint.addresses.isEmpty()) {
                desired.get(key).insert(endpoint);
            }
        }

        for (Map.Entry<String, EndpointSet> e : desired.entrySet()) {
            reconcileByPortMapping(service, existingByPorts.getOrDefault(e.getKey(), List.of()), e.getValue(), desiredPorts.get(e.getKey()), addressType, plan);
        }
        for (Map.Entry<String, List<EndpointSlice>> e : existingByPorts.entrySet()) {
            if (!desired.containsKey(e.getKey())) {
                plan.toDelete.addAll(e.getValue());
            }
        }
        // a Service without endpoints keeps one empty slice, so consumers can tell "none" from "not yet"
        if (existing.size() == plan.toDelete.size() && plan.toCreate.isEmpty()) {
            EndpointSlice placeholder = newEndpointSlice(service, List.of(), addressType);
            if (plan.toDelete.size() == 1 && isPlaceholder(plan.toDelete.getFirst(), placeholder)) {
                plan.toDelete.clear();
            } else {
                plan.toCreate.add(placeholder);
            }
        }
        finalize(service, plan, errors);
    }

    /** Steps 1 to 3 of the class comment for one set of ports. */
    private void reconcileByPortMapping(Service service, List<EndpointSlice> existing, EndpointSet desiredSet,
                                        List<EndpointSlice.EndpointPort> ports, String addressType, Plan plan) {
        Map<String, EndpointSlice> byName = new LinkedHashMap<>();
        Set<String> unchanged = new LinkedHashSet<>();
        Set<String> toUpdate = new LinkedHashSet<>();
        Set<String> toDelete = new LinkedHashSet<>();

        // 1. keep what is still desired, update what changed
        for (EndpointSlice slice : existing) {
            byName.put(slice.metadata.name, slice);
            List<EndpointSlice.Endpoint> kept = new ArrayList<>();
            boolean endpointUpdated = false;
            for (EndpointSlice.Endpoint ep : slice.endpoints) {
                EndpointSlice.Endpoint got = desiredSet.get(ep);
                if (got != null) {
                    kept.add(got);
                    if (!EndpointSet.equalBeyondHash(got, ep)) {
                        endpointUpdated = true;
                    }
                    desiredSet.delete(ep);
                }
            }
            SliceLabels labels = sliceLabels(slice.metadata.labels, service, controllerName);
            if (endpointUpdated || slice.endpoints.size() != kept.size()) {
                if (kept.isEmpty()) {
                    toDelete.add(slice.metadata.name);
                } else {
                    EndpointSlice copy = Json.copy(slice);
                    copy.endpoints = kept;
                    copy.metadata.labels = labels.labels();
                    byName.put(copy.metadata.name, copy);
                    toUpdate.add(copy.metadata.name);
                }
            } else if (labels.changed()) {
                EndpointSlice copy = Json.copy(slice);
                copy.metadata.labels = labels.labels();
                byName.put(copy.metadata.name, copy);
                toUpdate.add(copy.metadata.name);
            } else {
                unchanged.add(slice.metadata.name);
            }
        }

        // 2. fill the slices being written anyway, fullest first
        if (!desiredSet.isEmpty() && !toUpdate.isEmpty()) {
            List<EndpointSlice> slices = new ArrayList<>();
            toUpdate.forEach(n -> slices.add(byName.get(n)));
            slices.sort(Comparator.comparingInt((EndpointSlice s) -> -s.endpoints.size()).thenComparing(s -> s.metadata.name));
            for (EndpointSlice slice : slices) {
                while (!desiredSet.isEmpty() && slice.endpoints.size() < maxEndpointsPerSlice) {
                    slice.endpoints.add(desiredSet.popAny());
                }
            }
        }

        // 3. the rest: into the untouched slice it fits best when under a slice's worth, else new slices
        while (!desiredSet.isEmpty()) {
            EndpointSlice sliceToFill = null;
            if (desiredSet.size() < maxEndpointsPerSlice && !unchanged.isEmpty()) {
                List<EndpointSlice> candidates = new ArrayList<>();
                unchanged.forEach(n -> candidates.add(byName.get(n)));
                sliceToFill = sliceToFill(candidates, desiredSet.size(), maxEndpointsPerSlice);
            }
            if (sliceToFill == null) {
                sliceToFill = newEndpointSlice(service, ports, addressType);
            } else {
                sliceToFill = Json.copy(sliceToFill);
                byName.put(sliceToFill.metadata.name, sliceToFill);
            }
            while (!desiredSet.isEmpty() && sliceToFill.endpoints.size() < maxEndpointsPerSlice) {
                sliceToFill.endpoints.add(desiredSet.popAny());
            }
            if (sliceToFill.metadata.name != null) {
                toUpdate.add(sliceToFill.metadata.name);
                unchanged.remove(sliceToFill.metadata.name);
            } else {
                plan.toCreate.add(sliceToFill);
            }
        }
        toUpdate.forEach(n -> plan.toUpdate.add(byName.get(n)));
        toDelete.forEach(n -> plan.toDelete.add(byName.get(n)));
    }

    /** The slice that will be closest to full once {@code count} endpoints are added, or null if none has room. */
    static EndpointSlice sliceToFill(List<EndpointSlice> slices, int count, int max) {
        int closestDiff = max;
        EndpointSlice closest = null;
        for (EndpointSlice s : slices) {
            int diff = max - (count + s.endpoints.size());
            if (diff >= 0 && diff < closestDiff) {
                closestDiff = diff;
                closest = s;
                if (diff == 0) {
                    return closest;
                }
            }
        }
        return closest;
    }

    /** Writes the plan: creates that coincide with deletes become updates of the slices to delete. */
    private void finalize(Service service, Plan plan, List<String> errors) {
        for (int i = 0; i < plan.toDelete.size() && !plan.toCreate.isEmpty(); ) {
            EndpointSlice doomed = plan.toDelete.get(i);
            EndpointSlice slice = plan.toCreate.getLast();
            // never take over a slice of an older Service of the same name (the garbage collector's)
            if (Objects.equals(doomed.addressType, slice.addressType) && ownedBy(doomed, service)) {
                slice.metadata.name = doomed.metadata.name;
                plan.toCreate.removeLast();
                plan.toUpdate.add(slice);
                plan.toDelete.remove(i);
            } else {
                i++;
            }
        }
        String svc = service.key();
        // no new slices for a Service being deleted: the garbage collector would race against them
        if (service.metadata.deletionTimestamp == null) {
            for (EndpointSlice s : plan.toCreate) {
                try {
                    tracker.update(client.create(s));
                } catch (ApiException e) {
                    if (hasCause(e, NAMESPACE_TERMINATING_CAUSE)) {
                        // creates keep failing in a terminating namespace: nothing to retry
                        return;
                    }
                    errors.add("failed to create EndpointSlice for Service " + svc + ": " + message(e));
                    return;
                }
            }
        }
        for (EndpointSlice s : plan.toUpdate) {
            try {
                tracker.update(client.update(s));
            } catch (ApiException e) {
                errors.add("failed to update " + s.metadata.name + " EndpointSlice for Service " + svc + ": " + message(e));
                return;
            }
        }
        for (EndpointSlice s : plan.toDelete) {
            try {
                delete(s);
            } catch (ApiException e) {
                errors.add("failed to delete " + s.metadata.name + " EndpointSlice for Service " + svc + ": " + message(e));
                return;
            }
        }
    }

    /** Deletes a slice; one already gone is fine. */
    private void delete(EndpointSlice s) {
        try {
            client.delete(EndpointSlice.class, s.metadata.namespace, s.metadata.name, new DeleteOptions());
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        tracker.expectDeletion(s);
    }

    /** A new slice of the Service (named by the apiserver from {@code <service>-}), controlled by it. */
    EndpointSlice newEndpointSlice(Service service, List<EndpointSlice.EndpointPort> ports, String addressType) {
        EndpointSlice s = new EndpointSlice();
        s.metadata.namespace = service.metadata.namespace;
        s.metadata.generateName = service.metadata.name + "-";
        OwnerReference ref = OwnerReference.controllerOf(service);
        ref.apiVersion = "v1";
        ref.kind = "Service";
        s.metadata.ownerReferences.add(ref);
        s.metadata.labels = sliceLabels(Map.of(), service, controllerName).labels();
        s.addressType = addressType;
        s.ports = new ArrayList<>(ports.stream().map(EndpointSliceReconciler::copy).toList());
        s.endpoints = new ArrayList<>();
        return s;
    }

    /** Kubernetes' {@code placeholderSliceCompare}: namespace, labels, address type, no ports and no endpoints. */
    private static boolean isPlaceholder(EndpointSlice existing, EndpointSlice placeholder) {
        return Objects.equals(existing.metadata.namespace, placeholder.metadata.namespace)
                && existing.metadata.labels.equals(placeholder.metadata.labels)
                && Objects.equals(existing.addressType, placeholder.addressType)
                && existing.ports.isEmpty() && existing.endpoints.isEmpty();
    }

    /** The labels a slice should carry, and whether its Service's labels changed since (reserved ones aside). */
    record SliceLabels(Map<String, String> labels, boolean changed) {
    }

    /**
     * The Service's labels, minus the reserved ones, plus {@code kubernetes.io/service-name},
     * {@code endpointslice.kubernetes.io/managed-by} and, for a Service without a ClusterIP,
     * {@code service.kubernetes.io/headless}. Kubernetes: {@code setEndpointSliceLabels}.
     */
    static SliceLabels sliceLabels(Map<String, String> sliceLabels, Service service, String controllerName) {
        Map<String, String> current = new TreeMap<>();
        sliceLabels.forEach((k, v) -> {
            if (!isReserved(k)) {
                current.put(k, v);
            }
        });
        Map<String, String> wanted = new TreeMap<>();
        service.metadata.labels.forEach((k, v) -> {
            if (!isReserved(k)) {
                wanted.put(k, v);
            }
        });
        boolean changed = !current.equals(wanted);
        Map<String, String> out = new LinkedHashMap<>(wanted);
        if (!isServiceIpSet(service)) {
            out.put(LABEL_HEADLESS, "");
        }
        out.put(EndpointSlice.LABEL_SERVICE_NAME, service.metadata.name);
        out.put(EndpointSlice.LABEL_MANAGED_BY, controllerName);
        return new SliceLabels(out, changed);
    }

    private static boolean isReserved(String key) {
        return key.equals(EndpointSlice.LABEL_SERVICE_NAME) || key.equals(EndpointSlice.LABEL_MANAGED_BY) || key.equals(LABEL_HEADLESS);
    }

    private static boolean isServiceIpSet(Service s) {
        return s.spec.clusterIP != null && !s.spec.clusterIP.isEmpty() && !"None".equals(s.spec.clusterIP);
    }

    /**
     * The address types of the Service's slices: its ipFamilies; without them, the family of its
     * ClusterIP; for a headless Service without them, both. Kubernetes: {@code getAddressTypesForService}.
     */
    static Set<String> addressTypes(Service service) {
        Set<String> out = new LinkedHashSet<>();
        for (String family : service.spec.ipFamilies) {
            if ("IPv4".equals(family)) {
                out.add("IPv4");
            } else if ("IPv6".equals(family)) {
                out.add("IPv6");
            }
        }
        if (!out.isEmpty()) {
            return out;
        }
        if (isServiceIpSet(service)) {
            out.add(service.spec.clusterIP.contains(":") ? "IPv6" : "IPv4");
            return out;
        }
        out.add("IPv4");
        out.add("IPv6");
        return out;
    }

    /** Not terminal and with an IP; terminating pods are included (as terminating endpoints). */
    static boolean shouldPodBeInEndpoints(Pod pod) {
        if (PodReadiness.isTerminal(pod)) {
            return false;
        }
        return pod.status != null && ((pod.status.podIP != null && !pod.status.podIP.isEmpty()) || !pod.status.podIPs.isEmpty());
    }

    /**
     * The slice ports for a pod: each Service port whose target resolves on the pod, named after the
     * Service port. A headless Service may have no ports at all. Kubernetes: {@code getEndpointPorts}.
     */
    static List<EndpointSlice.EndpointPort> endpointPorts(Service service, Pod pod) {
        List<EndpointSlice.EndpointPort> out = new ArrayList<>();
        for (Service.ServicePort sp : service.spec.ports) {
            Integer port = PodPorts.findPort(pod, sp);
            if (port == null) {
                continue;
            }
            EndpointSlice.EndpointPort ep = new EndpointSlice.EndpointPort();
            ep.name = sp.name == null ? "" : sp.name;
            ep.port = port;
            ep.protocol = sp.protocol == null ? "TCP" : sp.protocol;
            ep.appProtocol = sp.appProtocol;
            out.add(ep);
        }
        return out;
    }

    /**
     * The endpoint for a pod. serving = the pod is Ready; terminating = it is being deleted; ready =
     * serving and not terminating, or always with {@code publishNotReadyAddresses}. Kubernetes:
     * {@code podToEndpoint}.
     */
    static EndpointSlice.Endpoint podToEndpoint(Pod pod, Node node, Service service, String addressType) {
        boolean serving = PodReadiness.isReady(pod);
        boolean terminating = pod.metadata.deletionTimestamp != null;
        boolean ready = Boolean.TRUE.equals(service.spec.publishNotReadyAddresses) || (serving && !terminating);
        EndpointSlice.Endpoint ep = new EndpointSlice.Endpoint();
        ep.addresses = addresses(pod, addressType);
        ep.conditions = new EndpointSlice.EndpointConditions();
        ep.conditions.ready = ready;
        ep.conditions.serving = serving;
        ep.conditions.terminating = terminating;
        ObjectReference ref = new ObjectReference();
        ref.kind = "Pod";
        ref.namespace = pod.metadata.namespace;
        ref.name = pod.metadata.name;
        ref.uid = pod.metadata.uid;
        ep.targetRef = ref;
        if (pod.spec.nodeName != null && !pod.spec.nodeName.isEmpty()) {
            ep.nodeName = pod.spec.nodeName;
        }
        String zone = node == null ? null : node.metadata.labels.get(LABEL_TOPOLOGY_ZONE);
        if (zone != null && !zone.isEmpty()) {
            ep.zone = zone;
        }
        if (pod.spec.hostname != null && !pod.spec.hostname.isEmpty() && Objects.equals(pod.spec.subdomain, service.metadata.name)
                && Objects.equals(pod.metadata.namespace, service.metadata.namespace)) {
            ep.hostname = pod.spec.hostname;
        }
        return ep;
    }

    /** The pod's IPs of the address type (status.podIPs, or status.podIP when the list is empty). */
    private static List<String> addresses(Pod pod, String addressType) {
        List<String> ips = new ArrayList<>();
        if (!pod.status.podIPs.isEmpty()) {
            pod.status.podIPs.forEach(p -> ips.add(p.ip));
        } else {
            ips.add(pod.status.podIP);
        }
        List<String> out = new ArrayList<>();
        for (String ip : ips) {
            if (ip == null || ip.isEmpty()) {
                continue;
            }
            boolean v6 = ip.contains(":");
            if (v6 == "IPv6".equals(addressType)) {
                out.add(ip);
            }
        }
        return out;
    }

    /** Whether the slice's ownerReferences name this very Service (by uid). */
    static boolean ownedBy(EndpointSlice slice, Service service) {
        for (OwnerReference o : slice.metadata.ownerReferences) {
            if (Objects.equals(o.uid, service.metadata.uid) && "Service".equals(o.kind) && "v1".equals(o.apiVersion)) {
                return true;
            }
        }
        return false;
    }

    /** One key per distinct set of ports, whatever their order (Kubernetes' {@code NewPortMapKey}). */
    static String portMapKey(List<EndpointSlice.EndpointPort> ports) {
        List<String> parts = new ArrayList<>();
        for (EndpointSlice.EndpointPort p : ports) {
            parts.add((p.name == null ? "" : p.name) + "/" + p.protocol + "/" + p.port + "/" + (p.appProtocol == null ? "" : p.appProtocol));
        }
        parts.sort(null);
        return String.join(",", parts);
    }

    static EndpointSlice.EndpointPort copy(EndpointSlice.EndpointPort p) {
        EndpointSlice.EndpointPort c = new EndpointSlice.EndpointPort();
        c.name = p.name;
        c.port = p.port;
        c.protocol = p.protocol;
        c.appProtocol = p.appProtocol;
        return c;
    }

    static boolean hasCause(ApiException e, String reason) {
        io.kube4j.api.Status s = e.status();
        return s != null && s.details != null && s.details.causes != null && s.details.causes.stream().anyMatch(c -> reason.equals(c.reason));
    }

    static String message(ApiException e) {
        return e.status() != null && e.status().message != null ? e.status().message : e.getMessage();
    }
}
