package io.kube4j.scheduler.cache;

import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Snapshot;

import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;

/**
 * The scheduler's view of nodes and the pods on them, fed by the informers and by the scheduler's own
 * decisions: a pod counts against its node from the moment it is <em>assumed</em> (chosen, binding
 * under way), so a burst of decisions never overcommits a node; the informer's bound pod later
 * confirms the assumption, a failed binding {@linkplain #forget forgets} it. Thread-safe; each
 * scheduling cycle reads a {@link Snapshot} refreshed from it in O(changed nodes).
 */
public final class SchedulerCache {
    /** Where a known pod is counted, and whether only because the scheduler assumed it. */
    private record PodState(PodInfo pod, String nodeName, boolean assumed) {
    }

    private final Map<String, NodeInfo> nodes = new HashMap<>();
    private final Map<String, PodState> pods = new HashMap<>();
    // nodes changed since the last snapshot refresh (there is one snapshot: the scheduling thread's)
    private final Set<String> dirty = new HashSet<>();
    private long generation;
    private int assumedCount;

    // ---- nodes ----

    public synchronized void addOrUpdateNode(Node node) {
        NodeInfo info = nodes.computeIfAbsent(node.metadata.name, NodeInfo::new);
        info.setNode(node);
        touch(info);
    }

    public synchronized void removeNode(String name) {
        NodeInfo info = nodes.get(name);
        if (info == null) {
            return;
        }
        if (info.pods().isEmpty()) {
            nodes.remove(name);
            dirty.add(name);
        } else {
            // pods still bound to it leave through their own deletes
            info.clearNode();
            touch(info);
        }
    }

    // ---- pods ----

    /** A bound pod seen by the informer (added or updated); confirms the assumption if there was one. */
    public synchronized void addOrUpdatePod(Pod pod) {
        String node = pod.spec.nodeName;
        if (node == null || node.isEmpty()) {
            return;
        }
        PodInfo info = PodInfo.of(pod);
        PodState old = pods.get(info.key());
        if (old != null) {
            detach(old);
            if (old.assumed()) {
                assumedCount--;
            }
        }
        attach(new PodState(info, node, false));
    }

    /** Removes a pod (deleted, finished, or no longer assigned); returns whether it was counted. */
    public synchronized boolean removePod(String key) {
        PodState old = pods.remove(key);
        if (old == null) {
            return false;
        }
        if (old.assumed()) {
            assumedCount--;
        }
        NodeInfo info = nodes.get(old.nodeName());
        if (info != null) {
            info.removePod(key);
            touch(info);
            dropIfEmptyAndNodeless(info);
        }
        return true;
    }

    /**
     * Counts {@code pod} on {@code nodeName} before the binding is confirmed. Fails if the pod is
     * already counted somewhere (assumed or bound): it must not be scheduled twice.
     */
    public synchronized void assume(PodInfo pod, String nodeName) {
        if (pods.containsKey(pod.key())) {
            throw new IllegalStateException("pod " + pod.key() + " is already " + (pods.get(pod.key()).assumed() ? "assumed" : "bound"));
        }
        attach(new PodState(pod, nodeName, true));
        assumedCount++;
    }

    /** Undoes an assumption (its binding failed); a pod meanwhile confirmed by the informer stays. Returns whether it was undone. */
    public synchronized boolean forget(String key) {
        PodState s = pods.get(key);
        if (s == null || !s.assumed()) {
            return false;
        }
        return removePod(key);
    }

    public synchronized boolean isAssumed(String key) {
        PodState s = pods.get(key);
        return s != null && s.assumed();
    }

    /** Whether the pod is counted on a node (bound or assumed). */
    public synchronized boolean contains(String key) {
        return pods.containsKey(key);
    }

    /** The node a pod is counted on, or null. */
    public synchronized String nodeOf(String key) {
        PodState s = pods.get(key);
        return s == null ? null : s.nodeName();
    }

    public synchronized int assumedPods() {
        return assumedCount;
    }

    public synchronized int nodeCount() {
        int n = 0;
        for (NodeInfo info : nodes.values()) {
            if (info.node() != null) {
                n++;
            }
        }
        return n;
    }

    /** Copies the nodes changed since the last call into {@code snapshot}. */
    public synchronized void updateSnapshot(Snapshot snapshot) {
        if (dirty.isEmpty()) {
            return;
        }
        for (String name : dirty) {
            NodeInfo info = nodes.get(name);
            if (info == null) {
                snapshot.remove(name);
            } else {
                snapshot.put(info.copy());
            }
        }
        dirty.clear();
        snapshot.finishUpdate();
    }

    private void attach(PodState s) {
        pods.put(s.pod().key(), s);
        NodeInfo info = nodes.computeIfAbsent(s.nodeName(), NodeInfo::new);
        info.addPod(s.pod());
        touch(info);
    }

    private void detach(PodState s) {
        NodeInfo info = nodes.get(s.nodeName());
        if (info != null) {
            info.removePod(s.pod().key());
            touch(info);
            dropIfEmptyAndNodeless(info);
        }
    }

    private void dropIfEmptyAndNodeless(NodeInfo info) {
        if (info.node() == null && info.pods().isEmpty()) {
            nodes.remove(info.name());
        }
    }

    private void touch(NodeInfo info) {
        info.setGeneration(++generation);
        dirty.add(info.name());
    }
}
