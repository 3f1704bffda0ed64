package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The cluster as one scheduling cycle sees it: a consistent copy of every node's {@link NodeInfo}.
 * Before each cycle the cache hands it copies of only the nodes that changed since the last cycle,
 * so refreshing costs O(changes), not O(nodes). Only the scheduling thread uses it.
 */
public final class Snapshot {
    private final Map<String, NodeInfo> byName = new HashMap<>();
    private final Map<String, Integer> position = new HashMap<>();
    private List<NodeInfo> nodes = new ArrayList<>();
    private List<NodeInfo> withAffinity = List.of();
    private List<NodeInfo> withRequiredAntiAffinity = List.of();
    private boolean orderStale;
    private boolean affinityStale;

    /** A snapshot of the given nodes (for tests). */
    public static Snapshot of(List<NodeInfo> nodes) {
        Snapshot s = new Snapshot();
        for (NodeInfo n : nodes) {
            s.put(n);
        }
        s.finishUpdate();
        return s;
    }

    /** The nodes with a Node object, ordered by name. */
    public List<NodeInfo> nodes() {
        return nodes;
    }

    public NodeInfo get(String name) {
        return byName.get(name);
    }

    /** Nodes with at least one pod that has some pod (anti-)affinity term. */
    public List<NodeInfo> nodesWithAffinityPods() {
        return withAffinity;
    }

    /** Nodes with at least one pod that has a required anti-affinity term. */
    public List<NodeInfo> nodesWithRequiredAntiAffinityPods() {
        return withRequiredAntiAffinity;
    }

    // ---- for the cache ----

    /** Puts (a copy of) a changed node; call {@link #finishUpdate()} after the last one. */
    public void put(NodeInfo copy) {
        NodeInfo old = byName.put(copy.name(), copy);
        Integer at = position.get(copy.name());
        if (at != null && copy.node() != null) {
            nodes.set(at, copy);
        } else {
            orderStale = true;
        }
        if (old == null || !old.podsWithAffinity().isEmpty() || !copy.podsWithAffinity().isEmpty()) {
            affinityStale = true;
        }
    }

    public void remove(String name) {
        if (byName.remove(name) != null) {
            orderStale = true;
            affinityStale = true;
        }
    }

    /** Rebuilds what depends on the set of nodes, only if that changed. */
    public void finishUpdate() {
        if (orderStale) {
            List<NodeInfo> all = new ArrayList<>(byName.size());
            for (NodeInfo n : byName.values()) {
                if (n.node() != null) {
                    all.add(n);
                }
            }
            all.sort(Comparator.comparing(NodeInfo::name));
            position.clear();
            for (int i = 0; i < all.size(); i++) {
                position.put(all.get(i).name(), i);
            }
            nodes = all;
            orderStale = false;
        }
        if (affinityStale) {
            List<NodeInfo> aff = new ArrayList<>();
            List<NodeInfo> anti = new ArrayList<>();
            for (NodeInfo n : nodes) {
                if (!n.podsWithAffinity().isEmpty()) {
                    aff.add(n);
                }
                if (!n.podsWithRequiredAntiAffinity().isEmpty()) {
                    anti.add(n);
                }
            }
            withAffinity = aff;
            withRequiredAntiAffinity = anti;
            affinityStale = false;
        }
    }
}
