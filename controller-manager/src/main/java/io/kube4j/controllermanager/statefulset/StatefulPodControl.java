package io.kube4j.controllermanager.statefulset;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.StatefulSet;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.informer.Store;
import io.kube4j.json.Json;

import java.util.ArrayList;
import java.util.List;

/**
 * The StatefulSet controller's writes for one pod (Kubernetes' {@code stateful_pod_control.go}): its
 * claims are created before the pod, the claims' owner references follow the retention policy,
 * identity and storage are repaired in place, and every write is reported as an Event on the set
 * ({@code SuccessfulCreate} "create Pod web-0 in StatefulSet web successful", ...). Claims are read
 * from the informer cache, as Kubernetes reads them from its lister.
 */
final class StatefulPodControl {
    /** Attempts of a pod update that keeps meeting conflicts (retry.DefaultBackoff: 4 steps from 10 ms, factor 5). */
    private static final int UPDATE_ATTEMPTS = 4;

    // writes and events
    private final ControllerClient client;
    // the PersistentVolumeClaim cache
    private final Store<PersistentVolumeClaim> claims;

    StatefulPodControl(ControllerClient client, Store<PersistentVolumeClaim> claims) {
        this.client = client;
        this.claims = claims;
    }

    /** A failure of one of these writes, with Kubernetes' message; the sync is retried. */
    static final class StatefulPodException extends RuntimeException {
        StatefulPodException(String message, Throwable cause) {
            super(message, cause);
        }
    }

    /**
     * CreateStatefulPod: the claims first, then the pod; then the claims' owner references as far as
     * they can be set now. A pod that exists already fails without an Event (the cache lagged).
     */
    void createStatefulPod(StatefulSet set, Pod pod) {
        try {
            createPersistentVolumeClaims(set, pod);
        } catch (StatefulPodException e) {
            recordPodEvent("create", set, pod, e);
            throw e;
        }
        ApiException createError = null;
        try {
            client.create(pod);
        } catch (ApiException e) {
            if (e.isAlreadyExists()) {
                throw e;
            }
            createError = e;
        }
        try {
            updatePodClaimForRetentionPolicy(set, pod);
        } catch (RuntimeException e) {
            recordPodEvent("update", set, pod, e);
            throw e;
        }
        recordPodEvent("create", set, pod, createError);
        if (createError != null) {
            throw createError;
        }
    }

    /**
     * UpdateStatefulPod: repairs identity (name, pod-name and pod-index labels), storage (claim
     * volumes, creating missing claims) and the claims' owner references; PUTs the pod only if
     * something was off, retrying on conflicts with a fresh copy.
     */
    void updateStatefulPod(StatefulSet set, Pod pod) {
        boolean attempted = false;
        RuntimeException last = null;
        Pod current = pod;
        for (int attempt = 0; attempt < UPDATE_ATTEMPTS; attempt++) {
            boolean consistent = true;
            if (!StatefulSetPods.identityMatches(set, current)) {
                StatefulSetPods.updateIdentity(set, current);
                consistent = false;
            }
            if (!StatefulSetPods.storageMatches(set, current)) {
                StatefulSetPods.updateStorage(set, current);
                consistent = false;
                try {
                    createPersistentVolumeClaims(set, current);
                } catch (StatefulPodException e) {
                    recordPodEvent("update", set, current, e);
                    throw e;
                }
            }
            try {
                if (!claimsMatchRetentionPolicy(set, current)) {
                    updatePodClaimForRetentionPolicy(set, current);
                    consistent = false;
                }
            } catch (RuntimeException e) {
                recordPodEvent("update", set, current, e);
                throw e;
            }
            if (consistent) {
                last = null;
                break;
            }
            attempted = true;
            try {
                client.update(current);
                last = null;
                break;
            } catch (ApiException e) {
                last = e;
                if (!e.isConflict()) {
                    break;
                }
                Pod fresh = client.find(Pod.class, current.metadata.namespace, current.metadata.name).orElse(null);
                if (fresh == null) {
                    break;
                }
                current = fresh;
                sleep(10L * (long) Math.pow(5, attempt));
            }
        }
        if (attempted) {
            recordPodEvent("update", set, current, last);
        }
        if (last != null) {
            throw last;
        }
    }

    /** DeleteStatefulPod, with its Event; throws on failure (NotFound included, the caller decides). */
    void deleteStatefulPod(StatefulSet set, Pod pod) {
        try {
            client.delete(Pod.class, pod.metadata.namespace, pod.metadata.name, new DeleteOptions());
        } catch (ApiException e) {
            recordPodEvent("delete", set, pod, e);
            throw e;
        }
        recordPodEvent("delete", set, pod, null);
    }

    /** ClaimsMatchRetentionPolicy: every existing claim of the pod has the references the policy wants. */
    boolean claimsMatchRetentionPolicy(StatefulSet set, Pod pod) {
        int ordinal = StatefulSetPods.ordinal(pod);
        for (PersistentVolumeClaim t : set.spec.volumeClaimTemplates) {
            PersistentVolumeClaim claim = claims.get(set.metadata.namespace, StatefulSetPods.claimName(set, t, ordinal));
            // a missing claim is picked up in a later sync
            if (claim != null && !StatefulSetPods.isClaimOwnerUpToDate(claim, set, pod)) {
                return false;
            }
        }
        return true;
    }

    /** UpdatePodClaimForRetentionPolicy: rewrites the owner references of the pod's claims that do not follow the policy. */
    void updatePodClaimForRetentionPolicy(StatefulSet set, Pod pod) {
        int ordinal = StatefulSetPods.ordinal(pod);
        for (PersistentVolumeClaim t : set.spec.volumeClaimTemplates) {
            String name = StatefulSetPods.claimName(set, t, ordinal);
            PersistentVolumeClaim claim = claims.get(set.metadata.namespace, name);
            if (claim == null) {
                continue;
            }
            if (StatefulSetPods.hasUnexpectedController(claim, set, pod)) {
                client.warningEvent(set, "ConflictingController", "PersistentVolumeClaim " + name
                        + " has a conflicting OwnerReference that acts as a manging controller, the retention policy is ignored for this claim");
            }
            if (!StatefulSetPods.isClaimOwnerUpToDate(claim, set, pod)) {
                PersistentVolumeClaim copy = Json.copy(claim);
                StatefulSetPods.updateClaimOwnerRefForSetAndPod(copy, set, pod);
                try {
                    client.update(copy);
                } catch (ApiException e) {
                    throw new StatefulPodException("could not update claim " + name + " for delete policy ownerRefs: " + e.getMessage(), e);
                }
            }
        }
    }

    /**
     * PodClaimIsStale: under whenScaled Delete, a claim that still references an earlier pod of this
     * name blocks the pod's creation until the garbage collector has removed it.
     */
    boolean podClaimIsStale(StatefulSet set, Pod pod) {
        if (StatefulSetPods.RETAIN.equals(StatefulSetPods.retentionPolicy(set).whenScaled())) {
            return false;
        }
        for (PersistentVolumeClaim c : StatefulSetPods.claims(set, pod).values()) {
            PersistentVolumeClaim pvc = claims.get(c.metadata.namespace, c.metadata.name);
            if (pvc != null && StatefulSetPods.hasStaleOwnerRef(pvc, pod, StatefulSetPods.POD_API_VERSION, StatefulSetPods.POD_KIND)) {
                return true;
            }
        }
        return false;
    }

    /** createMissingPersistentVolumeClaims: for a Pending pod, claims that went missing come back, with their references. */
    void createMissingPersistentVolumeClaims(StatefulSet set, Pod pod) {
        createPersistentVolumeClaims(set, pod);
        try {
            updatePodClaimForRetentionPolicy(set, pod);
        } catch (RuntimeException e) {
            recordPodEvent("update", set, pod, e);
            throw e;
        }
    }

    /** createPersistentVolumeClaims: each missing claim is created; a claim being deleted is an error until it is gone. */
    void createPersistentVolumeClaims(StatefulSet set, Pod pod) {
        List<String> errors = new ArrayList<>();
        ApiException cause = null;
        for (PersistentVolumeClaim claim : StatefulSetPods.claims(set, pod).values()) {
            PersistentVolumeClaim existing = claims.get(claim.metadata.namespace, claim.metadata.name);
            if (existing == null) {
                try {
                    client.create(claim);
                    recordClaimEvent("create", set, pod, claim, null);
                } catch (ApiException e) {
                    cause = e;
                    errors.add("failed to create PVC " + claim.metadata.name + ": " + e.getMessage());
                    if (!e.isAlreadyExists()) {
                        recordClaimEvent("create", set, pod, claim, e);
                    }
                }
            } else if (existing.metadata.deletionTimestamp != null) {
                errors.add("pvc " + claim.metadata.name + " is being deleted");
            }
        }
        if (!errors.isEmpty()) {
            throw new StatefulPodException(aggregate(errors), cause);
        }
    }

    /** utilerrors.NewAggregate's message: the error alone, or {@code [a, b]}. */
    static String aggregate(List<String> errors) {
        return errors.size() == 1 ? errors.getFirst() : "[" + String.join(", ", errors) + "]";
    }

    private static String title(String verb) {
        return Character.toUpperCase(verb.charAt(0)) + verb.substring(1);
    }

    /** recordPodEvent: Successful/Failed + Verb, "create Pod web-0 in StatefulSet web successful". */
    void recordPodEvent(String verb, StatefulSet set, Pod pod, Throwable err) {
        if (err == null) {
            client.normalEvent(set, "Successful" + title(verb), verb + " Pod " + pod.metadata.name + " in StatefulSet " + set.metadata.name + " successful");
        } else {
            client.warningEvent(set, "Failed" + title(verb), verb + " Pod " + pod.metadata.name + " in StatefulSet " + set.metadata.name
                    + " failed error: " + err.getMessage());
        }
    }

    /** recordClaimEvent: "create Claim data-web-0 Pod web-0 in StatefulSet web success". */
    void recordClaimEvent(String verb, StatefulSet set, Pod pod, PersistentVolumeClaim claim, Throwable err) {
        if (err == null) {
            client.normalEvent(set, "Successful" + title(verb), verb + " Claim " + claim.metadata.name + " Pod " + pod.metadata.name
                    + " in StatefulSet " + set.metadata.name + " success");
        } else {
            client.warningEvent(set, "Failed" + title(verb), verb + " Claim " + claim.metadata.name + " for Pod " + pod.metadata.name
                    + " in StatefulSet " + set.metadata.name + " failed error: " + err.getMessage());
        }
    }

    private static void sleep(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }
}
