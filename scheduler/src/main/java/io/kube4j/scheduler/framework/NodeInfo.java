package io.kube4j.scheduler.framework;

import io.kube4j.api.Node;
import io.kube4j.api.Taint;
import io.kube4j.quantity.Quantity;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A node with everything filtering and scoring need, kept up to date incrementally by the scheduler
 * cache: allocatable and requested resources as numbers, the pods on it (bound and assumed), the host
 * ports they use, and which of them have pod (anti-)affinity. Plugins read snapshot copies only;
 * the mutators are for the cache.
 */
public final class NodeInfo {
    private Node node;
    private final String name;
    private Resource allocatable = new Resource();
    private long allowedPods;
    // spec.unschedulable read once per Node object: the first Filter reads it on every node of every cycle,
    // and following node -> spec -> Boolean there cost three cache misses per node (the top JFR frame)
    private boolean unschedulable;
    // likewise spec.taints and metadata.labels (never null): TaintToleration and NodeAffinity read them per node
    private List<Taint> taints = List.of();
    private Map<String, String> labels = Map.of();
    private final Resource requested;
    private long nonZeroMilliCpu;
    private long nonZeroMemory;
    private final List<PodInfo> pods;
    private final List<PodInfo> podsWithAffinity;
    private final List<PodInfo> podsWithRequiredAntiAffinity;
    private final List<HostPort> usedPorts;
    // bumped by the cache on every change, so a snapshot copies only the nodes that changed
    private long generation;

    public NodeInfo(String name) {
        this.name = name;
        this.requested = new Resource();
        this.pods = new ArrayList<>();
        this.podsWithAffinity = new ArrayList<>();
        this.podsWithRequiredAntiAffinity = new ArrayList<>();
        this.usedPorts = new ArrayList<>();
    }

    private NodeInfo(NodeInfo o) {
        this.node = o.node;
        this.name = o.name;
        this.allocatable = o.allocatable;
        this.allowedPods = o.allowedPods;
        this.unschedulable = o.unschedulable;
        this.taints = o.taints;
        this.labels = o.labels;
        this.requested = o.requested.copy();
        this.nonZeroMilliCpu = o.nonZeroMilliCpu;
        this.nonZeroMemory = o.nonZeroMemory;
        this.pods = new ArrayList<>(o.pods);
        this.podsWithAffinity = new ArrayList<>(o.podsWithAffinity);
        this.podsWithRequiredAntiAffinity = new ArrayList<>(o.podsWithRequiredAntiAffinity);
        this.usedPorts = new ArrayList<>(o.usedPorts);
        this.generation = o.generation;
    }

    /** A NodeInfo for {@code node} with the given pods on it (for tests and the cache). */
    public static NodeInfo of(Node node, PodInfo... pods) {
        NodeInfo n = new NodeInfo(node.metadata.name);
        n.setNode(node);
        for (PodInfo p : pods) {
            n.addPod(p);
        }
        return n;
    }

    /** A copy whose later changes do not show in this one (pod infos and the node are shared: read-only). */
    public NodeInfo copy() {
        return new NodeInfo(this);
    }

    /**
     * Sets the Node object and parses its allocatable resources (falling back to capacity, as a node
     * without allocatable offers what it has). A bad quantity counts as zero: the node then fits nothing.
     */
    public void setNode(Node node) {
        this.node = node;
        this.unschedulable = node.spec != null && Boolean.TRUE.equals(node.spec.unschedulable);
        this.taints = node.spec == null || node.spec.taints == null ? List.of() : node.spec.taints;
        this.labels = node.metadata.labels == null ? Map.of() : node.metadata.labels;
        Map<String, Quantity> alloc = node.status == null ? Map.of()
                : node.status.allocatable != null && !node.status.allocatable.isEmpty() ? node.status.allocatable : node.status.capacity;
        try {
            this.allocatable = Resource.of(alloc);
            Quantity p = alloc == null ? null : alloc.get(Resource.PODS);
            this.allowedPods = p == null ? 0 : p.value();
        } catch (RuntimeException e) {
            this.allocatable = new Resource();
            this.allowedPods = 0;
        }
    }

    /** Forgets the Node object (deleted) while pods bound to it may still be known. */
    public void clearNode() {
        this.node = null;
        this.unschedulable = false;
        this.taints = List.of();
        this.labels = Map.of();
        this.allocatable = new Resource();
        this.allowedPods = 0;
    }

    public void addPod(PodInfo pod) {
        pods.add(pod);
        requested.add(pod.requests());
        nonZeroMilliCpu += pod.nonZeroMilliCpu();
        nonZeroMemory += pod.nonZeroMemory();
        usedPorts.addAll(pod.hostPorts());
        if (pod.hasPodAffinity()) {
            podsWithAffinity.add(pod);
        }
        if (!pod.requiredAntiAffinity().isEmpty()) {
            podsWithRequiredAntiAffinity.add(pod);
        }
    }

    /** Removes the pod with {@code key}; returns whether it was here. */
    public boolean removePod(String key) {
        for (int i = 0; i < pods.size(); i++) {
            PodInfo p = pods.get(i);
            if (p.key().equals(key)) {
                pods.remove(i);
                requested.subtract(p.requests());
                nonZeroMilliCpu -= p.nonZeroMilliCpu();
                nonZeroMemory -= p.nonZeroMemory();
                for (HostPort hp : p.hostPorts()) {
                    usedPorts.remove(hp);
                }
                podsWithAffinity.remove(p);
                podsWithRequiredAntiAffinity.remove(p);
                return true;
            }
        }
        return false;
    }

    /** The Node object; null while only pods (bound before the node was seen) are known. */
    public Node node() {
        return node;
    }

    public String name() {
        return name;
    }

    public Map<String, String> labels() {
        return labels;
    }

    public List<Taint> taints() {
        return taints;
    }

    public boolean unschedulable() {
        return unschedulable;
    }

    public Resource allocatable() {
        return allocatable;
    }

    /** The most pods the node takes (allocatable {@code pods}). */
    public long allowedPods() {
        return allowedPods;
    }

    /** The sum of the requests of the pods on the node. */
    public Resource requested() {
        return requested;
    }

    public long nonZeroMilliCpu() {
        return nonZeroMilliCpu;
    }

    public long nonZeroMemory() {
        return nonZeroMemory;
    }

    public List<PodInfo> pods() {
        return pods;
    }

    public List<PodInfo> podsWithAffinity() {
        return podsWithAffinity;
    }

    public List<PodInfo> podsWithRequiredAntiAffinity() {
        return podsWithRequiredAntiAffinity;
    }

    public List<HostPort> usedPorts() {
        return usedPorts;
    }

    public long generation() {
        return generation;
    }

    public void setGeneration(long generation) {
        this.generation = generation;
    }

    @Override
    public String toString() {
        return name + "(" + pods.size() + " pods, requested " + requested + " of " + allocatable + ")";
    }
}
