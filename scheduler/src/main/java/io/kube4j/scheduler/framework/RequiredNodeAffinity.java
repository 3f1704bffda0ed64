package io.kube4j.scheduler.framework;

import io.kube4j.api.Affinity;
import io.kube4j.labels.Selector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * A pod's hard node constraints compiled once: {@code spec.nodeSelector} AND (any of the required
 * node affinity terms). Shared by the NodeAffinity filter and PodTopologySpread (which counts only
 * nodes the pod could go to).
 */
public final class RequiredNodeAffinity {
    /** Matches every node. */
    public static final RequiredNodeAffinity NONE = new RequiredNodeAffinity(null, null);

    private final Selector nodeSelector;
    // null: no required affinity; else the node must match at least one term
    private final List<NodeSelectorTerm> terms;

    private RequiredNodeAffinity(Selector nodeSelector, List<NodeSelectorTerm> terms) {
        this.nodeSelector = nodeSelector;
        this.terms = terms;
    }

    /** One compiled node selector term: label requirements plus metadata.name requirements. */
    public record NodeSelectorTerm(List<Selector.Requirement> labels, List<Selector.Requirement> fields) {
        /** A term with no requirement at all matches no node (as Kubernetes). */
        public boolean matches(String nodeName, Map<String, String> nodeLabels) {
            if (labels.isEmpty() && fields.isEmpty()) {
                return false;
            }
            for (Selector.Requirement r : labels) {
                if (!r.matches(nodeLabels)) {
                    return false;
                }
            }
            for (Selector.Requirement r : fields) {
                if (!r.matches(Map.of("metadata.name", nodeName == null ? "" : nodeName))) {
                    return false;
                }
            }
            return true;
        }

        /** Compiles a term; throws IllegalArgumentException on an unknown operator or bad Gt/Lt value. */
        public static NodeSelectorTerm of(Affinity.NodeSelectorTerm term) {
            List<Selector.Requirement> labels = new ArrayList<>();
            for (Affinity.NodeSelectorRequirement r : term.matchExpressions) {
                labels.add(requirement(r));
            }
            List<Selector.Requirement> fields = new ArrayList<>();
            for (Affinity.NodeSelectorRequirement r : term.matchFields) {
                if (!"metadata.name".equals(r.key)) {
                    throw new IllegalArgumentException("matchFields supports only metadata.name, not " + r.key);
                }
                fields.add(requirement(r));
            }
            return new NodeSelectorTerm(labels, fields);
        }
    }

    /** Compiles the pod's nodeSelector and required node affinity; throws IllegalArgumentException if malformed. */
    public static RequiredNodeAffinity of(Map<String, String> nodeSelector, Affinity affinity) {
        Selector selector = nodeSelector == null || nodeSelector.isEmpty() ? null : Selector.of(nodeSelector);
        List<NodeSelectorTerm> terms = null;
        if (affinity != null && affinity.nodeAffinity != null && affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution != null) {
            terms = new ArrayList<>();
            for (Affinity.NodeSelectorTerm t : affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms) {
                terms.add(NodeSelectorTerm.of(t));
            }
        }
        return selector == null && terms == null ? NONE : new RequiredNodeAffinity(selector, terms);
    }

    public boolean matches(String nodeName, Map<String, String> nodeLabels) {
        if (nodeSelector != null && !nodeSelector.matches(nodeLabels)) {
            return false;
        }
        if (terms == null) {
            return true;
        }
        for (NodeSelectorTerm t : terms) {
            if (t.matches(nodeName, nodeLabels)) {
                return true;
            }
        }
        return false;
    }

    public boolean matches(NodeInfo node) {
        return this == NONE || matches(node.name(), node.labels());
    }

    static Selector.Requirement requirement(Affinity.NodeSelectorRequirement r) {
        List<String> values = r.values == null ? List.of() : r.values;
        Selector.Operator op = switch (r.operator == null ? "" : r.operator) {
            case "In" -> Selector.Operator.IN;
            case "NotIn" -> Selector.Operator.NOT_IN;
            case "Exists" -> Selector.Operator.EXISTS;
            case "DoesNotExist" -> Selector.Operator.DOES_NOT_EXIST;
            case "Gt" -> Selector.Operator.GT;
            case "Lt" -> Selector.Operator.LT;
            default -> throw new IllegalArgumentException("\"" + r.operator + "\" is not a valid node selector operator");
        };
        if ((op == Selector.Operator.IN || op == Selector.Operator.NOT_IN) && values.isEmpty()) {
            throw new IllegalArgumentException("node selector operator " + r.operator + " needs values");
        }
        if (op == Selector.Operator.GT || op == Selector.Operator.LT) {
            if (values.size() != 1) {
                throw new IllegalArgumentException("node selector operator " + r.operator + " needs exactly one value");
            }
            try {
                Long.parseLong(values.getFirst());
            } catch (NumberFormatException e) {
                throw new IllegalArgumentException("node selector operator " + r.operator + " needs an integer, not " + values.getFirst());
            }
        }
        return new Selector.Requirement(r.key, op, Set.copyOf(new TreeSet<>(values)));
    }
}
