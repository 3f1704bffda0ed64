package io.kube4j.scheduler.plugins.podtopologyspread;

import io.kube4j.api.TopologySpreadConstraint;
import io.kube4j.labels.Selector;
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

import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Topology spread constraints: matching pods (same namespace, selected by the constraint) are counted
 * per domain over the nodes the pod may go to (its node selector and required affinity honoured, all
 * constraint keys present). {@code DoNotSchedule} filters: placing the pod must not make its domain
 * exceed the emptiest domain by more than maxSkew. {@code ScheduleAnyway} scores: fewer matching pods
 * in the node's domains score higher.
 */
public final class PodTopologySpread implements PreFilterPlugin, FilterPlugin, ScorePlugin {
    public static final String NAME = "PodTopologySpread";
    static final String REASON = "node(s) didn't match pod topology spread constraints";
    static final String MISSING_LABEL_REASON = "node(s) didn't match pod topology spread constraints (missing required label)";
    private static final String PRE_FILTER = NAME + "/preFilter";
    private static final String PRE_SCORE = NAME + "/preScore";

    /** A compiled constraint. */
    record Constraint(String topologyKey, int maxSkew, Selector selector, int minDomains) {
        static Constraint of(TopologySpreadConstraint c) {
            if (c.topologyKey == null || c.topologyKey.isEmpty()) {
                throw new IllegalArgumentException("topology spread constraint without topologyKey");
            }
            return new Constraint(c.topologyKey, Math.max(1, c.maxSkew), Selector.from(c.labelSelector),
                    c.minDomains == null ? 1 : Math.max(1, c.minDomains));
        }
    }

    /**
     * Counts per domain of each constraint, plus the minimum per constraint; preemption changes copies of
     * them through {@link #preFilterExtensions()}.
     */
    record Counts(List<Constraint> constraints, Map<TopologyPair, Integer> perDomain, int[] minMatch, int[] domains)
            implements CycleState.StateData {
        @Override
        public Counts copy() {
            return new Counts(constraints, new HashMap<>(perDomain), minMatch.clone(), domains.clone());
        }

        /**
         * Counts {@code pod} on {@code node} once more ({@code delta} 1) or once less (-1), as Kubernetes'
         * {@code preFilterState.updateWithPod}: only a pod of the same namespace, on a node the pod being
         * scheduled may go to, in the domains of the constraints that select it. Terminating pods are
         * skipped because PreFilter did not count them either.
         */
        void updateWithPod(PodInfo podToSchedule, PodInfo pod, NodeInfo node, int delta) {
            if (node.node() == null || pod.pod().metadata.deletionTimestamp != null
                    || podToSchedule.namespace() == null || !podToSchedule.namespace().equals(pod.namespace())
                    || !eligible(podToSchedule, constraints, node)) {
                return;
            }
            for (int i = 0; i < constraints.size(); i++) {
                Constraint c = constraints.get(i);
                if (!c.selector().matches(pod.labels())) {
                    continue;
                }
                perDomain.merge(new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey())), delta, Integer::sum);
                int m = Integer.MAX_VALUE;
                for (Map.Entry<TopologyPair, Integer> e : perDomain.entrySet()) {
                    if (e.getKey().key().equals(c.topologyKey())) {
                        m = Math.min(m, e.getValue());
                    }
                }
                minMatch[i] = m == Integer.MAX_VALUE ? 0 : m;
            }
        }
    }

    /** Keeps the PreFilter counts right while preemption simulates adding and removing pods. */
    @Override
    public PreFilterExtensions preFilterExtensions() {
        return new PreFilterExtensions() {
            @Override
            public Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
                Counts counts = state.read(PRE_FILTER);
                if (counts != null) {
                    counts.updateWithPod(podToSchedule, podToAdd, node, 1);
                }
                return Status.SUCCESS;
            }

            @Override
            public Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) {
                Counts counts = state.read(PRE_FILTER);
                if (counts != null) {
                    counts.updateWithPod(podToSchedule, podToRemove, node, -1);
                }
                return Status.SUCCESS;
            }
        };
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

    static List<Constraint> constraints(PodInfo pod, String whenUnsatisfiable) {
        List<TopologySpreadConstraint> all = pod.pod().spec.topologySpreadConstraints;
        if (all == null || all.isEmpty()) {
            return List.of();
        }
        List<Constraint> out = new ArrayList<>();
        for (TopologySpreadConstraint c : all) {
            String mode = c.whenUnsatisfiable == null ? "DoNotSchedule" : c.whenUnsatisfiable;
            if (mode.equals(whenUnsatisfiable)) {
                out.add(Constraint.of(c));
            }
        }
        return out;
    }

    /** Counts matching pods per domain over the nodes eligible for {@code pod}. */
    static Counts count(PodInfo pod, List<Constraint> constraints, List<NodeInfo> nodes) {
        Map<TopologyPair, Integer> perDomain = new HashMap<>();
        for (NodeInfo node : nodes) {
            if (!eligible(pod, constraints, node)) {
                continue;
            }
            for (Constraint c : constraints) {
                TopologyPair pair = new TopologyPair(c.topologyKey(), node.labels().get(c.topologyKey()));
                int matching = 0;
                for (PodInfo existing : node.pods()) {
                    if (existing.pod().metadata.deletionTimestamp == null
                            && pod.namespace() != null && pod.namespace().equals(existing.namespace())
                            && c.selector().matches(existing.labels())) {
                        matching++;
                    }
                }
                perDomain.merge(pair, matching, Integer::sum);
            }
        }
        int[] min = new int[constraints.size()];
        int[] domains = new int[constraints.size()];
        for (int i = 0; i < constraints.size(); i++) {
            String key = constraints.get(i).topologyKey();
            int m = Integer.MAX_VALUE;
            for (Map.Entry<TopologyPair, Integer> e : perDomain.entrySet()) {
                if (e.getKey().key().equals(key)) {
                    m = Math.min(m, e.getValue());
                    domains[i]++;
                }
            }
            min[i] = m == Integer.MAX_VALUE ? 0 : m;
        }
        return new Counts(constraints, perDomain, min, domains);
    }

    private static boolean eligible(PodInfo pod, List<Constraint> constraints, NodeInfo node) {
        if (!pod.requiredNodeAffinity().matches(node)) {
            return false;
        }
        for (Constraint c : constraints) {
            if (!node.labels().containsKey(c.topologyKey())) {
                return false;
            }
        }
        return true;
    }

    @Override
    public Status preFilter(CycleState state, PodInfo pod, Snapshot snapshot) {
        List<Constraint> hard;
        try {
            hard = constraints(pod, "DoNotSchedule");
        } catch (IllegalArgumentException e) {
            return Status.unresolvable("invalid topology spread constraint: " + e.getMessage());
        }
        state.write(PRE_FILTER, hard.isEmpty() ? null : count(pod, hard, snapshot.nodes()));
        return Status.SUCCESS;
    }

    @Override
    public Status filter(CycleState state, PodInfo pod, NodeInfo node) {
        Counts counts = state.read(PRE_FILTER);
        if (counts == null) {
            return Status.SUCCESS;
        }
        for (int i = 0; i < counts.constraints().size(); i++) {
            Constraint c = counts.constraints().get(i);
            String value = node.labels().get(c.topologyKey());
            if (value == null) {
                return Status.unresolvable(MISSING_LABEL_REASON);
            }
            int self = c.selector().matches(pod.labels()) ? 1 : 0;
            int matching = counts.perDomain().getOrDefault(new TopologyPair(c.topologyKey(), value), 0);
            // with fewer domains than minDomains the global minimum is taken as 0
            int min = counts.domains()[i] < c.minDomains() ? 0 : counts.minMatch()[i];
            if (matching + self - min > c.maxSkew()) {
                return Status.unschedulable(REASON);
            }
        }
        return Status.SUCCESS;
    }

    /** Scoring state: the soft constraints, their counts, and a weight per constraint. */
    record ScoreState(Counts counts, double[] weights) {
    }

    @Override
    public void preScore(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        List<Constraint> soft;
        try {
            soft = constraints(pod, "ScheduleAnyway");
        } catch (IllegalArgumentException e) {
            soft = List.of();
        }
        if (soft.isEmpty()) {
            state.write(PRE_SCORE, null);
            return;
        }
        Counts counts = count(pod, soft, state.snapshot().nodes());
        double[] weights = new double[soft.size()];
        for (int i = 0; i < soft.size(); i++) {
            // constraints over more domains weigh more (Kubernetes: log(size + 2)), counted on the candidates
            Set<String> values = new HashSet<>();
            for (NodeInfo n : nodes) {
                String v = n.labels().get(soft.get(i).topologyKey());
                if (v != null) {
                    values.add(v);
                }
            }
            weights[i] = Math.log(values.size() + 2);
        }
        state.write(PRE_SCORE, new ScoreState(counts, weights));
    }

    /** The weighted number of matching pods in the node's domains; -1 for a node missing a key. */
    @Override
    public long score(CycleState state, PodInfo pod, NodeInfo node) {
        ScoreState s = state.read(PRE_SCORE);
        if (s == null) {
            return 0;
        }
        double total = 0;
        List<Constraint> cs = s.counts().constraints();
        for (int i = 0; i < cs.size(); i++) {
            String value = node.labels().get(cs.get(i).topologyKey());
            if (value == null) {
                return -1;
            }
            total += s.counts().perDomain().getOrDefault(new TopologyPair(cs.get(i).topologyKey(), value), 0) * s.weights()[i];
        }
        return Math.round(total);
    }

    /** Fewest matching pods scores MAX_SCORE (Kubernetes' formula); nodes missing a key score 0. */
    @Override
    public void normalizeScores(CycleState state, PodInfo pod, long[] scores) {
        if (state.read(PRE_SCORE) == null) {
            return;
        }
        long min = Long.MAX_VALUE, max = Long.MIN_VALUE;
        for (long s : scores) {
            if (s >= 0) {
                min = Math.min(min, s);
                max = Math.max(max, s);
            }
        }
        for (int i = 0; i < scores.length; i++) {
            if (scores[i] < 0) {
                scores[i] = 0;
            } else if (max == 0) {
                scores[i] = MAX_SCORE;
            } else {
                scores[i] = MAX_SCORE * (max + min - scores[i]) / max;
            }
        }
    }
}
