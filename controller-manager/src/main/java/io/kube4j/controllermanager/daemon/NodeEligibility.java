package io.kube4j.controllermanager.daemon;

import io.kube4j.api.Affinity;
import io.kube4j.api.DaemonSet;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.labels.Selector;

import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;

/**
 * Whether a DaemonSet's pod belongs on a node (Kubernetes' {@code NodeShouldRunDaemonPod} and
 * {@code predicates} in {@code pkg/controller/daemon/daemon_controller.go}): the template's nodeName
 * (if any) must be the node, its nodeSelector and required node affinity must match the node, and
 * every NoSchedule/NoExecute taint must be tolerated by the pod with the daemon tolerations added.
 * A pod already there may stay while only NoSchedule taints are untolerated.
 *
 * <p>The node affinity check is written here rather than shared with the scheduler module (its
 * {@code RequiredNodeAffinity} lives in the scheduler's framework package); the rules are
 * component-helpers' {@code nodeaffinity.GetRequiredNodeAffinity(pod).Match(node)}.
 */
final class NodeEligibility {
    private NodeEligibility() {
    }

    /**
     * @param shouldRun             a daemon pod should be created on the node
     * @param shouldContinueRunning a daemon pod already on the node may stay
     */
    record Decision(boolean shouldRun, boolean shouldContinueRunning) {
    }

    static Decision of(Node node, DaemonSet ds) {
        Pod pod = DaemonPods.newPod(ds, node.metadata.name);
        String templateNodeName = ds.spec.template == null ? null : ds.spec.template.spec.nodeName;
        if (templateNodeName != null && !templateNodeName.isEmpty() && !templateNodeName.equals(node.metadata.name)) {
            return new Decision(false, false);
        }
        boolean fitsNodeName = pod.spec.nodeName == null || pod.spec.nodeName.isEmpty() || pod.spec.nodeName.equals(node.metadata.name);
        if (!fitsNodeName || !matchesRequiredNodeAffinity(pod, node)) {
            return new Decision(false, false);
        }
        List<Taint> taints = node.spec.taints;
        if (untoleratedTaint(taints, pod.spec.tolerations, t -> "NoExecute".equals(t.effect) || "NoSchedule".equals(t.effect))) {
            // scheduled daemon pods may stay as long as they tolerate every NoExecute taint
            return new Decision(false, !untoleratedTaint(taints, pod.spec.tolerations, t -> "NoExecute".equals(t.effect)));
        }
        return new Decision(true, true);
    }

    /** v1helper.FindMatchingUntoleratedTaint: whether a taint passing {@code filter} is tolerated by none of the tolerations. */
    static boolean untoleratedTaint(List<Taint> taints, List<Toleration> tolerations, Predicate<Taint> filter) {
        for (Taint taint : taints) {
            if (!filter.test(taint)) {
                continue;
            }
            boolean tolerated = false;
            for (Toleration t : tolerations) {
                if (t.tolerates(taint)) {
                    tolerated = true;
                    break;
                }
            }
            if (!tolerated) {
                return true;
            }
        }
        return false;
    }

    /**
     * The pod's nodeSelector (every label) and, if set, its required node affinity (any term; a term
     * with no requirement, or one that does not parse, matches nothing) against the node.
     */
    static boolean matchesRequiredNodeAffinity(Pod pod, Node node) {
        Map<String, String> labels = node.metadata.labels;
        if (pod.spec.nodeSelector != null && !pod.spec.nodeSelector.isEmpty() && !Selector.of(pod.spec.nodeSelector).matches(labels)) {
            return false;
        }
        Affinity a = pod.spec.affinity;
        if (a == null || a.nodeAffinity == null || a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution == null) {
            return true;
        }
        for (Affinity.NodeSelectorTerm term : a.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms) {
            if (termMatches(term, node)) {
                return true;
            }
        }
        return false;
    }

    private static boolean termMatches(Affinity.NodeSelectorTerm term, Node node) {
        if (term.matchExpressions.isEmpty() && term.matchFields.isEmpty()) {
            return false;
        }
        try {
            for (Affinity.NodeSelectorRequirement r : term.matchExpressions) {
                if (!requirement(r).matches(node.metadata.labels)) {
                    return false;
                }
            }
            for (Affinity.NodeSelectorRequirement r : term.matchFields) {
                if (!DaemonPods.OBJECT_NAME_FIELD.equals(r.key)) {
                    return false;
                }
                if (!requirement(r).matches(Map.of(DaemonPods.OBJECT_NAME_FIELD, node.metadata.name))) {
                    return false;
                }
            }
        } catch (IllegalArgumentException e) {
            // Kubernetes ignores parse errors here "for backwards compatibility": the term just does not match
            return false;
        }
        return true;
    }

    private static Selector.Requirement requirement(Affinity.NodeSelectorRequirement r) {
        List<String> values = r.values == null ? List.of() : r.values;
        Selector.Operator op = switch (r.operator == null ? "" : r.operator) {
            case "In" -> Selector.Operator.IN;
            case "NotIn" -> Selector.Operator.NOT_IN;
            case "Exists" -> Selector.Operator.EXISTS;
            case "DoesNotExist" -> Selector.Operator.DOES_NOT_EXIST;
            case "Gt" -> Selector.Operator.GT;
            case "Lt" -> Selector.Operator.LT;
            default -> throw new IllegalArgumentException("not a valid node selector operator: " + r.operator);
        };
        if ((op == Selector.Operator.GT || op == Selector.Operator.LT)) {
            if (values.size() != 1) {
                throw new IllegalArgumentException("Gt/Lt need exactly one value");
            }
            Long.parseLong(values.getFirst());
        }
        if ((op == Selector.Operator.IN || op == Selector.Operator.NOT_IN) && values.isEmpty()) {
            throw new IllegalArgumentException("In/NotIn need values");
        }
        Set<String> set = new TreeSet<>(values);
        return new Selector.Requirement(r.key, op, set);
    }
}
