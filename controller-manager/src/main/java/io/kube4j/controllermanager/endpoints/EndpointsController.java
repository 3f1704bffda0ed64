package io.kube4j.controllermanager.endpoints;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Endpoints;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Pod;
import io.kube4j.api.Service;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.PodPorts;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.labels.Selector;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * Keeps an Endpoints object per Service with a selector: the IPs of the selected pods, ready ones
 * under {@code addresses} and the others under {@code notReadyAddresses}, with each service port's
 * targetPort resolved against the pod's container ports ({@link PodPorts#findPort}). Pods with the same
 * resolved ports share a subset. Services without a selector are left alone (their Endpoints are
 * the user's). A pod whose {@code spec.subdomain} names the Service gets its {@code spec.hostname} on
 * its address, for the DNS records of headless Services.
 */
public final class EndpointsController implements Controller {
    // reads: services, pods, and the endpoints we wrote
    private final Informer<Service> services;
    private final Informer<Pod> pods;
    private final Informer<Endpoints> endpoints;
    // writes
    private final ControllerClient client;
    // keys of Services
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public EndpointsController(SharedInformers informers, ControllerClient client) {
        this.services = informers.informer(Service.class);
        this.pods = informers.informer(Pod.class);
        this.endpoints = informers.informer(Endpoints.class);
        this.client = client;
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
                podChanged(p);
            }

            @Override
            public void onUpdate(Pod old, Pod p) {
                if (Objects.equals(old.metadata.resourceVersion, p.metadata.resourceVersion)) {
                    return;
                }
                podChanged(old);
                podChanged(p);
            }

            @Override
            public void onDelete(Pod p) {
                podChanged(p);
            }
        });
        endpoints.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onDelete(Endpoints e) {
                // somebody deleted ours: put it back
                queue.add(e.key());
            }
        });
    }

    @Override
    public String name() {
        return "endpoints";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(services, pods, endpoints);
    }

    /** Queues every Service in the pod's namespace whose selector matches the pod's labels. */
    void podChanged(Pod pod) {
        for (Service s : SharedInformers.inNamespace(services.store(), pod.metadata.namespace)) {
            if (!s.spec.selector.isEmpty() && Selector.of(s.spec.selector).matches(pod.metadata.labels)) {
                queue.add(s.key());
            }
        }
    }

    @Override
    public Result reconcile(String key) {
        Service service = services.store().get(key);
        Endpoints current = endpoints.store().get(key);
        if (service == null) {
            if (current != null) {
                try {
                    client.delete(Endpoints.class, current.metadata.namespace, current.metadata.name, new DeleteOptions());
                } catch (ApiException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
            }
            return Result.done();
        }
        if (service.spec.selector.isEmpty()) {
            return Result.done();
        }
        List<Endpoints.EndpointSubset> subsets = subsets(service, SharedInformers.inNamespace(pods.store(), service.metadata.namespace));
        if (current == null) {
            Endpoints e = new Endpoints();
            e.metadata.namespace = service.metadata.namespace;
            e.metadata.name = service.metadata.name;
            e.metadata.labels.putAll(service.metadata.labels);
            e.subsets = subsets;
            try {
                client.create(e);
            } catch (ApiException ex) {
                if (ex.isAlreadyExists()) {
                    // the cache had not shown it yet: the update path will run on the next event
                    return Result.retry("endpoints exist already");
                }
                throw ex;
            }
            return Result.done();
        }
        if (Json.write(current.subsets).equals(Json.write(subsets)) && current.metadata.labels.equals(service.metadata.labels)) {
            return Result.done();
        }
        Endpoints next = Json.copy(current);
        next.subsets = subsets;
        next.metadata.labels = new LinkedHashMap<>(service.metadata.labels);
        client.update(next);
        return Result.done();
    }

    /** The subsets for the service: pods with an IP, grouped by their resolved ports, sorted for a stable result. */
    static List<Endpoints.EndpointSubset> subsets(Service service, List<Pod> candidates) {
        Selector selector = Selector.of(service.spec.selector);
        Map<String, Endpoints.EndpointSubset> byPorts = new LinkedHashMap<>();
        List<Pod> sorted = new ArrayList<>(candidates);
        sorted.sort(Comparator.comparing(p -> p.metadata.name));
        for (Pod pod : sorted) {
            if (!selector.matches(pod.metadata.labels) || pod.status.podIP == null || pod.status.podIP.isEmpty()
                    || pod.metadata.deletionTimestamp != null || PodReadiness.isTerminal(pod)) {
                continue;
            }
            List<Endpoints.EndpointPort> ports = new ArrayList<>();
            for (Service.ServicePort sp : service.spec.ports) {
                Integer port = PodPorts.findPort(pod, sp);
                if (port != null) {
                    Endpoints.EndpointPort ep = new Endpoints.EndpointPort();
                    ep.name = sp.name;
                    ep.port = port;
                    ep.protocol = sp.protocol == null ? "TCP" : sp.protocol;
                    ports.add(ep);
                }
            }
            if (ports.isEmpty() && !service.spec.ports.isEmpty()) {
                // none of the service's ports exist on this pod
                continue;
            }
            Endpoints.EndpointSubset subset = byPorts.computeIfAbsent(Json.write(ports), k -> {
                Endpoints.EndpointSubset s = new Endpoints.EndpointSubset();
                s.ports = ports;
                return s;
            });
            Endpoints.EndpointAddress address = new Endpoints.EndpointAddress();
            address.ip = pod.status.podIP;
            address.nodeName = pod.spec.nodeName;
            if (shouldSetHostname(pod, service)) {
                // what gives a StatefulSet pod its DNS name <hostname>.<service>.<ns>.svc
                address.hostname = pod.spec.hostname;
            }
            ObjectReference ref = new ObjectReference();
            ref.kind = "Pod";
            ref.namespace = pod.metadata.namespace;
            ref.name = pod.metadata.name;
            ref.uid = pod.metadata.uid;
            address.targetRef = ref;
            (PodReadiness.isReady(pod) ? subset.addresses : subset.notReadyAddresses).add(address);
        }
        return new ArrayList<>(byPorts.values());
    }

    /**
     * Whether the address gets the pod's hostname (Kubernetes' endpointutil.ShouldSetHostname): the pod
     * has a hostname and its subdomain names this Service, in the same namespace.
     */
    static boolean shouldSetHostname(Pod pod, Service service) {
        return pod.spec.hostname != null && !pod.spec.hostname.isEmpty()
                && Objects.equals(pod.spec.subdomain, service.metadata.name)
                && Objects.equals(pod.metadata.namespace, service.metadata.namespace);
    }
}
