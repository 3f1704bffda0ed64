package io.kube4j.kubelet.node;

import io.kube4j.api.Node;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
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
        stored.status = status(stored.status);
        stored = client.updateStatus(stored);
        lastReport = clock.instant();
        return stored;
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
        Node.NodeStatus desired = status(node.status);
        Instant now = clock.instant();
        boolean changed = !withoutHeartbeats(desired).equals(withoutHeartbeats(node.status));
        if (!changed && Duration.between(lastReport, now).compareTo(reportInterval) < 0) {
            return false;
        }
        node.status = desired;
        client.updateStatus(node);
        lastReport = now;
        return true;
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

    // the status as JSON without heartbeat times: what "changed" means
    private static String withoutHeartbeats(Node.NodeStatus status) {
        if (status == null) {
            return "";
        }
        Node.NodeStatus copy = Json.copy(status);
        for (Node.NodeCondition c : copy.conditions) {
            c.lastHeartbeatTime = null;
        }
        copy.phase = null;
        return Json.write(copy);
    }

    /** The names of the conditions reported (for tests). */
    static List<String> conditionTypes(Node.NodeStatus s) {
        return s.conditions.stream().map(c -> c.type).toList();
    }
}
