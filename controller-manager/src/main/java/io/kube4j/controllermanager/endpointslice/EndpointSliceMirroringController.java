package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Endpoints;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Service;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;

import java.net.InetAddress;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;

/**
 * Mirrors the Endpoints of Services without a selector (written by a user or another controller) into
 * EndpointSlices managed by {@code endpointslicemirroring-controller.k8s.io}, so slice consumers
 * (kube-proxy, kubectl describe) see them too: one slice per subset and address type, at most
 * {@code maxEndpointsPerSubset} (1000) addresses a subset, ready addresses with {@code ready: true} and
 * not-ready ones with {@code ready: false}, the Endpoints' labels and annotations copied, the slice
 * controlled by the Endpoints. Endpoints labelled {@code endpointslice.kubernetes.io/skip-mirror: "true"}
 * or carrying a leader-election annotation are not mirrored; slices of Services that gain a selector,
 * lose their Endpoints or disappear are deleted. Kubernetes:
 * {@code pkg/controller/endpointslicemirroring} (controller, reconciler, utils).
 */
public final class EndpointSliceMirroringController implements Controller {
    /** The managed-by value of mirrored slices. */
    public static final String CONTROLLER_NAME = "endpointslicemirroring-controller.k8s.io";
    /** {@code --mirroring-max-endpoints-per-subset}'s default. */
    public static final int DEFAULT_MAX_ENDPOINTS_PER_SUBSET = 1000;
    /** {@code discovery.LabelSkipMirror}. */
    static final String LABEL_SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
    /** {@code resourcelock.LeaderElectionRecordAnnotationKey}: Endpoints used as a lock are not mirrored. */
    static final String LEADER_ANNOTATION = "control-plane.alpha.kubernetes.io/leader";
    /** {@code v1.EndpointsLastChangeTriggerTime} and {@code v1.LastAppliedConfigAnnotation}: not copied to slices. */
    static final List<String> UNCOPIED_ANNOTATIONS = List.of("endpoints.kubernetes.io/last-change-trigger-time",
            "kubectl.kubernetes.io/last-applied-configuration");
    /** Event reasons ({@code events.go}). */
    static final String INVALID_IP_ADDRESS = "InvalidIPAddress";
    static final String TOO_MANY_ADDRESSES_TO_MIRROR = "TooManyAddressesToMirror";
    private static final Pattern IPV4 = Pattern.compile("^(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})\\.(\\d{1,3})$");

    // reads: the Endpoints to mirror, their Services (selector or not) and the mirrored slices
    private final Informer<Endpoints> endpoints;
    private final Informer<Service> services;
    private final Informer<EndpointSlice> slices;
    // writes and events
    private final ControllerClient client;
    // keys of Endpoints (= of their Services)
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());
    // generations of the slices written here
    private final EndpointSliceTracker tracker = new EndpointSliceTracker();
    private final int maxEndpointsPerSubset;

    public EndpointSliceMirroringController(SharedInformers informers, ControllerClient client) {
        this(informers, client, DEFAULT_MAX_ENDPOINTS_PER_SUBSET);
    }

    public EndpointSliceMirroringController(SharedInformers informers, ControllerClient client, int maxEndpointsPerSubset) {
        this.endpoints = informers.informer(Endpoints.class);
        this.services = informers.informer(Service.class);
        this.slices = informers.informer(EndpointSlice.class);
        this.client = client;
        this.maxEndpointsPerSubset = maxEndpointsPerSubset;
        EndpointSliceController.indexByService(informers, slices);
        services.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                if (s.spec.selector.isEmpty()) {
                    queue.add(s.key());
                }
            }

            @Override
            public void onUpdate(Service old, Service s) {
                if (old.spec.selector.isEmpty() != s.spec.selector.isEmpty()) {
                    queue.add(s.key());
                }
            }

            @Override
            public void onDelete(Service s) {
                if (s.spec.selector.isEmpty()) {
                    queue.add(s.key());
                }
            }
        });
        endpoints.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Endpoints e) {
                if (shouldMirror(e)) {
                    queue.add(e.key());
                }
            }

            @Override
            public void onUpdate(Endpoints old, Endpoints e) {
                if (shouldMirror(old) || shouldMirror(e)) {
                    queue.add(e.key());
                }
            }

            @Override
            public void onDelete(Endpoints e) {
                if (shouldMirror(e)) {
                    queue.add(e.key());
                }
            }
        });
        slices.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
                if (managedByUs(s) && tracker.shouldSync(s)) {
                    queueEndpointsOf(s);
                }
            }

            @Override
            public void onUpdate(EndpointSlice old, EndpointSlice s) {
                if (!Objects.equals(old.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME), s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME))) {
                    queueEndpointsOf(s);
                    queueEndpointsOf(old);
                    return;
                }
                if (managedByUs(old) != managedByUs(s) || (managedByUs(s) && tracker.shouldSync(s))) {
                    queueEndpointsOf(s);
                }
            }

            @Override
            public void onDelete(EndpointSlice s) {
                if (managedByUs(s) && tracker.has(s) && !tracker.handleDeletion(s)) {
                    queueEndpointsOf(s);
                }
            }
        });
    }

    @Override
    public String name() {
        return "endpointslicemirroring";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(endpoints, services, slices);
    }

    private static boolean managedByUs(EndpointSlice s) {
        return CONTROLLER_NAME.equals(s.metadata.labels.get(EndpointSlice.LABEL_MANAGED_BY));
    }

    /** Not skip-mirror labelled and not a leader-election lock. */
    static boolean shouldMirror(Endpoints e) {
        return e != null && !"true".equals(e.metadata.labels.get(LABEL_SKIP_MIRROR)) && !e.metadata.annotations.containsKey(LEADER_ANNOTATION);
    }

    private void queueEndpointsOf(EndpointSlice s) {
        String svc = s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME);
        if (svc != null && !svc.isEmpty()) {
            queue.add(ObjectMeta.key(s.metadata.namespace, svc));
        }
    }

    /** Kubernetes' {@code syncEndpoints}. */
    @Override
    public Result reconcile(String key) {
        int slash = key.indexOf('/');
        String namespace = key.substring(0, Math.max(slash, 0));
        String name = key.substring(slash + 1);
        Endpoints eps = endpoints.store().get(key);
        Service svc = services.store().get(key);
        if (eps == null || !shouldMirror(eps) || svc == null || !svc.spec.selector.isEmpty()) {
            // nothing (more) to mirror: the Endpoints or Service went away, opted out, or the Service
            // selects pods now and the EndpointSlice controller takes over
            tracker.deleteService(namespace, name);
            return deleteMirroredSlices(key);
        }
        List<EndpointSlice> existing = mirrored(key);
        if (tracker.staleSlices(key, existing)) {
            return Result.retry("EndpointSlice informer cache is out of date");
        }
        reconcile(eps, existing);
        return Result.done();
    }

    private List<EndpointSlice> mirrored(String key) {
        List<EndpointSlice> out = new ArrayList<>();
        for (EndpointSlice s : slices.store().byIndex(EndpointSliceController.BY_SERVICE, key)) {
            if (managedByUs(s)) {
                out.add(s);
            }
        }
        out.sort(Comparator.comparing(s -> s.metadata.name));
        return out;
    }

    private Result deleteMirroredSlices(String key) {
        for (EndpointSlice s : mirrored(key)) {
            try {
                client.delete(EndpointSlice.class, s.metadata.namespace, s.metadata.name, new DeleteOptions());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
        return Result.done();
    }

    /** The slices to write. */
    private static final class Plan {
        final List<EndpointSlice> toCreate = new ArrayList<>();
        final List<EndpointSlice> toUpdate = new ArrayList<>();
        final List<EndpointSlice> toDelete = new ArrayList<>();
    }

    /** Desired state per (address type, ports): its ports and endpoints. */
    private record Desired(List<EndpointSlice.EndpointPort> ports, EndpointSet endpoints) {
    }

    /** Kubernetes' mirroring {@code reconcile}: desired slices from the subsets, then create/update/delete. */
    private void reconcile(Endpoints eps, List<EndpointSlice> existing) {
        Map<String, Desired> desired = new LinkedHashMap<>();
        int invalid = 0;
        int skipped = 0;
        for (Endpoints.EndpointSubset subset : eps.subsets) {
            List<EndpointSlice.EndpointPort> ports = new ArrayList<>();
            for (Endpoints.EndpointPort p : subset.ports) {
                EndpointSlice.EndpointPort sp = new EndpointSlice.EndpointPort();
                sp.name = p.name == null ? "" : p.name;
                sp.port = p.port;
                sp.protocol = p.protocol;
                ports.add(sp);
            }
            // both address types get an entry, so slices of a type that no longer has addresses are removed
            for (String type : List.of("IPv4", "IPv6")) {
                desired.computeIfAbsent(key(type, ports), k -> new Desired(ports, new EndpointSet()));
            }
            int total = subset.addresses.size() + subset.notReadyAddresses.size();
            int added = 0;
            for (boolean ready : new boolean[]{true, false}) {
                for (Endpoints.EndpointAddress a : ready ? subset.addresses : subset.notReadyAddresses) {
                    if (added >= maxEndpointsPerSubset) {
                        break;
                    }
                    String type = addressType(a.ip);
                    if (type == null) {
                        invalid++;
                        continue;
                    }
                    desired.get(key(type, ports)).endpoints().insert(toEndpoint(a, ready));
                    added++;
                }
            }
            skipped += total - added;
        }
        if (invalid > 0) {
            client.warningEvent(eps, INVALID_IP_ADDRESS, "Skipped " + invalid + " invalid IP addresses when mirroring to EndpointSlices");
        }
        if (skipped > invalid) {
            client.warningEvent(eps, TOO_MANY_ADDRESSES_TO_MIRROR, "A max of " + maxEndpointsPerSubset
                    + " addresses can be mirrored to EndpointSlices per Endpoints subset. " + skipped + " addresses were skipped");
        }

        Map<String, List<EndpointSlice>> existingByKey = new LinkedHashMap<>();
        for (EndpointSlice s : existing) {
            existingByKey.computeIfAbsent(key(s.addressType, s.ports), k -> new ArrayList<>()).add(s);
        }
        Plan plan = new Plan();
        for (Map.Entry<String, Desired> e : desired.entrySet()) {
            String type = e.getKey().substring(0, e.getKey().indexOf('|'));
            reconcileByPortMapping(eps, existingByKey.getOrDefault(e.getKey(), List.of()), e.getValue(), type, plan);
        }
        for (Map.Entry<String, List<EndpointSlice>> e : existingByKey.entrySet()) {
            if (!desired.containsKey(e.getKey())) {
                plan.toDelete.addAll(e.getValue());
            }
        }
        finalize(eps, plan);
    }

    /** One slice per key: delete it when nothing is desired, keep it when equal, else rewrite or create it. */
    private void reconcileByPortMapping(Endpoints eps, List<EndpointSlice> existing, Desired desired, String addressType, Plan plan) {
        if (desired.endpoints().isEmpty()) {
            plan.toDelete.addAll(existing);
            return;
        }
        if (!existing.isEmpty()) {
            plan.toDelete.addAll(existing.subList(1, existing.size()));
            if (unchanged(existing.getFirst(), desired.endpoints())) {
                return;
            }
        }
        EndpointSlice slice = newSlice(eps, desired.ports(), addressType, existing.isEmpty() ? null : existing.getFirst().metadata.name);
        while (!desired.endpoints().isEmpty() && slice.endpoints.size() < maxEndpointsPerSubset) {
            slice.endpoints.add(desired.endpoints().popAny());
        }
        (slice.metadata.name != null ? plan.toUpdate : plan.toCreate).add(slice);
    }

    /** Nothing to add, update or remove (Kubernetes' {@code totalChanges} all zero). */
    private static boolean unchanged(EndpointSlice slice, EndpointSet desired) {
        int matches = 0;
        for (EndpointSlice.Endpoint ep : slice.endpoints) {
            EndpointSlice.Endpoint got = desired.get(ep);
            if (got == null || !EndpointSet.equalBeyondHash(got, ep)) {
                return false;
            }
            matches++;
        }
        return matches == desired.size();
    }

    private void finalize(Endpoints eps, Plan plan) {
        // recycle slices to delete as the slices to create of the same address type
        for (String type : List.of("IPv4", "IPv6")) {
            List<EndpointSlice> creates = plan.toCreate.stream().filter(s -> type.equals(s.addressType)).toList();
            List<EndpointSlice> deletes = plan.toDelete.stream().filter(s -> type.equals(s.addressType)).toList();
            for (int i = 0; i < creates.size() && i < deletes.size(); i++) {
                EndpointSlice slice = creates.get(i);
                plan.toCreate.remove(slice);
                plan.toDelete.remove(deletes.get(i));
                slice.metadata.name = deletes.get(i).metadata.name;
                slice.metadata.generateName = null;
                plan.toUpdate.add(slice);
            }
        }
        if (eps.metadata.deletionTimestamp == null) {
            for (EndpointSlice s : plan.toCreate) {
                try {
                    tracker.update(client.create(s));
                } catch (ApiException e) {
                    if (EndpointSliceReconciler.hasCause(e, EndpointSliceReconciler.NAMESPACE_TERMINATING_CAUSE)) {
                        return;
                    }
                    throw e;
                }
            }
        }
        for (EndpointSlice s : plan.toUpdate) {
            tracker.update(client.update(s));
        }
        for (EndpointSlice s : plan.toDelete) {
            try {
                client.delete(EndpointSlice.class, s.metadata.namespace, s.metadata.name, new DeleteOptions());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
            tracker.expectDeletion(s);
        }
    }

    /** A mirrored slice: the Endpoints' labels and annotations, our labels, controlled by the Endpoints. */
    static EndpointSlice newSlice(Endpoints eps, List<EndpointSlice.EndpointPort> ports, String addressType, String name) {
        EndpointSlice s = new EndpointSlice();
        s.metadata.namespace = eps.metadata.namespace;
        OwnerReference ref = OwnerReference.controllerOf(eps);
        ref.apiVersion = "v1";
        ref.kind = "Endpoints";
        s.metadata.ownerReferences.add(ref);
        s.metadata.labels.putAll(eps.metadata.labels);
        s.metadata.labels.put(EndpointSlice.LABEL_SERVICE_NAME, eps.metadata.name);
        s.metadata.labels.put(EndpointSlice.LABEL_MANAGED_BY, CONTROLLER_NAME);
        eps.metadata.annotations.forEach((k, v) -> {
            if (!UNCOPIED_ANNOTATIONS.contains(k)) {
                s.metadata.annotations.put(k, v);
            }
        });
        if (name == null) {
            s.metadata.generateName = eps.metadata.name + "-";
        } else {
            s.metadata.name = name;
        }
        s.addressType = addressType;
        s.ports = new ArrayList<>(ports.stream().map(EndpointSliceReconciler::copy).toList());
        s.endpoints = new ArrayList<>();
        return s;
    }

    /** An Endpoints address as a slice endpoint: only {@code ready} is set among the conditions. */
    static EndpointSlice.Endpoint toEndpoint(Endpoints.EndpointAddress a, boolean ready) {
        EndpointSlice.Endpoint ep = new EndpointSlice.Endpoint();
        ep.addresses = new ArrayList<>(List.of(a.ip));
        ep.conditions = new EndpointSlice.EndpointConditions();
        ep.conditions.ready = ready;
        ep.targetRef = a.targetRef;
        ep.nodeName = a.nodeName == null || a.nodeName.isEmpty() ? null : a.nodeName;
        ep.hostname = a.hostname == null || a.hostname.isEmpty() ? null : a.hostname;
        return ep;
    }

    /** IPv4 or IPv6 for an IP literal; null for anything else (not mirrored, counted as invalid). */
    static String addressType(String ip) {
        if (ip == null || ip.isEmpty()) {
            return null;
        }
        var m = IPV4.matcher(ip);
        if (m.matches()) {
            for (int i = 1; i <= 4; i++) {
                if (Integer.parseInt(m.group(i)) > 255) {
                    return null;
                }
            }
            return "IPv4";
        }
        if (ip.contains(":") && ip.matches("[0-9a-fA-F:.]+")) {
            try {
                // a literal (no lookup happens for one made of hex digits, colons and dots)
                InetAddress.getByName(ip);
                return "IPv6";
            } catch (Exception e) {
                return null;
            }
        }
        return null;
    }

    private static String key(String addressType, List<EndpointSlice.EndpointPort> ports) {
        return addressType + "|" + EndpointSliceReconciler.portMapKey(ports);
    }
}
