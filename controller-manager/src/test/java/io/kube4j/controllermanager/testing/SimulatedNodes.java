package io.kube4j.controllermanager.testing;

import io.kube4j.api.Affinity;
import io.kube4j.api.Lease;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.Taint;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.informer.Informer;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * Stand-ins for the scheduler and kubelets in integration tests: registers nodes, renews their
 * Leases, binds unscheduled pods round-robin to live untainted nodes (POST binding), reports bound
 * pods Running and Ready with an IP, and finishes graceful deletions (delete with grace 0). A stopped
 * node does nothing at all, like a crashed kubelet. A pod pinned to a node by a required node affinity
 * {@code metadata.name In [node]} (a DaemonSet's) is bound to that node only; pods a test chooses
 * ({@link #readinessSetByTest}) are reported Running but not Ready, and the test patches them Ready.
 */
public final class SimulatedNodes implements AutoCloseable {
    private final ApiClient client;
    private final List<String> names;
    private final Set<String> stopped = ConcurrentHashMap.newKeySet();
    private final Informer<Pod> pods;
    private final AtomicInteger next = new AtomicInteger();
    private final AtomicInteger ipCounter = new AtomicInteger(1);
    private volatile boolean closed;
    private volatile Predicate<Pod> readinessByTest = p -> false;
    private Thread loop;
    private Thread heartbeats;

    public SimulatedNodes(ApiClient client, String... names) {
        this.client = client;
        this.names = List.of(names);
        this.pods = new Informer<>(client, Pod.class, null, null, 2);
    }

    public SimulatedNodes start() {
        for (String name : names) {
            register(name);
        }
        pods.start();
        loop = Thread.ofVirtual().name("simulated-nodes").start(this::podLoop);
        heartbeats = Thread.ofVirtual().name("simulated-heartbeats").start(this::heartbeatLoop);
        return this;
    }

    /** Pods matching {@code which} are reported Running with Ready=False; the test makes them Ready. */
    public SimulatedNodes readinessSetByTest(Predicate<Pod> which) {
        this.readinessByTest = which;
        return this;
    }

    /** The node's kubelet stops: no more heartbeats, no more pod work. */
    public void stop(String node) {
        stopped.add(node);
    }

    /** The node's kubelet is back. */
    public void resume(String node) {
        stopped.remove(node);
    }

    private void register(String name) {
        Node n = new Node();
        n.metadata.name = name;
        n.status.capacity.put("cpu", Quantity.parse("4"));
        n.status.capacity.put("pods", Quantity.parse("110"));
        n.status.allocatable.putAll(n.status.capacity);
        n.status.addresses.add(new Node.NodeAddress("InternalIP", "127.0.0." + (names.indexOf(name) + 2)));
        n.status.conditions.add(readyCondition());
        try {
            Node created = client.create(n);
            created.status.conditions = n.status.conditions;
            client.updateStatus(created);
        } catch (ApiException e) {
            if (!e.isAlreadyExists()) {
                throw e;
            }
        }
    }

    private static Node.NodeCondition readyCondition() {
        Node.NodeCondition c = new Node.NodeCondition();
        c.type = "Ready";
        c.status = "True";
        c.reason = "KubeletReady";
        c.message = "kubelet is posting ready status";
        c.lastHeartbeatTime = Times.now();
        c.lastTransitionTime = Times.now();
        return c;
    }

    private void heartbeatLoop() {
        while (!closed) {
            for (String name : names) {
                if (stopped.contains(name)) {
                    continue;
                }
                try {
                    renewLease(name);
                    postReadyIfNeeded(name);
                } catch (RuntimeException e) {
                    // the apiserver may be busy; next round
                }
            }
            if (!sleep(1000)) {
                return;
            }
        }
    }

    private void renewLease(String name) {
        Lease lease = client.find(Lease.class, "kube-node-lease", name).orElse(null);
        if (lease == null) {
            Lease l = new Lease();
            l.metadata.namespace = "kube-node-lease";
            l.metadata.name = name;
            l.spec.holderIdentity = name;
            l.spec.leaseDurationSeconds = 40;
            l.spec.renewTime = Times.nowMicro();
            client.create(l);
            return;
        }
        lease.spec.renewTime = Times.nowMicro();
        client.update(lease);
    }

    private void postReadyIfNeeded(String name) {
        Node n = client.get(Node.class, null, name);
        Node.NodeCondition ready = n.status.condition("Ready");
        if (ready != null && "True".equals(ready.status)) {
            return;
        }
        n.status.conditions.removeIf(c -> "Ready".equals(c.type));
        n.status.conditions.add(readyCondition());
        client.updateStatus(n);
    }

    private void podLoop() {
        while (!closed) {
            for (Pod pod : pods.store().list()) {
                try {
                    handle(pod);
                } catch (ApiException e) {
                    // conflicts and races with the controllers: the next round sees the new state
                } catch (RuntimeException e) {
                    // keep simulating
                }
            }
            if (!sleep(100)) {
                return;
            }
        }
    }

    private void handle(Pod pod) {
        String node = pod.spec.nodeName;
        if (node == null || node.isEmpty()) {
            if (pod.metadata.deletionTimestamp == null) {
                String target = pickNode(pod);
                if (target != null) {
                    client.bind(pod.metadata.namespace, pod.metadata.name, target);
                }
            }
            return;
        }
        if (!names.contains(node) || stopped.contains(node)) {
            return;
        }
        if (pod.metadata.deletionTimestamp != null) {
            client.delete(Pod.class, pod.metadata.namespace, pod.metadata.name, 0);
            return;
        }
        if (!"Running".equals(pod.status.phase)) {
            Pod copy = Json.copy(pod);
            copy.status.phase = "Running";
            copy.status.podIP = "10.244.0." + ipCounter.getAndIncrement() % 250;
            copy.status.hostIP = "127.0.0." + (names.indexOf(node) + 2);
            copy.status.startTime = Times.now();
            copy.status.conditions.removeIf(c -> "Ready".equals(c.type));
            copy.status.conditions.add(new PodCondition("Ready", readinessByTest.test(pod) ? "False" : "True", null, null, Times.now()));
            client.updateStatus(copy);
        }
    }

    /**
     * The node the pod is pinned to, if that node is simulated and running; else round-robin over
     * running nodes without taints (what a scheduler would do for a plain pod).
     */
    private String pickNode(Pod pod) {
        String pinned = pinnedNode(pod);
        if (pinned != null) {
            return names.contains(pinned) && !stopped.contains(pinned) ? pinned : null;
        }
        List<String> candidates = new ArrayList<>();
        for (String name : names) {
            if (stopped.contains(name)) {
                continue;
            }
            Node n = client.find(Node.class, null, name).orElse(null);
            if (n != null && n.spec.taints.stream().noneMatch(SimulatedNodes::repels)) {
                candidates.add(name);
            }
        }
        if (candidates.isEmpty()) {
            return null;
        }
        return candidates.get(Math.floorMod(next.getAndIncrement(), candidates.size()));
    }

    /** The single {@code metadata.name In [node]} value of the pod's required node affinity, or null. */
    private static String pinnedNode(Pod pod) {
        Affinity a = pod.spec.affinity;
        if (a == null || a.nodeAffinity == null || a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution == null) {
            return null;
        }
        for (Affinity.NodeSelectorTerm term : a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms) {
            for (Affinity.NodeSelectorRequirement r : term.matchFields) {
                if ("metadata.name".equals(r.key) && "In".equals(r.operator) && r.values.size() == 1) {
                    return r.values.getFirst();
                }
            }
        }
        return null;
    }

    private static boolean repels(Taint t) {
        return "NoSchedule".equals(t.effect) || "NoExecute".equals(t.effect);
    }

    /** The pods currently bound to {@code node} (from the simulator's cache). */
    public List<Pod> podsOn(String node) {
        return pods.store().list().stream().filter(p -> node.equals(p.spec.nodeName)).toList();
    }

    public Map<String, Long> podCountByNode() {
        Map<String, Long> out = new ConcurrentHashMap<>();
        for (Pod p : pods.store().list()) {
            if (p.spec.nodeName != null && p.metadata.deletionTimestamp == null) {
                out.merge(p.spec.nodeName, 1L, Long::sum);
            }
        }
        return out;
    }

    private static boolean sleep(long millis) {
        try {
            Thread.sleep(millis);
            return true;
        } catch (InterruptedException e) {
            return false;
        }
    }

    @Override
    public void close() {
        closed = true;
        pods.stop();
        if (loop != null) {
            loop.interrupt();
        }
        if (heartbeats != null) {
            heartbeats.interrupt();
        }
    }
}
