package io.kube4j.scheduler.plugins.nodeaffinity;

import io.kube4j.api.Affinity;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.RequiredNodeAffinity;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * {@code spec.nodeSelector} and node affinity: the required terms filter (In, NotIn, Exists,
 * DoesNotExist, Gt, Lt; matchFields on metadata.name), the preferred terms score by the sum of the
 * weights of the terms a node matches. One plugin for both, as in Kubernetes.
 */
public final class NodeAffinity implements FilterPlugin, ScorePlugin {
    public static final String NAME = "NodeAffinity";
    static final String REASON = "node(s) didn't match Pod's node affinity/selector";
    private static final String PREFERRED = NAME + "/preferred";

    /** A compiled preferred term. */
    record WeightedTerm(RequiredNodeAffinity.NodeSelectorTerm term, int weight) {
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        return pod.requiredNodeAffinity().matches(node) ? Status.SUCCESS : Status.unresolvable(REASON);
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_LABELS_CHANGED);
    }

    @Override
    public int defaultWeight() {
        return 2;
    }

    @Override
    public void preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        List<WeightedTerm> terms = new ArrayList<>();
        Affinity a = pod.pod().spec.affinity;
        if (a != null && a.nodeAffinity != null && a.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution != null) {
            for (Affinity.PreferredSchedulingTerm t : a.nodeAffinity.preferredDuringSchedulingIgnoredDuringExecution) {
                if (t.preference == null || t.weight == 0) {
                    continue;
                }
                try {
                    terms.add(new WeightedTerm(RequiredNodeAffinity.NodeSelectorTerm.of(t.preference), t.weight));
                } catch (IllegalArgumentException e) {
                    // a malformed preference only loses its points; it must not make the pod unschedulable
                }
            }
        }
        state.write(PREFERRED, terms);
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        List<WeightedTerm> terms = state.read(PREFERRED);
        long score = 0;
        for (WeightedTerm t : terms) {
            if (t.term().matches(node.name(), node.labels())) {
                score += t.weight();
            }
        }
        return score;
    }

    @Override
    public void normalizeScores(CycleState state, PodInfo pod, long[] scores) {
        ScorePlugin.normalize(scores, false);
    }
}
