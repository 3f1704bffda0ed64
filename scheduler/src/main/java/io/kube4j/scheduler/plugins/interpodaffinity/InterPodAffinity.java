package io.kube4j.scheduler.plugins.interpodaffinity;

import io.kube4j.scheduler.framework.AffinityTerm;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.NodeInfo;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.PreFilterExtensions;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.framework.TopologyPair;

import java.util.EnumSet;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Pod affinity and anti-affinity by topology domain. PreFilter counts, per domain, the existing pods
 * that match the pod's required terms and the existing pods whose own required anti-affinity rejects
 * this pod; Filter then only looks up the node's domains. Preferred terms (both ways, plus existing
 * pods' required affinity at weight 1) score the domains, normalized to 0..100.
 */
public final class InterPodAffinity implements PreFilterPlugin, FilterPlugin, ScorePlugin {
    public static final String NAME = "InterPodAffinity";
    static final String AFFINITY_REASON = "node(s) didn't match pod affinity rules";
    static final String ANTI_AFFINITY_REASON = "node(s) didn't match pod anti-affinity rules";
    static final String EXISTING_ANTI_AFFINITY_REASON = "node(s) didn't satisfy existing pods anti-affinity rules";
    // existing pods' required affinity counts this much toward preferring their domain (Kubernetes' hardPodAffinityWeight)
    static final int HARD_POD_AFFINITY_WEIGHT = 1;
    private static final String PRE_FILTER = NAME + "/preFilter";
    private static final String PRE_SCORE = NAME + "/preScore";

    /**
     * Counts per domain computed once per cycle; preemption changes copies of them through
     * {@link #preFilterExtensions()}. A domain whose count drops to zero is removed, as Kubernetes does,
     * so "no matching pod anywhere" stays an empty map.
     */
    record Counts(Map<TopologyPair, Integer> existingAntiAffinity, Map<TopologyPair, Integer> affinity,
                  Map<TopologyPair, Integer> antiAffinity) implements CycleState.StateData {
        @Override
        public Counts copy() {
            return new Counts(new HashMap<>(existingAntiAffinity), new HashMap<>(affinity), new HashMap<>(antiAffinity));
        }

        /**
         * Counts {@code pod} on {@code node} once more ({@code delta} 1) or once less (-1), as Kubernetes'
         * {@code preFilterState.updateWithPod}: its required anti-affinity against the pod being scheduled,
         * and the pod being scheduled's required (anti-)affinity terms that select it.
         */
        void updateWithPod(PodInfo podToSchedule, PodInfo pod, NodeInfo node, int delta) {
            if (node.node() == null) {
                return;
            }
            for (AffinityTerm t : pod.requiredAntiAffinity()) {
                String value = node.labels().get(t.topologyKey());
                if (value != null && t.matches(podToSchedule)) {
                    update(existingAntiAffinity, new TopologyPair(t.topologyKey(), value), delta);
                }
            }
            count(podToSchedule.requiredAffinity(), pod, node, affinity, delta);
            count(podToSchedule.requiredAntiAffinity(), pod, node, antiAffinity, delta);
        }
    }

    private static void update(Map<TopologyPair, Integer> counts, TopologyPair pair, int delta) {
        int n = counts.getOrDefault(pair, 0) + delta;
        if (n == 0) {
            counts.remove(pair);
        } else {
            counts.put(pair, n);
        }
    }

    /** Keeps the PreFilter counts right while preemption simulates adding and removing pods. */
    @Override
    public PreFilterExtensions preFilterExtensions() {
        return new PreFilterExtensions() {
            @Override
            public Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
                return updateWithPod(state, podToSchedule, podToAdd, node, 1);
            }

            @Override
            public Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) {
                return updateWithPod(state, podToSchedule, podToRemove, node, -1);
            }
        };
    }

    private static Status updateWithPod(CycleState state, PodInfo podToSchedule, PodInfo pod, NodeInfo node, int delta) {
        Counts counts = state.read(PRE_FILTER);
        if (counts == null) {
            return Status.error("InterPodAffinity: PreFilter did not run");
        }
        counts.updateWithPod(podToSchedule, pod, node, delta);
        return Status.SUCCESS;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public int defaultWeight() {
        return 2;
    }

    @Override
    public Set<ClusterEvent> requeueOn() {
        return EnumSet.of(ClusterEvent.NODE_ADDED, ClusterEvent.NODE_LABELS_CHANGED, ClusterEvent.ASSIGNED_POD_ADDED,
                ClusterEvent.ASSIGNED_POD_LABELS_CHANGED, ClusterEvent.ASSIGNED_POD_REMOVED);
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod, Snapshot snapshot) {
        Map<TopologyPair, Integer> existingAnti = new HashMap<>();
        for (NodeInfo node : snapshot.nodesWithRequiredAntiAffinityPods()) {
            for (PodInfo existing : node.podsWithRequiredAntiAffinity()) {
                for (AffinityTerm t : existing.requiredAntiAffinity()) {
                    String value = node.labels().get(t.topologyKey());
                    if (value != null && t.matches(pod)) {
                        existingAnti.merge(new TopologyPair(t.topologyKey(), value), 1, Integer::sum);
                    }
                }
            }
        }
        Map<TopologyPair, Integer> affinity = new HashMap<>();
        Map<TopologyPair, Integer> anti = new HashMap<>();
        if (!pod.requiredAffinity().isEmpty() || !pod.requiredAntiAffinity().isEmpty()) {
            for (NodeInfo node : snapshot.nodes()) {
                for (PodInfo existing : node.pods()) {
                    count(pod.requiredAffinity(), existing, node, affinity, 1);
                    count(pod.requiredAntiAffinity(), existing, node, anti, 1);
                }
            }
        }
        state.write(PRE_FILTER, new Counts(existingAnti, affinity, anti));
        return Status.SUCCESS;
    }

    private static void count(List<AffinityTerm> terms, PodInfo existing, NodeInfo node, Map<TopologyPair, Integer> into, int delta) {
        for (AffinityTerm t : terms) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(existing)) {
                update(into, new TopologyPair(t.topologyKey(), value), delta);
            }
        }
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.read(PRE_FILTER);
        if (counts == null) {
            return Status.error("InterPodAffinity: PreFilter did not run");
        }
        Map<String, String> labels = node.labels();
        if (!counts.existingAntiAffinity().isEmpty()) {
            for (Map.Entry<String, String> l : labels.entrySet()) {
                if (counts.existingAntiAffinity().getOrDefault(new TopologyPair(l.getKey(), l.getValue()), 0) > 0) {
                    return Status.unschedulable(EXISTING_ANTI_AFFINITY_REASON);
                }
            }
        }
        for (AffinityTerm t : pod.requiredAntiAffinity()) {
            String value = labels.get(t.topologyKey());
            if (value != null && counts.antiAffinity().getOrDefault(new TopologyPair(t.topologyKey(), value), 0) > 0) {
                return Status.unschedulable(ANTI_AFFINITY_REASON);
            }
        }
        if (!pod.requiredAffinity().isEmpty() && !satisfiesAffinity(pod, labels, counts.affinity())) {
            return Status.unresolvable(AFFINITY_REASON);
        }
        return Status.SUCCESS;
    }

    private static boolean satisfiesAffinity(PodInfo pod, Map<String, String> labels, Map<TopologyPair, Integer> affinity) {
        boolean podsExist = true;
        for (AffinityTerm t : pod.requiredAffinity()) {
            String value = labels.get(t.topologyKey());
            if (value == null) {
                return false;
            }
            if (affinity.getOrDefault(new TopologyPair(t.topologyKey(), value), 0) <= 0) {
                podsExist = false;
            }
        }
        if (podsExist) {
            return true;
        }
        // the first pod of a group that selects itself may go anywhere, or the group could never start
        if (affinity.isEmpty()) {
            for (AffinityTerm t : pod.requiredAffinity()) {
                if (!t.matches(pod)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    @Override
    public void preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        Map<TopologyPair, Long> scores = new HashMap<>();
        boolean incomingPreferences = !pod.preferredAffinity().isEmpty() || !pod.preferredAntiAffinity().isEmpty();
        // with no preferences of its own, only existing pods that have (anti-)affinity can matter
        List<NodeInfo> candidates = incomingPreferences ? state.snapshot().nodes() : state.snapshot().nodesWithAffinityPods();
        for (NodeInfo node : candidates) {
            List<PodInfo> pods = incomingPreferences ? node.pods() : node.podsWithAffinity();
            for (PodInfo existing : pods) {
                add(scores, node, pod.preferredAffinity(), existing, 1, false);
                add(scores, node, pod.preferredAntiAffinity(), existing, -1, false);
                add(scores, node, existing.requiredAffinity(), pod, HARD_POD_AFFINITY_WEIGHT, true);
                add(scores, node, existing.preferredAffinity(), pod, 1, false);
                add(scores, node, existing.preferredAntiAffinity(), pod, -1, false);
            }
        }
        state.write(PRE_SCORE, scores);
    }

    private static void add(Map<TopologyPair, Long> scores, NodeInfo node, List<AffinityTerm> terms, PodInfo matched, long sign, boolean fixedWeight) {
        for (AffinityTerm t : terms) {
            String value = node.labels().get(t.topologyKey());
            if (value != null && t.matches(matched)) {
                scores.merge(new TopologyPair(t.topologyKey(), value), sign * (fixedWeight ? 1 : t.weight()), Long::sum);
            }
        }
    }

    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        Map<TopologyPair, Long> scores = state.read(PRE_SCORE);
        if (scores == null || scores.isEmpty()) {
            return 0;
        }
        long total = 0;
        for (Map.Entry<TopologyPair, Long> e : scores.entrySet()) {
            if (e.getKey().value().equals(node.labels().get(e.getKey().key()))) {
                total += e.getValue();
            }
        }
        return total;
    }

    /** Scales scores (which may be negative) linearly onto 0..100; all equal means 0 everywhere. */
    @Override
    public void normalizeScores(CycleState state, PodInfo pod, long[] scores) {
        if (scores.length == 0) {
            return;
        }
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long s : scores) {
            min = Math.min(min, s);
            max = Math.max(max, s);
        }
        for (int i = 0; i < scores.length; i++) {
            scores[i] = max == min ? 0 : MAX_SCORE * (scores[i] - min) / (max - min);
        }
    }
}
