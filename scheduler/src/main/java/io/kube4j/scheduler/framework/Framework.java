package io.kube4j.scheduler.framework;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The configured plugins, run at their extension points: PreEnqueue (by the queue, before a pod may be
 * scheduled at all), PreFilter once per pod, Filter per node until the first rejection, Score per
 * feasible node (normalized, weighted, summed).
 */
public final class Framework {
    /** A score plugin with its weight. */
    public record WeightedScorePlugin(ScorePlugin plugin, int weight) {
    }

    /** Attributes rejections of pods whose spec could not be compiled. */
    public static final String INVALID_POD = "PodSpec";

    private final List<PreEnqueuePlugin> preEnqueues;
    private final List<PreFilterPlugin> preFilters;
    private final List<FilterPlugin> filters;
    private final List<WeightedScorePlugin> scorers;
    private final Map<String, FilterPlugin> filtersByName;

    /** A framework without PreEnqueue plugins (every pending pod may be scheduled). */
    public Framework(List<PreFilterPlugin> preFilters, List<FilterPlugin> filters, List<WeightedScorePlugin> scorers) {
        this(List.of(), preFilters, filters, scorers);
    }

    /** The plugins of each extension point, each list in the order they run. */
    public Framework(List<PreEnqueuePlugin> preEnqueues, List<PreFilterPlugin> preFilters, List<FilterPlugin> filters,
                     List<WeightedScorePlugin> scorers) {
        this.preEnqueues = List.copyOf(preEnqueues);
        this.preFilters = List.copyOf(preFilters);
        this.filters = List.copyOf(filters);
        this.scorers = List.copyOf(scorers);
        this.filtersByName = filters.stream().collect(Collectors.toMap(Plugin::name, Function.identity()));
    }

    /** The plugins the scheduling queue asks before a pod may leave the gated part (see {@link PreEnqueuePlugin}). */
    public List<PreEnqueuePlugin> preEnqueuePlugins() {
        return preEnqueues;
    }

    public List<FilterPlugin> filters() {
        return filters;
    }

    public List<WeightedScorePlugin> scorers() {
        return scorers;
    }

    /** Runs every PreFilter; the first non-success (attributed to its plugin) rejects the pod everywhere. */
    public Status runPreFilters(CycleState state, PodInfo pod, Snapshot snapshot) {
        if (pod.invalidReason() != null) {
            return Status.unresolvable("invalid pod spec: " + pod.invalidReason()).by(INVALID_POD);
        }
        for (PreFilterPlugin p : preFilters) {
            Status s = runSafely(p, () -> p.preFilter(state, pod, snapshot));
            if (!s.isSuccess()) {
                return s.by(p.name());
            }
        }
        return Status.SUCCESS;
    }

    /** Runs the filters on one node; returns the first rejection (attributed to its plugin) or success. */
    public Status runFilters(CycleState state, PodInfo pod, NodeInfo node) {
        for (FilterPlugin f : filters) {
            Status s = runSafely(f, () -> f.filter(state, pod, node));
            if (!s.isSuccess()) {
                return s.by(f.name());
            }
        }
        return Status.SUCCESS;
    }

    /** The weighted total score of each node (in the order given). */
    public long[] runScores(CycleState state, PodInfo pod, List<NodeInfo> nodes) {
        long[] total = new long[nodes.size()];
        long[] scores = new long[nodes.size()];
        for (WeightedScorePlugin w : scorers) {
            ScorePlugin p = w.plugin();
            p.preScore(state, pod, nodes);
            for (int i = 0; i < scores.length; i++) {
                scores[i] = p.score(state, pod, nodes.get(i));
            }
            p.normalizeScores(state, pod, scores);
            for (int i = 0; i < scores.length; i++) {
                total[i] += Math.clamp(scores[i], 0, ScorePlugin.MAX_SCORE) * w.weight();
            }
        }
        return total;
    }

    /** The events that may make a pod fit again that the named plugins rejected (any event for unknown ones). */
    public Set<ClusterEvent> requeueEvents(Set<String> rejectingPlugins) {
        Set<ClusterEvent> events = EnumSet.noneOf(ClusterEvent.class);
        for (String name : rejectingPlugins) {
            FilterPlugin f = filtersByName.get(name);
            if (f == null) {
                return EnumSet.allOf(ClusterEvent.class);
            }
            events.addAll(f.requeueOn());
        }
        return events;
    }

    // a plugin bug must reject the pod with an error, not kill the scheduling loop
    private static Status runSafely(Plugin p, java.util.function.Supplier<Status> call) {
        try {
            Status s = call.get();
            return s == null ? Status.SUCCESS : s;
        } catch (RuntimeException e) {
            return Status.error(p.name() + " failed: " + e);
        }
    }
}
