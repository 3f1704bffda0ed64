package io.kube4j.apiserver.controlplane;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.allocation.ServiceAllocationProperties;
import io.kube4j.apiserver.allocation.ServiceIpRange;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.context.SmartLifecycle;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Keeps the {@code default/kubernetes} Service, its Endpoints and its EndpointSlice pointing at the
 * apiservers, so that pods reach the API at {@code https://kubernetes.default.svc} (and through the
 * {@code KUBERNETES_SERVICE_HOST}/{@code _PORT} variables the kubelet gives every container).
 *
 * <p>As Kubernetes' {@code pkg/controlplane/controller/kubernetesservice} and the {@code lease} endpoint
 * reconciler ({@code pkg/controlplane/reconcilers/lease.go}, {@code endpointsadapter.go}): every 10 s each
 * apiserver puts its advertise address as a master lease (TTL 15 s) and writes the addresses of all
 * unexpired leases as the Endpoints (labelled {@code endpointslice.kubernetes.io/skip-mirror: "true"}) and
 * the EndpointSlice {@code kubernetes}; the Service has ClusterIP = the first address of the service
 * range, port 443 named {@code https} to the apiserver's port, labels {@code component: apiserver},
 * {@code provider: kubernetes}. Deviation: the leases live under {@code /kube4j/masterleases/} instead of
 * Kubernetes' {@code /registry/masterleases/}, because kube4j's watch cache decodes every key under
 * {@code /registry/} as an API object.
 */
@Component
public class KubernetesServiceController implements SmartLifecycle {
    private static final Logger log = LoggerFactory.getLogger(KubernetesServiceController.class);
    /** Kubernetes' service name and namespace. */
    public static final String NAME = "kubernetes";
    public static final String NAMESPACE = "default";
    static final String LEASE_PREFIX = "/kube4j/masterleases/";
    /** Kubernetes' {@code DefaultEndpointReconcilerInterval} and {@code DefaultEndpointReconcilerTTL}. */
    static final Duration INTERVAL = Duration.ofSeconds(10);
    static final Duration LEASE_TTL = Duration.ofSeconds(15);

    private final Registry registry;
    private final Storage storage;
    private final String clusterIp;
    private final String advertiseAddress;
    private final int port;
    private ScheduledExecutorService executor;
    private volatile boolean running;

    /**
     * @param advertiseAddress Kubernetes' {@code --advertise-address}: the IP other members of the cluster
     *                         reach this apiserver at; empty for the first non-loopback IPv4 address of
     *                         this host (127.0.0.1 when it has none)
     * @param port             the port this apiserver serves on (the Endpoints' port)
     */
    public KubernetesServiceController(Registry registry, Storage storage, ServiceAllocationProperties services,
                                       @Value("${kube4j.advertise-address:}") String advertiseAddress,
                                       @Value("${server.port:8080}") int port) {
        this.registry = registry;
        this.storage = storage;
        this.clusterIp = ServiceIpRange.parse(services.clusterIpRange()).ipAt(0);
        this.advertiseAddress = advertiseAddress == null || advertiseAddress.isBlank() ? defaultAddress() : advertiseAddress.trim();
        this.port = port;
    }

    /** The Service's ClusterIP: the first address of the service range (kubeadm puts it in the serving certificate). */
    public String clusterIp() {
        return clusterIp;
    }

    /** The address this apiserver advertises in the Endpoints. */
    public String advertiseAddress() {
        return advertiseAddress;
    }

    @Override
    public void start() {
        running = true;
        executor = Executors.newSingleThreadScheduledExecutor(Thread.ofVirtual().name("kubernetes-service").factory());
        executor.scheduleWithFixedDelay(this::reconcileQuietly, 0, INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
    }

    private void reconcileQuietly() {
        try {
            reconcile();
        } catch (RuntimeException e) {
            // etcd down or the default namespace not yet created: the next round tries again
            log.debug("cannot reconcile the kubernetes service yet: {}", e.toString());
        }
    }

    /** One round: the Service, this apiserver's lease, then Endpoints and EndpointSlice; idempotent. */
    public void reconcile() {
        ensureService();
        TreeSet<String> ips = new TreeSet<>();
        try {
            storage.putWithTtl(LEASE_PREFIX + advertiseAddress, advertiseAddress.getBytes(StandardCharsets.UTF_8), LEASE_TTL);
            storage.range(LEASE_PREFIX, null, 0, 0).items().forEach(s -> ips.add(new String(s.value(), StandardCharsets.UTF_8)));
        } catch (UnsupportedOperationException e) {
            // a storage without leases (unit tests): this apiserver alone
        }
        ips.add(advertiseAddress);
        ensure(ResourceTypes.ENDPOINTS, endpoints(List.copyOf(ips)), (have, want) ->
                Objects.equals(have.path("subsets"), want.path("subsets")) && Objects.equals(have.path("metadata").path("labels"), want.path("metadata").path("labels")));
        ensure(ResourceTypes.ENDPOINTSLICES, endpointSlice(List.copyOf(ips)), (have, want) ->
                Objects.equals(have.path("endpoints"), want.path("endpoints")) && Objects.equals(have.path("ports"), want.path("ports"))
                        && Objects.equals(have.path("metadata").path("labels"), want.path("metadata").path("labels")));
    }

    private void ensureService() {
        ObjectNode svc = Json.mapper().createObjectNode();
        svc.put("apiVersion", "v1").put("kind", "Service");
        ObjectNode meta = svc.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
        meta.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = svc.putObject("spec");
        spec.put("type", "ClusterIP").put("clusterIP", clusterIp).put("sessionAffinity", "None");
        spec.putArray("ports").addObject().put("name", "https").put("protocol", "TCP").put("port", 443).put("targetPort", port);
        try {
            ObjectNode have = registry.get(ResourceTypes.SERVICES, NAMESPACE, NAME);
            // Kubernetes repairs the ports (and only those) when they drifted, e.g. after a port change
            if (!Objects.equals(have.path("spec").path("ports"), spec.path("ports"))) {
                have.withObject("spec").set("ports", spec.path("ports").deepCopy());
                registry.update(ResourceTypes.SERVICES, NAMESPACE, NAME, have, Registry.Part.MAIN, false);
            }
        } catch (ApiError e) {
            if (e.code() != 404) {
                throw e;
            }
            create(ResourceTypes.SERVICES, svc);
        }
    }

    ObjectNode endpoints(List<String> ips) {
        ObjectNode ep = Json.mapper().createObjectNode();
        ep.put("apiVersion", "v1").put("kind", "Endpoints");
        ep.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE)
                .putObject("labels").put("endpointslice.kubernetes.io/skip-mirror", "true");
        ObjectNode subset = ep.putArray("subsets").addObject();
        ArrayNode addresses = subset.putArray("addresses");
        ips.forEach(ip -> addresses.addObject().put("ip", ip));
        subset.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
        return ep;
    }

    ObjectNode endpointSlice(List<String> ips) {
        ObjectNode es = Json.mapper().createObjectNode();
        es.put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice");
        es.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE)
                .putObject("labels").put("kubernetes.io/service-name", NAME);
        es.put("addressType", "IPv4");
        ArrayNode endpoints = es.putArray("endpoints");
        ips.forEach(ip -> {
            ObjectNode e = endpoints.addObject();
            e.putArray("addresses").add(ip);
            e.putObject("conditions").put("ready", true);
        });
        es.putArray("ports").addObject().put("name", "https").put("port", port).put("protocol", "TCP");
        return es;
    }

    private interface Same {
        boolean test(JsonNode have, JsonNode want);
    }

    private void ensure(ResourceType rt, ObjectNode want, Same same) {
        try {
            ObjectNode have = registry.get(rt, NAMESPACE, NAME);
            if (same.test(have, want)) {
                return;
            }
            want.withObject("metadata").put("resourceVersion", have.path("metadata").path("resourceVersion").asString());
            log.info("resetting {} of the kubernetes service to {}", rt.resource(), want);
            registry.update(rt, NAMESPACE, NAME, want, Registry.Part.MAIN, false);
        } catch (ApiError e) {
            if (e.code() != 404) {
                throw e;
            }
            create(rt, want);
        }
    }

    private void create(ResourceType rt, ObjectNode obj) {
        try {
            registry.create(rt, NAMESPACE, obj, false);
        } catch (ApiError e) {
            if (e.code() != 409) {
                throw e;
            }
        }
    }

    private static String defaultAddress() {
        try {
            for (NetworkInterface nif : Collections.list(NetworkInterface.getNetworkInterfaces())) {
                if (!nif.isUp() || nif.isLoopback()) {
                    continue;
                }
                for (InetAddress a : Collections.list(nif.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException e) {
            // fall through
        }
        return "127.0.0.1";
    }

    @Override
    public void stop() {
        running = false;
        if (executor != null) {
            executor.shutdownNow();
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        // after ApiServerLifecycle (phase 0) has started the watch cache
        return 10;
    }
}
