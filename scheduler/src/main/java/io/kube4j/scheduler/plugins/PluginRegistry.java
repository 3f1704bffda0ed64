package io.kube4j.scheduler.plugins;

import io.kube4j.scheduler.framework.FilterPlugin;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.Plugin;
import io.kube4j.scheduler.framework.PodNominator;
import io.kube4j.scheduler.framework.PostFilterPlugin;
import io.kube4j.scheduler.framework.PreEnqueuePlugin;
import io.kube4j.scheduler.framework.PreFilterPlugin;
import io.kube4j.scheduler.framework.ScorePlugin;
import io.kube4j.scheduler.plugins.defaultpreemption.DefaultPreemption;
import io.kube4j.scheduler.plugins.interpodaffinity.InterPodAffinity;
import io.kube4j.scheduler.plugins.nodeaffinity.NodeAffinity;
import io.kube4j.scheduler.plugins.nodename.NodeName;
import io.kube4j.scheduler.plugins.nodeports.NodePorts;
import io.kube4j.scheduler.plugins.noderesources.BalancedAllocation;
import io.kube4j.scheduler.plugins.noderesources.LeastAllocated;
import io.kube4j.scheduler.plugins.noderesources.NodeResourcesFit;
import io.kube4j.scheduler.plugins.nodeunschedulable.NodeUnschedulable;
import io.kube4j.scheduler.plugins.podtopologyspread.PodTopologySpread;
import io.kube4j.scheduler.plugins.schedulinggates.SchedulingGates;
import io.kube4j.scheduler.plugins.tainttoleration.TaintToleration;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * The in-tree plugins and the default profile. Filters run cheapest and most selective first, so a
 * rejected node costs little; every plugin that scores gets its default weight unless configured
 * (weight 0 turns its scoring off).
 */
public final class PluginRegistry {
    private PluginRegistry() {
    }

    /** All plugins: the PreEnqueue ones, then the rest in filter order. */
    public static List<Plugin> defaultPlugins() {
        return List.of(new SchedulingGates(), new NodeUnschedulable(), new NodeName(), new TaintToleration(), new NodeAffinity(), new NodePorts(),
                new NodeResourcesFit(), new PodTopologySpread(), new InterPodAffinity(), new LeastAllocated(), new BalancedAllocation());
    }

    /** The names of the plugins that score (what a weight may be configured for). */
    public static Set<String> scorePluginNames() {
        Set<String> names = new TreeSet<>();
        for (Plugin p : defaultPlugins()) {
            if (p instanceof ScorePlugin) {
                names.add(p.name());
            }
        }
        return names;
    }

    /** The default framework with {@code weights} (by plugin name) overriding the default weights; no PostFilter, no nominations. */
    public static Framework defaultFramework(Map<String, Integer> weights) {
        return defaultFramework(weights, List.of(), PodNominator.NONE);
    }

    /**
     * The default framework with the given PostFilter plugins (in production: {@link DefaultPreemption}, which
     * needs the apiserver and informers, so the caller builds it) and the nominator whose nominated pods
     * filtering reserves room for.
     */
    public static Framework defaultFramework(Map<String, Integer> weights, List<PostFilterPlugin> postFilters, PodNominator nominator) {
        for (String name : weights.keySet()) {
            if (!scorePluginNames().contains(name)) {
                throw new IllegalArgumentException("kube4j.scheduler.weights: no score plugin named " + name + "; known: " + scorePluginNames());
            }
        }
        List<PreEnqueuePlugin> preEnqueues = new ArrayList<>();
        List<PreFilterPlugin> preFilters = new ArrayList<>();
        List<FilterPlugin> filters = new ArrayList<>();
        List<Framework.WeightedScorePlugin> scorers = new ArrayList<>();
        for (Plugin p : defaultPlugins()) {
            if (p instanceof PreEnqueuePlugin pe) {
                preEnqueues.add(pe);
            }
            if (p instanceof PreFilterPlugin pf) {
                preFilters.add(pf);
            }
            if (p instanceof FilterPlugin f) {
                filters.add(f);
            }
            if (p instanceof ScorePlugin s) {
                int weight = weights.getOrDefault(p.name(), s.defaultWeight());
                if (weight < 0) {
                    throw new IllegalArgumentException("kube4j.scheduler.weights." + p.name() + " must not be negative");
                }
                if (weight > 0) {
                    scorers.add(new Framework.WeightedScorePlugin(s, weight));
                }
            }
        }
        return new Framework(preEnqueues, preFilters, filters, postFilters, scorers, nominator);
    }
}
