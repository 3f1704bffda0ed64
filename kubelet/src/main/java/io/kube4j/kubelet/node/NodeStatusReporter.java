package io.kube4j.kubelet.node;

import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.kubelet.status.TwoWayMergePatch;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;
import io.kube4j.kubelet.runtime.ContainerRuntime;
import io.kube4j.kubelet.runtime.RuntimeVersion;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;

/**
 * Registers the node and keeps its status current: checked every {@code checkInterval} (10 s),
 * written at once when something changed (the Ready condition, capacity, addresses) and otherwise
 * every {@code reportInterval} (40 s, at most) with a fresh lastHeartbeatTime. Ready is True while the
 * container runtime answers, False with the runtime's error otherwise.
 */
public final class NodeStatusReporter {
    private static final Logger log = LoggerFactory.getLogger(NodeStatusReporter.class);
    /** The version this kubelet reports; kubectl shows it in {@code get nodes}. */
    public static final String KUBELET_VERSION = io.kube4j.version.KubernetesVersion.GIT_VERSION;

    private final ApiClient client;
    private final NodeDescription description;
    private final ContainerRuntime runtime;
    private final Clock clock;
    private final Duration reportInterval;
    private volatile Instant lastReport = Instant.EPOCH;
    private volatile String lastUid;
    // the pod CIDR the runtime was last told (Kubernetes' runtimeState.podCIDR())
    private volatile String podCidr = "";

    public NodeStatusReporter(ApiClient client, NodeDescription description, ContainerRuntime runtime, Clock clock, Duration reportInterval) {
        this.client = client;
        this.description = description;
        this.runtime = runtime;
        this.clock = clock;
        this.reportInterval = reportInterval;
    }

    /** The node's uid once registered (the Lease's owner). */
    public String nodeUid() {
        return lastUid;
    }

    /** The labels a kubelet keeps current on its existing Node (Kubernetes' updateDefaultLabels list). */
    static final List<String> DEFAULT_LABELS = List.of("kubernetes.io/hostname", "topology.kubernetes.io/zone",
            "topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/region",
            "node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type", "kubernetes.io/os", "kubernetes.io/arch",
            "node.kubernetes.io/windows-build", "beta.kubernetes.io/os", "beta.kubernetes.io/arch");

    /**
     * Creates the Node with its labels and taints, or, when it exists (a restarted kubelet), brings only its
     * default labels up to date; then reports status.
     */
    public Node register() {
        Node node = new Node();
        node.metadata.name = description.name();
        node.metadata.labels.putAll(description.labels());
        node.spec.taints.addAll(description.taints());
        node.status = status(null);
        Node stored;
        try {
            stored = client.create(node);
            log.info("registered node {}", description.name());
        } catch (ApiException e) {
            if (!e.isAlreadyExists() && !e.isConflict()) {
                throw e;
            }
            stored = client.get(Node.class, null, description.name());
            // as Kubernetes' kubelet (kubelet_node_status.go updateDefaultLabels): an existing Node gets only
            // the kubelet's default labels brought up to date; --node-labels and --register-with-taints apply
            // at creation only, so what an admin or the node lifecycle controller changed since stays (and
            // NodeRestriction admission refuses a kubelet touching taints anyway)
            boolean changed = false;
            for (String key : DEFAULT_LABELS) {
                String want = description.labels().get(key);
                if (want == null) {
                    continue;
                }
                if (want.isEmpty()) {
                    changed |= stored.metadata.labels.remove(key) != null;
                } else {
                    changed |= !want.equals(stored.metadata.labels.put(key, want));
                }
            }
            if (changed) {
                stored = client.update(stored);
            }
            log.info("node {} already registered: adopted it", description.name());
        }
        lastUid = stored.metadata.uid;
        updatePodCidr(stored);
        Node patched = patchStatus(stored, status(stored.status));
        lastReport = clock.instant();
        return patched;
    }

    /**
     * Tells the runtime the Node's pod CIDR when it is set and differs from what it was last told: Kubernetes'
     * tryUpdateNodeStatus ({@code if node.Spec.PodCIDR != "" { kl.updatePodCIDR(strings.Join(node.Spec.PodCIDRs, ",")) }})
     * and kubelet_network.go updatePodCIDR, which remembers the CIDR only once the runtime took it, so a refusal is
     * retried at the next status sync. Returns whether the runtime was told.
     */
    boolean updatePodCidr(Node node) {
        if (node.spec == null || node.spec.podCIDR == null || node.spec.podCIDR.isBlank()) {
            return false;
        }
        String cidr = node.spec.podCIDRs == null || node.spec.podCIDRs.isEmpty() ? node.spec.podCIDR : String.join(",", node.spec.podCIDRs);
        if (cidr.equals(podCidr)) {
            return false;
        }
        try {
            runtime.updatePodCidr(cidr);
        } catch (RuntimeException e) {
            log.warn("failed to update pod CIDR: {}", e.getMessage());
            return false;
        }
        log.info("updating pod CIDR of node {}: {} -> {}", description.name(), podCidr, cidr);
        podCidr = cidr;
        return true;
    }

    /** One check: writes the status when it changed or the report interval has passed. Returns whether it wrote. */
    public boolean sync() {
        Node node;
        try {
            node = client.get(Node.class, null, description.name());
        } catch (ApiException e) {
            if (e.isNotFound()) {
                // somebody deleted our Node: register it again, as the kubelet does
                register();
                return true;
            }
            throw e;
        }
        lastUid = node.metadata.uid;
        updatePodCidr(node);
        Node.NodeStatus desired = status(node.status);
        Instant now = clock.instant();
        // changed: the patch would carry more than heartbeats (fields and conditions of others do not count)
        Node.NodeStatus sameBeats = Json.copy(desired);
        for (Node.NodeCondition c : sameBeats.conditions) {
            Node.NodeCondition before = node.status == null ? null : node.status.condition(c.type);
            c.lastHeartbeatTime = before == null ? null : before.lastHeartbeatTime;
        }
        boolean changed = !statusPatch(node.status, sameBeats).isEmpty();
        if (!changed && Duration.between(lastReport, now).compareTo(reportInterval) < 0) {
            return false;
        }
        patchStatus(node, desired);
        lastReport = now;
        return true;
    }

    /**
     * Writes {@code desired} over the node's status as Kubernetes' {@code nodeutil.PatchNodeStatus} does: a strategic
     * merge patch on {@code nodes/{name}/status}, the two-way diff of the status read and
     * that status with the kubelet's fields set (so fields and conditions others own, such as volumesAttached or
     * NetworkUnavailable, are left as they are), without resourceVersion: a concurrent writer of the Node (the node
     * lifecycle controller's taints) cannot make it fail with 409 as a PUT of the whole object would. Addresses that
     * changed are replaced whole ({@code fixupPatchForNodeStatusAddresses}). Returns the node as written, or
     * {@code node} when nothing changed.
     */
    Node patchStatus(Node node, Node.NodeStatus desired) {
        ObjectNode patch = statusPatch(node.status, desired);
        if (patch.isEmpty()) {
            return node;
        }
        ObjectNode body = Json.mapper().createObjectNode();
        body.set("status", patch);
        Node written = client.patchStatus(Node.class, null, node.metadata.name, "application/strategic-merge-patch+json", Json.write(body));
        return written == null ? node : written;
    }

    /** The merge keys of NodeStatus' lists the kubelet's diff merges (k8s.io/api/core/v1 types.go). */
    static final Map<String, String> MERGE_KEYS = Map.of("conditions", "type", "volumesAttached", "name");

    /** The status part of PatchNodeStatus' patch: empty when the kubelet's fields are as reported. */
    static ObjectNode statusPatch(Node.NodeStatus current, Node.NodeStatus desired) {
        ObjectNode from = current == null ? Json.mapper().createObjectNode() : Json.toTree(current);
        ObjectNode to = from.deepCopy();
        Json.toTree(desired).properties().forEach(e -> {
            if ("conditions".equals(e.getKey()) && to.get("conditions") instanceof ArrayNode conditions) {
                // the kubelet's setters update their conditions in place and leave the others
                for (JsonNode c : e.getValue()) {
                    int at = -1;
                    for (int i = 0; i < conditions.size(); i++) {
                        if (conditions.get(i).path("type").asString("").equals(c.path("type").asString(""))) {
                            at = i;
                        }
                    }
                    if (at >= 0) {
                        conditions.set(at, c);
                    } else {
                        conditions.add(c);
                    }
                }
            } else {
                to.set(e.getKey(), e.getValue());
            }
        });
        ObjectNode patch = TwoWayMergePatch.diff(from, to, MERGE_KEYS, (list, key) -> true);
        JsonNode oldAddresses = from.get("addresses");
        if (patch.has("addresses") && oldAddresses != null && oldAddresses.isArray() && !oldAddresses.isEmpty()) {
            // NodeStatus.Addresses is annotated merge by type, which cannot express a changed list: replace it
            ArrayNode replace = Json.mapper().createArrayNode();
            replace.addObject().put("$patch", "replace");
            to.get("addresses").forEach(replace::add);
            patch.set("addresses", replace);
        }
        return patch;
    }

    /** The status to report now; conditions keep their lastTransitionTime while unchanged. */
    Node.NodeStatus status(Node.NodeStatus old) {
        String now = Times.format(clock.instant());
        Node.NodeStatus s = new Node.NodeStatus();
        s.capacity.putAll(description.capacity());
        s.allocatable.putAll(description.capacity());
        s.addresses.add(new Node.NodeAddress("InternalIP", description.address()));
        s.addresses.add(new Node.NodeAddress("Hostname", description.hostname()));
        s.daemonEndpoints = new Node.DaemonEndpoints();
        s.daemonEndpoints.kubeletEndpoint = new Node.DaemonEndpoints.Endpoint();
        s.daemonEndpoints.kubeletEndpoint.port = description.port();
        String runtimeVersion;
        String runtimeError = null;
        try {
            RuntimeVersion v = runtime.version();
            runtimeVersion = v.toString();
        } catch (RuntimeException e) {
            runtimeError = e.getMessage();
            runtimeVersion = old != null && old.nodeInfo != null ? old.nodeInfo.containerRuntimeVersion : "unknown";
        }
        s.nodeInfo = new Node.NodeSystemInfo();
        s.nodeInfo.kubeletVersion = KUBELET_VERSION;
        s.nodeInfo.kubeProxyVersion = KUBELET_VERSION;
        s.nodeInfo.containerRuntimeVersion = runtimeVersion;
        s.nodeInfo.operatingSystem = MachineInfo.operatingSystem();
        s.nodeInfo.architecture = MachineInfo.architecture();
        s.nodeInfo.osImage = MachineInfo.osImage();
        s.nodeInfo.kernelVersion = System.getProperty("os.version");
        s.nodeInfo.machineID = MachineInfo.readId("/etc/machine-id");
        s.nodeInfo.bootID = MachineInfo.readId("/proc/sys/kernel/random/boot_id");
        s.conditions.add(condition(old, "MemoryPressure", "False", "KubeletHasSufficientMemory", "kubelet has sufficient memory available", now));
        s.conditions.add(condition(old, "DiskPressure", "False", "KubeletHasNoDiskPressure", "kubelet has no disk pressure", now));
        s.conditions.add(condition(old, "PIDPressure", "False", "KubeletHasSufficientPID", "kubelet has sufficient PID available", now));
        s.conditions.add(runtimeError == null
                ? condition(old, "Ready", "True", "KubeletReady", "kubelet is posting ready status", now)
                : condition(old, "Ready", "False", "KubeletNotReady", "container runtime is down: " + runtimeError, now));
        return s;
    }

    private static Node.NodeCondition condition(Node.NodeStatus old, String type, String status, String reason, String message, String now) {
        Node.NodeCondition c = new Node.NodeCondition();
        c.type = type;
        c.status = status;
        c.reason = reason;
        c.message = message;
        c.lastHeartbeatTime = now;
        Node.NodeCondition previous = old == null ? null : old.condition(type);
        c.lastTransitionTime = previous != null && status.equals(previous.status) && previous.lastTransitionTime != null ? previous.lastTransitionTime : now;
        return c;
    }

    /** The names of the conditions reported (for tests). */
    static List<String> conditionTypes(Node.NodeStatus s) {
        return s.conditions.stream().map(c -> c.type).toList();
    }
}
