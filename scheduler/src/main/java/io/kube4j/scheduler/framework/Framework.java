package io.kube4j.scheduler.framework;

import java.util.EnumSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.function.Function;
import java.util.stream.Collectors;

/**
 * The configured plugins, run at their extension points: PreEnqueue (by the queue, before a pod may be
 * scheduled at all), PreFilter once per pod, Filter per node until the first rejection (with the node's
 * nominated pods counted, see {@link #runFiltersWithNominatedPods}), PostFilter when no node fits, Score
 * per feasible node (normalized, weighted, summed). Kubernetes: {@code pkg/scheduler/framework/runtime/framework.go}.
 */
public final class Framework implements PostFilterPlugin.Handle {
    /** A score plugin with its weight. */
    public record WeightedScorePlugin(ScorePlugin plugin, int weight) {
    }

    /** Attributes rejections of pods whose spec could not be compiled. */
    public static final String INVALID_POD = "PodSpec";

    private final List<PreEnqueuePlugin> preEnqueues;
    private final List<PreFilterPlugin> preFilters;
    private final List<FilterPlugin> filters;
    private final List<WeightedScorePlugin> scorers;
    private final List<PostFilterPlugin> postFilters;
    private final PodNominator nominator;
    private final Map<String, FilterPlugin> filtersByName;

    /** A framework without PreEnqueue plugins (every pending pod may be scheduled). */
    public Framework(List<PreFilterPlugin> preFilters, List<FilterPlugin> filters, List<WeightedScorePlugin> scorers) {
        this(List.of(), preFilters, filters, scorers);
    }

    /** The plugins of each extension point, each list in the order they run; no PostFilter, no nominations. */
    public Framework(List<PreEnqueuePlugin> preEnqueues, List<PreFilterPlugin> preFilters, List<FilterPlugin> filters,
                     List<WeightedScorePlugin> scorers) {
        this(preEnqueues, preFilters, filters, List.of(), scorers, PodNominator.NONE);
    }

    /**
     * @param postFilters run in order when a pod fits nowhere
     * @param nominator   the nominated pods that filtering reserves room for (the scheduling queue's)
     */
    public Framework(List<PreEnqueuePlugin> preEnqueues, List<PreFilterPlugin> preFilters, List<FilterPlugin> filters,
                     List<PostFilterPlugin> postFilters, List<WeightedScorePlugin> scorers, PodNominator nominator) {
        this.preEnqueues = List.copyOf(preEnqueues);
        this.preFilters = List.copyOf(preFilters);
        this.filters = List.copyOf(filters);
        this.postFilters = List.copyOf(postFilters);
        this.scorers = List.copyOf(scorers);
        this.nominator = nominator;
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

    public List<PostFilterPlugin> postFilters() {
        return postFilters;
    }

    public boolean hasPostFilterPlugins() {
        return !postFilters.isEmpty();
    }

    @Override
    public PodNominator nominator() {
        return nominator;
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
        // a plain loop, no Supplier per plugin and node: this runs for hundreds of nodes per cycle
        for (int i = 0, n = filters.size(); i < n; i++) {
            FilterPlugin f = filters.get(i);
            Status s;
            try {
                s = f.filter(state, pod, node);
            } catch (RuntimeException e) {
                s = Status.error(f.name() + " failed: " + e);
            }
            if (s != null && !s.isSuccess()) {
                return s.by(f.name());
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Filter as Kubernetes' {@code RunFilterPluginsWithNominatedPods}: when pods of equal or higher priority
     * (other than {@code pod}) are nominated to the node, the filters run first with them added to copies
     * of the node and the state, and, if that passes, again without them. The pod must fit both ways:
     * it must not take room that preemption freed for a more important pod (resources, anti-affinity
     * count the nominated pods as running), nor rely on pods that may still go elsewhere (affinity).
     */
    @Override
    public Status runFiltersWithNominatedPods(CycleState state, PodInfo pod, NodeInfo node) {
        List<PodInfo> nominated = nominator.nominatedPodsForNode(node.name());
        if (!nominated.isEmpty()) {
            NodeInfo nodeOut = null;
            CycleState stateOut = null;
            for (PodInfo pi : nominated) {
                if (pi.priority() >= pod.priority() && !pi.key().equals(pod.key())) {
                    if (nodeOut == null) {
                        nodeOut = node.copy();
                        stateOut = state.copy();
                    }
                    nodeOut.addPod(pi);
                    Status s = runPreFilterExtensionAddPod(stateOut, pod, pi, nodeOut);
                    if (!s.isSuccess()) {
                        return s;
                    }
                }
            }
            if (nodeOut != null) {
                Status withNominated = runFilters(stateOut, pod, nodeOut);
                if (!withNominated.isSuccess()) {
                    return withNominated;
                }
            }
        }
        return runFilters(state, pod, node);
    }

    @Override
    public Status runPreFilterExtensionAddPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node) {
        for (PreFilterPlugin p : preFilters) {
            PreFilterExtensions ext = p.preFilterExtensions();
            if (ext == null) {
                continue;
            }
            Status s = runSafely(p, () -> ext.addPod(state, podToSchedule, podToAdd, node));
            if (!s.isSuccess()) {
                return Status.error("running AddPod on PreFilter plugin \"" + p.name() + "\": " + s.message()).by(p.name());
            }
        }
        return Status.SUCCESS;
    }

    @Override
    public Status runPreFilterExtensionRemovePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node) {
        for (PreFilterPlugin p : preFilters) {
            PreFilterExtensions ext = p.preFilterExtensions();
            if (ext == null) {
                continue;
            }
            Status s = runSafely(p, () -> ext.removePod(state, podToSchedule, podToRemove, node));
            if (!s.isSuccess()) {
                return Status.error("running RemovePod on PreFilter plugin \"" + p.name() + "\": " + s.message()).by(p.name());
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Runs the PostFilter plugins as Kubernetes' {@code RunPostFilterPlugins}: the first success, or the
     * first {@code UnschedulableAndUnresolvable}, or the first error ends the run; otherwise the result is
     * Unschedulable with every plugin's reasons and the last nomination a plugin asked for.
     */
    public PostFilterResult runPostFilters(CycleState state, PodInfo pod, Diagnosis diagnosis) {
        NominatingInfo nominating = NominatingInfo.NOOP;
        List<String> reasons = new java.util.ArrayList<>();
        String rejector = null;
        for (PostFilterPlugin p : postFilters) {
            PostFilterResult r;
            try {
                r = p.postFilter(this, state, pod, diagnosis);
            } catch (RuntimeException e) {
                return new PostFilterResult(Status.error(p.name() + " failed: " + e).by(p.name()), null);
            }
            Status s = r.status() == null ? Status.SUCCESS : r.status();
            if (s.isSuccess()) {
                return r;
            }
            if (s.code() == Status.Code.UNSCHEDULABLE_AND_UNRESOLVABLE) {
                return new PostFilterResult(s.by(p.name()), r.nominating());
            }
            if (!s.isRejection()) {
                return new PostFilterResult(s.by(p.name()), null);
            }
            if (r.nominating().isOverride()) {
                nominating = r.nominating();
            }
            reasons.addAll(s.reasons());
            if (rejector == null) {
                rejector = p.name();
            }
        }
        Status s = Status.unschedulable(reasons.toArray(String[]::new));
        return new PostFilterResult(rejector == null ? s : s.by(rejector), nominating);
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
