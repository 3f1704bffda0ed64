package io.kube4j.scheduler.plugins.tainttoleration;

import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Status;

import java.util.EnumSet;
import java.util.List;
import java.util.Set;

/**
 * Taints and tolerations: a NoSchedule or NoExecute taint the pod does not tolerate rejects the node
 * (this is also how NotReady and unreachable nodes are avoided: the node lifecycle controller taints
 * them); PreferNoSchedule taints only cost points, fewer untolerated ones score higher.
 */
public final class TaintToleration implements FilterPlugin, ScorePlugin {
    public static final String NAME = "TaintToleration";

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        for (Taint taint : node.taints()) {
            if (("NoSchedule".equals(taint.effect) || "NoExecute".equals(taint.effect)) && !tolerated(taint, pod.tolerations())) {
                return Status.unresolvable("node(s) had untolerated taint {" + taint.key + ": " + (taint.value == null ? "" : taint.value) + "}");
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_TAINTS_CHANGED);
    }

    @Override
    public int defaultWeight() {
        return 3;
    }

    /** The number of PreferNoSchedule taints not tolerated (by tolerations with no effect or PreferNoSchedule). */
    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        long count = 0;
        for (Taint taint : node.taints()) {
            if (!"PreferNoSchedule".equals(taint.effect)) {
                continue;
            }
            boolean ok = false;
            for (Toleration t : pod.tolerations()) {
                if ((t.effect == null || t.effect.isEmpty() || "PreferNoSchedule".equals(t.effect)) && t.tolerates(taint)) {
                    ok = true;
                    break;
                }
            }
            if (!ok) {
                count++;
            }
        }
        return count;
    }

    @Override
    public void normalizeScores(CycleState state, PodInfo pod, long[] scores) {
        ScorePlugin.normalize(scores, true);
    }

    private static boolean tolerated(Taint taint, List<Toleration> tolerations) {
        for (Toleration t : tolerations) {
            if (t.tolerates(taint)) {
                return true;
            }
        }
        return false;
    }
}
