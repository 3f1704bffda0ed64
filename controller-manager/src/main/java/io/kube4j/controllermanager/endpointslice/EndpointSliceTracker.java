package io.kube4j.controllermanager.endpointslice;

import io.kube4j.api.EndpointSlice;
import io.kube4j.api.ObjectMeta;

import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The generation of every EndpointSlice a controller wrote last, per Service, so it can tell when its
 * informer cache is behind its own writes (a reconcile on such a cache would create duplicates or undo
 * an update) and which slice events are only the echo of its own writes. Kubernetes:
 * {@code staging/src/k8s.io/endpointslice/util/endpointslice_tracker.go}. Thread-safe.
 */
final class EndpointSliceTracker {
    /** Marks a slice this controller deleted and whose deletion the cache has not shown yet. */
    private static final long DELETION_EXPECTED = -1;

    // service key -> slice uid -> generation written (or DELETION_EXPECTED)
    private final Map<String, Map<String, Long>> generationsByService = new HashMap<>();

    /** Whether the tracker knows this slice (by uid) for its Service. */
    synchronized boolean has(EndpointSlice slice) {
        Map<String, Long> gens = generationsByService.get(serviceKey(slice));
        return gens != null && gens.containsKey(slice.metadata.uid);
    }

    /**
     * Whether an event about {@code slice} needs a sync of its Service: a slice the tracker does not
     * know, or one at a newer generation than this controller wrote (someone else changed it).
     */
    synchronized boolean shouldSync(EndpointSlice slice) {
        Map<String, Long> gens = generationsByService.get(serviceKey(slice));
        if (gens == null) {
            return true;
        }
        Long g = gens.get(slice.metadata.uid);
        return g == null || generation(slice) > g;
    }

    /**
     * Whether {@code slices} (the cache's view of a Service's slices) is older than what this controller
     * wrote: a slice deleted here is still there, one written here is at an older generation, or one
     * created here is missing.
     */
    synchronized boolean staleSlices(String serviceKey, List<EndpointSlice> slices) {
        Map<String, Long> gens = generationsByService.get(serviceKey);
        if (gens == null) {
            return false;
        }
        Set<String> provided = new HashSet<>();
        for (EndpointSlice s : slices) {
            provided.add(s.metadata.uid);
            Long g = gens.get(s.metadata.uid);
            if (g != null && (g == DELETION_EXPECTED || g > generation(s))) {
                return true;
            }
        }
        for (Map.Entry<String, Long> e : gens.entrySet()) {
            if (e.getValue() != DELETION_EXPECTED && !provided.contains(e.getKey())) {
                return true;
            }
        }
        return false;
    }

    /** Records the slice as written (the apiserver's answer to a create or update). */
    synchronized void update(EndpointSlice slice) {
        generationsByService.computeIfAbsent(serviceKey(slice), k -> new HashMap<>()).put(slice.metadata.uid, generation(slice));
    }

    /** Forgets a Service's slices (the Service is gone, or its slices are no longer this controller's). */
    synchronized void deleteService(String namespace, String name) {
        generationsByService.remove(ObjectMeta.key(namespace, name));
    }

    /** Records that this controller deleted the slice. */
    synchronized void expectDeletion(EndpointSlice slice) {
        generationsByService.computeIfAbsent(serviceKey(slice), k -> new HashMap<>()).put(slice.metadata.uid, DELETION_EXPECTED);
    }

    /**
     * Handles the cache's deletion of a slice: forgets it and says whether the deletion was this
     * controller's (true) or somebody else's (false: the Service needs a sync to put it back).
     */
    synchronized boolean handleDeletion(EndpointSlice slice) {
        String key = serviceKey(slice);
        Map<String, Long> gens = generationsByService.get(key);
        if (gens != null) {
            Long g = gens.remove(slice.metadata.uid);
            if (gens.isEmpty()) {
                generationsByService.remove(key);
            }
            if (g != null && g != DELETION_EXPECTED) {
                return false;
            }
        }
        return true;
    }

    /** {@code namespace/<kubernetes.io/service-name>} of a slice. */
    static String serviceKey(EndpointSlice slice) {
        return ObjectMeta.key(slice.metadata.namespace, slice.metadata.labels.getOrDefault(EndpointSlice.LABEL_SERVICE_NAME, ""));
    }

    private static long generation(EndpointSlice slice) {
        return slice.metadata.generation == null ? 0 : slice.metadata.generation;
    }
}
