package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** Node affinity, pod affinity and pod anti-affinity. */
public class Affinity {
    public NodeAffinity nodeAffinity;
    public PodAffinity podAffinity;
    public PodAffinity podAntiAffinity;

    /** Required and preferred node selector terms. */
    public static class NodeAffinity {
        public NodeSelector requiredDuringSchedulingIgnoredDuringExecution;
        public List<PreferredSchedulingTerm> preferredDuringSchedulingIgnoredDuringExecution = new ArrayList<>();
    }

    /** A node selector: the node must match at least one term. */
    public static class NodeSelector {
        public List<NodeSelectorTerm> nodeSelectorTerms = new ArrayList<>();
    }

    /** A term: every expression must match. */
    public static class NodeSelectorTerm {
        public List<NodeSelectorRequirement> matchExpressions = new ArrayList<>();
        public List<NodeSelectorRequirement> matchFields = new ArrayList<>();
    }

    /** key In/NotIn/Exists/DoesNotExist/Gt/Lt values. */
    public static class NodeSelectorRequirement {
        public String key;
        public String operator;
        public List<String> values = new ArrayList<>();
    }

    /** A weighted preferred node selector term. */
    public static class PreferredSchedulingTerm {
        public int weight;
        public NodeSelectorTerm preference;
    }

    /** Pod (anti-)affinity: required and preferred terms. */
    public static class PodAffinity {
        public List<PodAffinityTerm> requiredDuringSchedulingIgnoredDuringExecution = new ArrayList<>();
        public List<WeightedPodAffinityTerm> preferredDuringSchedulingIgnoredDuringExecution = new ArrayList<>();
    }

    /** Pods matching labelSelector in namespaces, counted per topologyKey domain. */
    public static class PodAffinityTerm {
        public LabelSelector labelSelector;
        public List<String> namespaces = new ArrayList<>();
        public String topologyKey;
        public LabelSelector namespaceSelector;
    }

    /** A weighted pod affinity term. */
    public static class WeightedPodAffinityTerm {
        public int weight;
        public PodAffinityTerm podAffinityTerm;
    }
}
