package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.Node;
import io.kube4j.api.ObjectMeta;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.ExponentialBackoff;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.TokenBucket;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.labels.Selector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Keeps the EndpointSlices (discovery.k8s.io/v1) of every Service with a selector: the selected pods
 * with an IP, as endpoints with ready/serving/terminating conditions, grouped into slices of at most
 * {@code maxEndpointsPerSlice} (100 by default) per set of resolved ports, each slice labelled
 * {@code kubernetes.io/service-name} and {@code endpointslice.kubernetes.io/managed-by:
 * endpointslice-controller.k8s.io} and controlled by its Service (the garbage collector deletes them
 * with it). Services without a selector, and ExternalName Services, are left alone. Kubernetes:
 * {@code pkg/controller/endpointslice/endpointslice_controller.go}; the slice arithmetic is
 * {@link EndpointSliceReconciler}.
 */
public final class EndpointSliceController implements Controller {
    /** The managed-by value of this controller's slices ({@code controllerQualifiedName}). */
    public static final String CONTROLLER_NAME = "endpointslice-controller.k8s.io";
    /** {@code --max-endpoints-per-slice}'s default. */
    public static final int DEFAULT_MAX_ENDPOINTS_PER_SLICE = 100;
    /** How long a slice change waits before its Service is synced ({@code endpointSliceChangeMinSyncDelay}), so several batch. */
    static final Duration ENDPOINT_SLICE_CHANGE_MIN_SYNC_DELAY = Duration.ofSeconds(1);
    /** The slice index by {@code namespace/<kubernetes.io/service-name>}; shared with the mirroring controller. */
    static final String BY_SERVICE = "endpointslice-service";
    /** {@code FailedToUpdateEndpointSlices}: the Warning event of a failed sync. */
    static final String FAILED_TO_UPDATE_ENDPOINT_SLICES = "FailedToUpdateEndpointSlices";

    // reads: services, pods, nodes (zones) and slices
    private final Informer<Service> services;
    private final Informer<Pod> pods;
    private final Informer<Node> nodes;
    private final Informer<EndpointSlice> slices;
    // writes and events
    private final ControllerClient client;
    // keys of Services; Kubernetes backs off from 1 s (not the default 5 ms): a sync may rewrite many slices
    private final WorkQueue queue = new WorkQueue(RateLimiter.maxOf(
            new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofSeconds(1000)), new TokenBucket(10, 100)));
    // generations of the slices written here, to detect a cache behind our own writes
    private final EndpointSliceTracker tracker = new EndpointSliceTracker();
    // desired vs existing slices
    private final EndpointSliceReconciler reconciler;

    public EndpointSliceController(SharedInformers informers, ControllerClient client) {
        this(informers, client, DEFAULT_MAX_ENDPOINTS_PER_SLICE);
    }

    public EndpointSliceController(SharedInformers informers, ControllerClient client, int maxEndpointsPerSlice) {
        this.services = informers.informer(Service.class);
        this.pods = informers.informer(Pod.class);
        this.nodes = informers.informer(Node.class);
        this.slices = informers.informer(EndpointSlice.class);
        this.client = client;
        this.reconciler = new EndpointSliceReconciler(client, nodes.store(), maxEndpointsPerSlice, tracker, CONTROLLER_NAME);
        indexByService(informers, slices);
        services.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Service s) {
                queue.add(s.key());
            }

            @Override
            public void onUpdate(Service old, Service s) {
                if (!Objects.equals(old.metadata.resourceVersion, s.metadata.resourceVersion)) {
                    queue.add(s.key());
                }
            }

            @Override
            public void onDelete(Service s) {
                queue.add(s.key());
            }
        });
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                servicesFor(p.metadata.namespace, List.of(p)).forEach(queue::add);
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                if (!Objects.equals(old.metadata.resourceVersion, p.metadata.resourceVersion)) {
                    // both label sets: a pod that left a Service must leave its slices too
                    servicesFor(p.metadata.namespace, List.of(old, p)).forEach(queue::add);
                }
            }

            @Override
            public void onDelete(Pod p) {
                servicesFor(p.metadata.namespace, List.of(p)).forEach(queue::add);
            }
        });
        slices.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(EndpointSlice s) {
                if (managedByUs(s) && tracker.shouldSync(s)) {
                    queueServiceOf(s);
                }
            }

            @Override
            public void onUpdate(EndpointSlice old, EndpointSlice s) {
                // generation does not move on label changes, and users may relabel a slice
                if (!Objects.equals(old.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME), s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME))) {
                    queueServiceOf(s);
                    queueServiceOf(old);
                    return;
                }
                if (managedByUs(old) != managedByUs(s) || (managedByUs(s) && tracker.shouldSync(s))) {
                    queueServiceOf(s);
                }
            }

            @Override
            public void onDelete(EndpointSlice s) {
                // a deletion we did not make: put the slice back
                if (managedByUs(s) && tracker.has(s) && !tracker.handleDeletion(s)) {
                    queueServiceOf(s);
                }
            }
        });
    }

    /** Adds the by-Service index to the slice informer (once, whichever controller asks first). */
    static void indexByService(SharedInformers informers, Informer<EndpointSlice> slices) {
        informers.index(slices, BY_SERVICE, s -> {
            String svc = s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME);
            return svc == null || svc.isEmpty() ? List.of() : List.of(ObjectMeta.key(s.metadata.namespace, svc));
        });
    }

    @Override
    public String name() {
        return "endpointslice";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(services, pods, nodes, slices);
    }

    private static boolean managedByUs(EndpointSlice s) {
        return CONTROLLER_NAME.equals(s.metadata.labels.get(EndpointSlice.LABEL_MANAGED_BY));
    }

    private void queueServiceOf(EndpointSlice s) {
        String svc = s.metadata.labels.get(EndpointSlice.LABEL_SERVICE_NAME);
        if (svc != null && !svc.isEmpty()) {
            queue.addAfter(ObjectMeta.key(s.metadata.namespace, svc), ENDPOINT_SLICE_CHANGE_MIN_SYNC_DELAY);
        }
    }

    /** The keys of the Services in {@code namespace} whose selector matches any of {@code pods}. */
    Set<String> servicesFor(String namespace, List<Pod> candidates) {
        Set<String> out = new LinkedHashSet<>();
        for (Service s : SharedInformers.inNamespace(services.store(), namespace)) {
            if (s.spec.selector.isEmpty()) {
                continue;
            }
            Selector selector = Selector.of(s.spec.selector);
            for (Pod p : candidates) {
                if (selector.matches(p.metadata.labels)) {
                    out.add(s.key());
                }
            }
        }
        return out;
    }

    /**
     * Syncs the slices of the Service behind {@code key} (Kubernetes' {@code syncService}). A deleted
     * Service needs nothing here: its slices go with it through their ownerReference.
     */
    @Override
    public Result reconcile(String key) {
        Service service = services.store().get(key);
        if (service == null) {
            int slash = key.indexOf('/');
            tracker.deleteService(key.substring(0, Math.max(slash, 0)), key.substring(slash + 1));
            return Result.done();
        }
        if ("ExternalName".equals(service.spec.type)) {
            return Result.done();
        }
        if (service.spec.selector.isEmpty()) {
            // the user's (or the mirroring controller's) slices, not ours
            return Result.done();
        }
        Selector selector = Selector.of(service.spec.selector);
        List<Pod> selected = new ArrayList<>();
        for (Pod p : SharedInformers.inNamespace(pods.store(), service.metadata.namespace)) {
            if (selector.matches(p.metadata.labels)) {
                selected.add(p);
            }
        }
        List<EndpointSlice> existing = new ArrayList<>();
        for (EndpointSlice s : slices.store().byIndex(BY_SERVICE, key)) {
            // slices pending deletion are on their way out: counting them would keep us from replacing them
            if (managedByUs(s) && s.metadata.deletionTimestamp == null) {
                existing.add(s);
            }
        }
        if (tracker.staleSlices(key, existing)) {
            return Result.retry("EndpointSlice informer cache is out of date");
        }
        List<String> errors = reconciler.reconcile(service, selected, existing);
        if (!errors.isEmpty()) {
            String aggregate = errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]";
            client.warningEvent(service, FAILED_TO_UPDATE_ENDPOINT_SLICES,
                    "Error updating Endpoint Slices for Service " + service.key() + ": " + aggregate);
            return Result.retry(aggregate);
        }
        return Result.done();
    }
}
