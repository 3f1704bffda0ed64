package io.kube4j.apiserver.controlplane;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.allocation.ServiceAllocationProperties;
import io.kube4j.apiserver.allocation.ServiceIpRange;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.json.Json;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.beans.factory.annotation.Value;
import org.springframework.boot.ApplicationArguments;
import org.springframework.boot.ApplicationRunner;
import org.springframework.context.event.ContextClosedEvent;
import org.springframework.context.event.EventListener;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.net.Inet4Address;
import java.net.InetAddress;
import java.net.NetworkInterface;
import java.net.SocketException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;
import java.util.TreeSet;
import java.util.function.UnaryOperator;

/**
 * The {@code default/kubernetes} Service, Endpoints and EndpointSlice the apiserver keeps, so that pods
 * reach the API at {@code https://kubernetes.default.svc} (the first address of the service range, port 443
 * {@code https} to this apiserver's port):
 * <ul>
 *   <li>the Service ({@code provider: kubernetes, component: apiserver}, no selector, ClusterIP the first
 *       address of {@code kube4j.services.cluster-ip-range}) is created when missing; its ports and type are put
 *       back when changed (Kubernetes' {@code kubernetesservice} controller, {@code createPortAndServiceSpec},
 *       {@code getMasterServiceUpdateIfNeeded});</li>
 *   <li>every apiserver renews a lease on its advertise address every 10 s ({@code /registry/masterleases/<ip>},
 *       expiring after 15 s, Kubernetes' {@code /masterleases/} with {@code DefaultEndpointReconcilerTTL}), and
 *       the Endpoints list the live ones, sorted, with port {@code https} (label
 *       {@code endpointslice.kubernetes.io/skip-mirror: "true"}: the mirroring controller leaves it alone) —
 *       Kubernetes' lease endpoint reconciler ({@code pkg/controlplane/reconcilers/lease.go});</li>
 *   <li>the EndpointSlice {@code kubernetes} is made from the Endpoints
 *       ({@code pkg/controlplane/reconcilers/endpointsadapter.go}: label {@code kubernetes.io/service-name},
 *       IPv4, every address ready);</li>
 *   <li>at shutdown the apiserver removes its lease and its address ({@code RemoveEndpoints}).</li>
 * </ul>
 * The advertise address is {@code kube4j.apiserver.advertise-address} (Kubernetes' {@code --advertise-address}),
 * by default the first non-loopback IPv4 address of an interface that is up, else 127.0.0.1.
 * Failures (etcd away, the default namespace not there yet) are logged and retried at the next round.
 */
@Component
public class KubernetesService implements ApplicationRunner {
    private static final Logger log = LoggerFactory.getLogger(KubernetesService.class);
    /** Kubernetes' {@code kubernetesServiceName} in {@code metav1.NamespaceDefault}. */
    public static final String NAME = "kubernetes";
    public static final String NAMESPACE = "default";
    /** The Service's port and its name (Kubernetes' {@code ServicePort} 443, {@code "https"}). */
    public static final int SERVICE_PORT = 443;
    public static final String PORT_NAME = "https";
    /** How often leases and objects are reconciled (Kubernetes' {@code EndpointInterval}). */
    public static final Duration INTERVAL = Duration.ofSeconds(10);
    /** How long an apiserver's lease lives without renewal (Kubernetes' {@code DefaultEndpointReconcilerTTL}). */
    public static final Duration LEASE_TTL = Duration.ofSeconds(15);
    // under /registry/ as in Kubernetes: the watch cache sees every write there, so a lease renewal never leaves
    // etcd's revision ahead of the cache (which a consistent list would then wait for)
    static final String LEASE_PREFIX = "/registry/masterleases/";
    static final String SKIP_MIRROR = "endpointslice.kubernetes.io/skip-mirror";
    static final String SERVICE_NAME_LABEL = "kubernetes.io/service-name";

    private final Registry registry;
    private final Storage storage;
    private final String serviceIp;
    private final String advertiseAddress;
    private final int port;
    private final Clock clock;
    private volatile boolean running;
    // Kubernetes' stopReconcilingCalled and reconcilingLock: no round renews our lease after shutdown removed it
    private volatile boolean stopped;
    private final Object reconciling = new Object();
    private Thread loop;

    @Autowired
    public KubernetesService(Registry registry, Storage storage, ServiceAllocationProperties services,
                             @Value("${kube4j.apiserver.advertise-address:}") String advertiseAddress, @Value("${server.port:8080}") int port) {
        this(registry, storage, ServiceIpRange.parse(services.clusterIpRange()).ipAt(0),
                advertiseAddress == null || advertiseAddress.isBlank() ? defaultAdvertiseAddress() : advertiseAddress.trim(), port, Clock.systemUTC());
    }

    /** For tests: the Service's ClusterIP, this apiserver's address and port, and the clock leases are timed by. */
    public KubernetesService(Registry registry, Storage storage, String serviceIp, String advertiseAddress, int port, Clock clock) {
        this.registry = registry;
        this.storage = storage;
        this.serviceIp = serviceIp;
        this.advertiseAddress = advertiseAddress;
        this.port = port;
        this.clock = clock;
    }

    /** This apiserver's advertise address. */
    public String advertiseAddress() {
        return advertiseAddress;
    }

    /**
     * Kubernetes' default for {@code --advertise-address} (the host's default interface): here the first
     * non-loopback IPv4 address of an interface that is up (interfaces in index order), else 127.0.0.1.
     */
    static String defaultAdvertiseAddress() {
        try {
            List<NetworkInterface> nics = new ArrayList<>(Collections.list(NetworkInterface.getNetworkInterfaces()));
            nics.sort(java.util.Comparator.comparingInt(NetworkInterface::getIndex));
            for (NetworkInterface nic : nics) {
                if (!nic.isUp() || nic.isLoopback()) continue;
                for (InetAddress a : Collections.list(nic.getInetAddresses())) {
                    if (a instanceof Inet4Address && !a.isLoopbackAddress() && !a.isLinkLocalAddress()) {
                        return a.getHostAddress();
                    }
                }
            }
        } catch (SocketException | RuntimeException e) {
            log.debug("cannot list network interfaces: {}", e.toString());
        }
        return "127.0.0.1";
    }

    @Override
    public void run(ApplicationArguments args) {
        running = true;
        loop = Thread.ofVirtual().name("kubernetes-service").start(() -> {
            int failures = 0;
            while (running) {
                long pause = INTERVAL.toMillis();
                try {
                    reconcile();
                    failures = 0;
                } catch (RuntimeException e) {
                    // at start the default namespace or etcd may not be there yet: retry soon, say so if it lasts
                    failures++;
                    if (failures % 30 == 0) {
                        log.warn("cannot reconcile service {}/{} ({} attempts): {}", NAMESPACE, NAME, failures, e.getMessage());
                    } else {
                        log.debug("cannot reconcile service {}/{} yet: {}", NAMESPACE, NAME, e.getMessage());
                    }
                    pause = 1000;
                }
                try {
                    Thread.sleep(pause);
                } catch (InterruptedException e) {
                    return;
                }
            }
        });
        log.info("keeping service {}/{} at {}:{} -> {}:{}", NAMESPACE, NAME, serviceIp, SERVICE_PORT, advertiseAddress, port);
    }

    /** At shutdown, before the server and the watch cache stop: our lease and address go (Kubernetes' Stop/RemoveEndpoints). */
    @EventListener(ContextClosedEvent.class)
    public void shutdown() {
        if (stopped) return;
        stopped = true;
        running = false;
        if (loop != null) loop.interrupt();
        try {
            synchronized (reconciling) {
                storage.get(LEASE_PREFIX + advertiseAddress).ifPresent(s -> storage.delete(s.key(), s.modRevision()));
                reconcileEndpoints(liveLeases());
            }
        } catch (RuntimeException e) {
            log.warn("cannot remove {} from the endpoints of service {}/{}: {}", advertiseAddress, NAMESPACE, NAME, e.getMessage());
        }
    }

    /** One round: the Service, our lease, the Endpoints and the EndpointSlice. */
    public void reconcile() {
        synchronized (reconciling) {
            if (stopped) return;
            ensureService();
            renewLease();
            List<String> ips = liveLeases();
            if (ips.isEmpty()) {
                // we just renewed ours: an empty list means storage is wrong, not that every apiserver is gone
                throw new IllegalStateException("no API server IP addresses were listed in storage, refusing to erase all endpoints for the kubernetes Service");
            }
            reconcileEndpoints(ips);
        }
    }

    // ---- the Service ----

    private void ensureService() {
        ObjectNode wanted = Json.mapper().createObjectNode();
        wanted.put("apiVersion", "v1").put("kind", "Service");
        ObjectNode meta = wanted.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
        meta.putObject("labels").put("component", "apiserver").put("provider", "kubernetes");
        ObjectNode spec = wanted.putObject("spec");
        spec.set("ports", servicePorts());
        spec.put("clusterIP", serviceIp);
        spec.put("sessionAffinity", "None");
        spec.put("type", "ClusterIP");
        ObjectNode current = find(ResourceTypes.SERVICES);
        if (current == null) {
            create(ResourceTypes.SERVICES, wanted);
            return;
        }
        // getMasterServiceUpdateIfNeeded: only the ports and the type are put back
        boolean portsOk = samePorts(current.path("spec").path("ports"));
        boolean typeOk = "ClusterIP".equals(current.path("spec").path("type").asString(""));
        if (!portsOk || !typeOk) {
            update(ResourceTypes.SERVICES, cur -> {
                ObjectNode s = (ObjectNode) cur.withObjectProperty("spec");
                s.set("ports", servicePorts());
                s.put("type", "ClusterIP");
                return cur;
            });
        }
    }

    private ArrayNode servicePorts() {
        ArrayNode ports = Json.mapper().createArrayNode();
        ports.addObject().put("name", PORT_NAME).put("port", SERVICE_PORT).put("protocol", "TCP").put("targetPort", port);
        return ports;
    }

    private boolean samePorts(JsonNode ports) {
        if (ports.size() != 1) return false;
        JsonNode p = ports.get(0);
        return PORT_NAME.equals(p.path("name").asString("")) && p.path("port").asInt() == SERVICE_PORT
                && "TCP".equals(p.path("protocol").asString("TCP")) && p.path("targetPort").asInt(-1) == port;
    }

    // ---- leases ----

    private void renewLease() {
        String key = LEASE_PREFIX + advertiseAddress;
        byte[] value = Json.writeBytes(java.util.Map.of("ip", advertiseAddress, "renewTime", clock.millis()));
        try {
            var current = storage.get(key);
            if (current.isPresent()) storage.update(key, value, current.get().modRevision());
            else storage.create(key, value);
        } catch (StorageException e) {
            // another writer of the same address (a restarted us): next round
            if (e.kind() != StorageException.Kind.CONFLICT) throw e;
        }
    }

    /** The addresses whose lease was renewed within {@link #LEASE_TTL}, sorted (the lexicographic order RepackSubsets keeps). */
    List<String> liveLeases() {
        TreeSet<String> ips = new TreeSet<>();
        long now = clock.millis();
        for (Storage.Stored s : storage.range(LEASE_PREFIX, null, 0, 0).items()) {
            JsonNode lease = Json.tree(new String(s.value(), StandardCharsets.UTF_8));
            if (now - lease.path("renewTime").asLong(0) <= LEASE_TTL.toMillis()) {
                ips.add(lease.path("ip").asString(s.key().substring(LEASE_PREFIX.length())));
            }
        }
        return new ArrayList<>(ips);
    }

    // ---- Endpoints and EndpointSlice ----

    private void reconcileEndpoints(List<String> ips) {
        ObjectNode wanted = endpoints(ips);
        ObjectNode current = find(ResourceTypes.ENDPOINTS);
        if (current == null) {
            create(ResourceTypes.ENDPOINTS, wanted);
        } else if (!Objects.equals(current.path("subsets"), wanted.path("subsets"))
                || !"true".equals(current.path("metadata").path("labels").path(SKIP_MIRROR).asString(""))) {
            update(ResourceTypes.ENDPOINTS, cur -> {
                ((ObjectNode) cur.withObjectProperty("metadata").withObjectProperty("labels")).put(SKIP_MIRROR, "true");
                cur.set("subsets", wanted.get("subsets").deepCopy());
                return cur;
            });
        }
        ObjectNode slice = endpointSlice(wanted);
        ObjectNode currentSlice = find(ResourceTypes.ENDPOINTSLICES);
        if (currentSlice == null) {
            create(ResourceTypes.ENDPOINTSLICES, slice);
        } else if (!Objects.equals(currentSlice.path("endpoints"), slice.path("endpoints")) || !Objects.equals(currentSlice.path("ports"), slice.path("ports"))
                || !Objects.equals(currentSlice.path("metadata").path("labels"), slice.path("metadata").path("labels"))) {
            update(ResourceTypes.ENDPOINTSLICES, cur -> {
                // EnsureEndpointSliceFromEndpoints writes the slice it derives: exactly its labels
                ((ObjectNode) cur.withObjectProperty("metadata")).set("labels", slice.path("metadata").path("labels").deepCopy());
                cur.put("addressType", "IPv4");
                cur.set("endpoints", slice.get("endpoints").deepCopy());
                cur.set("ports", slice.get("ports").deepCopy());
                return cur;
            });
        }
    }

    /** The Endpoints the lease reconciler writes: one subset of every live address and port {@code https}, or none. */
    ObjectNode endpoints(List<String> ips) {
        ObjectNode e = Json.mapper().createObjectNode();
        e.put("apiVersion", "v1").put("kind", "Endpoints");
        ObjectNode meta = e.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
        meta.putObject("labels").put(SKIP_MIRROR, "true");
        ArrayNode subsets = e.putArray("subsets");
        if (!ips.isEmpty()) {
            // RepackSubsets drops a subset without addresses
            ObjectNode subset = subsets.addObject();
            ArrayNode addresses = subset.putArray("addresses");
            ips.forEach(ip -> addresses.addObject().put("ip", ip));
            subset.putArray("ports").addObject().put("name", PORT_NAME).put("port", port).put("protocol", "TCP");
        }
        return e;
    }

    /** {@code endpointSliceFromEndpoints}: same name, the service-name label, IPv4, ready endpoints, the subset's ports. */
    static ObjectNode endpointSlice(ObjectNode endpoints) {
        ObjectNode s = Json.mapper().createObjectNode();
        s.put("apiVersion", "discovery.k8s.io/v1").put("kind", "EndpointSlice");
        ObjectNode meta = s.putObject("metadata").put("name", NAME).put("namespace", NAMESPACE);
        meta.putObject("labels").put(SERVICE_NAME_LABEL, NAME);
        s.put("addressType", "IPv4");
        ArrayNode eps = s.putArray("endpoints");
        ArrayNode ports = s.putArray("ports");
        JsonNode subset = endpoints.path("subsets").path(0);
        for (JsonNode p : subset.path("ports")) {
            ports.addObject().put("name", p.path("name").asString()).put("port", p.path("port").asInt()).put("protocol", p.path("protocol").asString("TCP"));
        }
        for (JsonNode a : subset.path("addresses")) {
            ObjectNode ep = eps.addObject();
            ep.putArray("addresses").add(a.path("ip").asString());
            ep.putObject("conditions").put("ready", true);
        }
        return s;
    }

    // ---- registry helpers ----

    private ObjectNode find(ResourceType rt) {
        try {
            return registry.get(rt, NAMESPACE, NAME);
        } catch (ApiError e) {
            if (e.code() == 404) return null;
            throw e;
        }
    }

    private void create(ResourceType rt, ObjectNode obj) {
        try {
            registry.create(rt, NAMESPACE, obj, false);
            log.info("created {} {}/{}", rt.kind(), NAMESPACE, NAME);
        } catch (ApiError e) {
            // another apiserver was first: fine, the next round compares
            if (e.code() != 409) throw e;
        }
    }

    private void update(ResourceType rt, UnaryOperator<ObjectNode> change) {
        registry.guaranteedUpdate(rt, NAMESPACE, NAME, null, Registry.Part.MAIN, false, change);
    }
}
