package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.ObjectReference;

import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;

/**
 * A set of slice endpoints keyed by what identifies an endpoint: its (sorted) addresses, hostname and
 * target's namespace/name. Conditions, node and zone are not part of the key, so a change to them is
 * an in-place update of the endpoint rather than a removal and an addition. Kubernetes:
 * {@code staging/src/k8s.io/endpointslice/util/endpointset.go}. Unlike Go's map, iteration follows
 * insertion order, so {@link #popAny()} is deterministic (callers insert in a sorted order).
 */
final class EndpointSet {
    /** The identity of an endpoint (Kubernetes' {@code endpointHashObj}). */
    record Key(List<String> addresses, String hostname, String namespace, String name) {
    }

    private final Map<Key, EndpointSlice.Endpoint> items = new LinkedHashMap<>();

    static Key keyOf(EndpointSlice.Endpoint e) {
        List<String> addresses = new ArrayList<>(e.addresses);
        addresses.sort(null);
        ObjectReference ref = e.targetRef;
        return new Key(addresses, e.hostname == null ? "" : e.hostname,
                ref == null || ref.namespace == null ? "" : ref.namespace, ref == null || ref.name == null ? "" : ref.name);
    }

    void insert(EndpointSlice.Endpoint e) {
        items.put(keyOf(e), e);
    }

    /** The desired endpoint with the same identity as {@code e}, or null. */
    EndpointSlice.Endpoint get(EndpointSlice.Endpoint e) {
        return items.get(keyOf(e));
    }

    void delete(EndpointSlice.Endpoint e) {
        items.remove(keyOf(e));
    }

    /** Removes and returns the first endpoint; null when empty. */
    EndpointSlice.Endpoint popAny() {
        Iterator<EndpointSlice.Endpoint> it = items.values().iterator();
        if (!it.hasNext()) {
            return null;
        }
        EndpointSlice.Endpoint e = it.next();
        it.remove();
        return e;
    }

    int size() {
        return items.size();
    }

    boolean isEmpty() {
        return items.isEmpty();
    }

    /**
     * Whether two endpoints with the same key also agree on node, zone, the three conditions and
     * the target (its resourceVersion aside). Kubernetes: {@code EndpointsEqualBeyondHash}.
     */
    static boolean equalBeyondHash(EndpointSlice.Endpoint a, EndpointSlice.Endpoint b) {
        EndpointSlice.EndpointConditions ca = a.conditions == null ? new EndpointSlice.EndpointConditions() : a.conditions;
        EndpointSlice.EndpointConditions cb = b.conditions == null ? new EndpointSlice.EndpointConditions() : b.conditions;
        return Objects.equals(a.nodeName, b.nodeName) && Objects.equals(a.zone, b.zone)
                && Objects.equals(ca.ready, cb.ready) && Objects.equals(ca.serving, cb.serving) && Objects.equals(ca.terminating, cb.terminating)
                && sameTarget(a.targetRef, b.targetRef);
    }

    private static boolean sameTarget(ObjectReference a, ObjectReference b) {
        if (a == null || b == null) {
            return a == b;
        }
        return Objects.equals(a.kind, b.kind) && Objects.equals(a.namespace, b.namespace) && Objects.equals(a.name, b.name)
                && Objects.equals(a.uid, b.uid) && Objects.equals(a.apiVersion, b.apiVersion) && Objects.equals(a.fieldPath, b.fieldPath);
    }
}
