package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Why a pod fits on no node: the rejection of each node, counted by reason into the message users
 * see, e.g. {@code 0/3 nodes are available: 2 Insufficient cpu, 1 node(s) had untolerated taint {dedicated: gpu}.}
 */
public final class Diagnosis {
    private final int totalNodes;
    private final Map<String, Integer> reasonCounts = new HashMap<>();
    private final Set<String> rejectingPlugins = new LinkedHashSet<>();
    private boolean error;

    public Diagnosis(int totalNodes) {
        this.totalNodes = totalNodes;
    }

    /** Records the rejection of one node. */
    public void add(Status status) {
        add(status, 1);
    }

    /** Records a rejection that applies to {@code nodes} nodes (a PreFilter rejects all at once). */
    public void add(Status status, int nodes) {
        if (status.isSuccess()) {
            return;
        }
        if (status.code() == Status.Code.ERROR) {
            error = true;
        }
        if (status.plugin() != null) {
            rejectingPlugins.add(status.plugin());
        }
        for (String reason : status.reasons()) {
            reasonCounts.merge(reason, nodes, Integer::sum);
        }
    }

    public int totalNodes() {
        return totalNodes;
    }

    /** Whether some rejection was an error rather than a plain misfit. */
    public boolean hasError() {
        return error;
    }

    /** The plugins that rejected some node: the queue asks them which events could change their mind. */
    public Set<String> rejectingPlugins() {
        return rejectingPlugins;
    }

    public Map<String, Integer> reasonCounts() {
        return reasonCounts;
    }

    /** The message: reasons by count, most frequent first, then alphabetically. */
    public String message() {
        if (totalNodes == 0) {
            return "0/0 nodes are available: no nodes available to schedule pods.";
        }
        List<Map.Entry<String, Integer>> entries = new ArrayList<>(reasonCounts.entrySet());
        entries.sort(Comparator.<Map.Entry<String, Integer>>comparingInt(Map.Entry::getValue).reversed().thenComparing(Map.Entry::getKey));
        StringBuilder sb = new StringBuilder("0/").append(totalNodes).append(" nodes are available");
        String sep = ": ";
        for (Map.Entry<String, Integer> e : entries) {
            sb.append(sep).append(e.getValue()).append(' ').append(e.getKey());
            sep = ", ";
        }
        return sb.append('.').toString();
    }

    @Override
    public String toString() {
        return message();
    }
}
