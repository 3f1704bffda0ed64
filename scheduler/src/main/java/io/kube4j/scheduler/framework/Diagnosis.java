package io.kube4j.scheduler.framework;

import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Why a pod fits on no node, as Kubernetes' {@code Diagnosis} with its {@code NodeToStatus} and the
 * message of its {@code FitError}: the status of each node that was filtered, the status of every other
 * node (a PreFilter rejection applies to all of them), the plugins that rejected, and what PostFilter said.
 * The message counts reasons over the nodes and sorts the {@code "<count> <reason>"} strings as Go's
 * {@code sort.Strings} does, e.g.
 * {@code 0/3 nodes are available: 1 node(s) had untolerated taint {dedicated: gpu}, 2 Insufficient cpu.},
 * followed by the PostFilter message if any ({@code ... preemption: 0/3 nodes are available: 3 No
 * preemption victims found for incoming pod.}). Only the scheduling thread uses it.
 */
public final class Diagnosis {
    /** Kubernetes' {@code NoNodeAvailableMsg}. */
    static final String NO_NODE_AVAILABLE = "0/%d nodes are available";

    private final int totalNodes;
    // insertion order is the order nodes were filtered in; a node filtered twice keeps its last status
    private final Map<String, Status> nodeToStatus = new LinkedHashMap<>();
    // the status of nodes not in the map: by default no plugin said anything that preemption could change
    private Status absentNodesStatus = Status.unresolvable();
    private final Set<String> rejectingPlugins = new LinkedHashSet<>();
    private String preFilterMessage = "";
    private String postFilterMessage = "";
    private boolean error;

    public Diagnosis(int totalNodes) {
        this.totalNodes = totalNodes;
    }

    /** Records the status of node {@code nodeName} (a later status for the same node replaces the earlier one). */
    public void add(String nodeName, Status status) {
        if (status.isSuccess()) {
            return;
        }
        nodeToStatus.put(nodeName, status);
        note(status);
    }

    /**
     * A PreFilter rejected the pod: every node gets this status (Kubernetes: {@code SetAbsentNodesStatus}
     * and {@code PreFilterMsg}), and the message is the PreFilter's rather than a count per node.
     */
    public void addPreFilterRejection(Status status) {
        absentNodesStatus = status;
        preFilterMessage = status.message();
        note(status);
    }

    /** The status every node without one of its own has (Kubernetes' {@code SetAbsentNodesStatus}). */
    public void setAbsentNodesStatus(Status status) {
        absentNodesStatus = status;
    }

    private void note(Status status) {
        if (status.code() == Status.Code.ERROR) {
            error = true;
        }
        if (status.plugin() != null && status.isRejection()) {
            rejectingPlugins.add(status.plugin());
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

    /** The status of {@code nodeName}: its own, or the status of absent nodes (Kubernetes' {@code NodeToStatus.Get}). */
    public Status status(String nodeName) {
        Status s = nodeToStatus.get(nodeName);
        return s != null ? s : absentNodesStatus;
    }

    /** The nodes with a status of their own, in the order they were filtered. */
    public Map<String, Status> nodeToStatus() {
        return Collections.unmodifiableMap(nodeToStatus);
    }

    /** The nodes of {@code nodes} whose status has {@code code} (Kubernetes' {@code NodesForStatusCode}). */
    public List<NodeInfo> nodesForStatusCode(List<NodeInfo> nodes, Status.Code code) {
        List<NodeInfo> out = new ArrayList<>();
        for (NodeInfo n : nodes) {
            if (status(n.name()).code() == code) {
                out.add(n);
            }
        }
        return out;
    }

    /** Sets what the PostFilter plugins said (Kubernetes' {@code PostFilterMsg}); empty for nothing. */
    public void setPostFilterMessage(String message) {
        postFilterMessage = message == null ? "" : message;
    }

    public String postFilterMessage() {
        return postFilterMessage;
    }

    /** How many nodes give each reason (absent nodes counted with the absent status's reasons). */
    public Map<String, Integer> reasonCounts() {
        Map<String, Integer> reasons = new HashMap<>();
        for (Status s : nodeToStatus.values()) {
            for (String r : s.reasons()) {
                reasons.merge(r, 1, Integer::sum);
            }
        }
        int absent = totalNodes - nodeToStatus.size();
        if (absent > 0) {
            for (String r : absentNodesStatus.reasons()) {
                reasons.merge(r, absent, Integer::sum);
            }
        }
        return reasons;
    }

    /** The message, as Kubernetes' {@code FitError.Error()}. */
    public String message() {
        if (totalNodes == 0) {
            return "0/0 nodes are available: no nodes available to schedule pods.";
        }
        StringBuilder sb = new StringBuilder(String.format(NO_NODE_AVAILABLE, totalNodes)).append(':');
        if (!preFilterMessage.isEmpty()) {
            sb.append(' ').append(preFilterMessage).append('.');
        } else {
            List<String> histogram = new ArrayList<>();
            for (Map.Entry<String, Integer> e : reasonCounts().entrySet()) {
                histogram.add(e.getValue() + " " + e.getKey());
            }
            // Go's sort.Strings: bytewise, so "10 x" sorts before "2 y"
            Collections.sort(histogram);
            if (!histogram.isEmpty()) {
                sb.append(' ').append(String.join(", ", histogram)).append('.');
            }
        }
        if (!postFilterMessage.isEmpty()) {
            sb.append(' ').append(postFilterMessage);
        }
        return sb.toString();
    }

    @Override
    public String toString() {
        return message();
    }
}
