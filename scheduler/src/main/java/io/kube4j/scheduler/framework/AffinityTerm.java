package io.kube4j.scheduler.framework;

import io.kube4j.api.Affinity;
import io.kube4j.labels.Selector;

import java.util.Set;

/**
 * A compiled pod (anti-)affinity term: which pods it selects (label selector and namespaces) and the
 * node label that defines a topology domain.
 *
 * @param selector    the label selector (a missing selector selects nothing, as in Kubernetes)
 * @param namespaces  the namespaces whose pods count; null means every namespace
 * @param topologyKey the node label whose value is the domain (kubernetes.io/hostname, zone, ...)
 * @param weight      the preference weight (required terms: 0)
 */
public record AffinityTerm(Selector selector, Set<String> namespaces, String topologyKey, int weight) {

    /**
     * Compiles {@code term} as seen from a pod in {@code ownNamespace}: no namespaces and no
     * namespaceSelector mean the pod's own namespace; an empty namespaceSelector means all.
     * A non-empty namespaceSelector would need namespace labels, which the scheduler does not watch:
     * only the listed namespaces count then (documented gap).
     */
    public static AffinityTerm of(Affinity.PodAffinityTerm term, String ownNamespace, int weight) {
        if (term.topologyKey == null || term.topologyKey.isEmpty()) {
            throw new IllegalArgumentException("pod affinity term without topologyKey");
        }
        Set<String> namespaces;
        boolean allNamespaces = term.namespaceSelector != null
                && term.namespaceSelector.matchLabels.isEmpty() && term.namespaceSelector.matchExpressions.isEmpty();
        if (allNamespaces) {
            namespaces = null;
        } else if (term.namespaces != null && !term.namespaces.isEmpty()) {
            namespaces = Set.copyOf(term.namespaces);
        } else {
            namespaces = Set.of(ownNamespace == null ? "default" : ownNamespace);
        }
        return new AffinityTerm(Selector.from(term.labelSelector), namespaces, term.topologyKey, weight);
    }

    /** Whether this term selects {@code pod}. */
    public boolean matches(PodInfo pod) {
        return (namespaces == null || namespaces.contains(pod.namespace())) && selector.matches(pod.labels());
    }
}
