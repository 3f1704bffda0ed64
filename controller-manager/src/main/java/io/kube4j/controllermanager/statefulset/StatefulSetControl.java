package io.kube4j.controllermanager.statefulset;

import io.kube4j.api.ControllerRevision;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Pod;
import io.kube4j.api.StatefulSet;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.history.ControllerHistory;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.SlowStartBatch;
import io.kube4j.controllermanager.runtime.StatusUpdates;
import io.kube4j.json.Json;

import java.time.Clock;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * One StatefulSet sync over its claimed pods and revisions (Kubernetes' {@code stateful_set_control.go},
 * defaultStatefulSetControl): find or create the update revision, then bring the pods in
 * {@code [start, start+replicas)} into being (creating missing ones, recreating failed ones, repairing
 * identity and storage) and remove the ones beyond, OrderedReady one at a time (every predecessor
 * Running and Ready first; scale-down from the highest ordinal) or Parallel; then RollingUpdate deletes
 * the highest-ordinal pod at or above the partition that is not of the update revision, one at a time,
 * waiting for it to come back healthy. OnDelete only replaces pods the user deletes. Status and the
 * revision history limit are kept last.
 */
final class StatefulSetControl {
    private final ControllerClient client;
    private final StatefulPodControl podControl;
    private final Clock clock;
    // pods of a Parallel set processed at once within a slow-start batch
    private final int maxInFlight;

    /** Kubernetes' {@code MaxBatchSize}: "realistic value for maximum in-flight requests when processing in parallel mode". */
    static final int MAX_BATCH_SIZE = 500;

    StatefulSetControl(ControllerClient client, StatefulPodControl podControl, Clock clock, int maxInFlight) {
        this.maxInFlight = Math.max(1, maxInFlight);
        this.client = client;
        this.podControl = podControl;
        this.clock = clock;
    }

    /** The outcome: the status written (or that would be), and an error to retry on (null if none). */
    record Outcome(StatefulSet.StatefulSetStatus status, RuntimeException error) {
    }

    /** UpdateStatefulSet: performUpdate, then truncateHistory; revisions are the set's, already claimed. */
    Outcome update(StatefulSet set, List<Pod> pods, List<ControllerRevision> revisions) {
        List<ControllerRevision> sorted = new ArrayList<>(revisions);
        sorted.sort(ControllerHistory.BY_REVISION);
        ControllerRevision[] currentAndUpdate = new ControllerRevision[2];
        StatefulSet.StatefulSetStatus status = null;
        RuntimeException error = null;
        try {
            status = performUpdate(set, pods, sorted, currentAndUpdate);
        } catch (UpdateFailure f) {
            status = f.status;
            error = f.cause;
        } catch (RuntimeException e) {
            error = e;
        }
        try {
            truncateHistory(set, pods, sorted, currentAndUpdate[0], currentAndUpdate[1]);
        } catch (RuntimeException e) {
            if (error == null) {
                error = e;
            }
        }
        return new Outcome(status, error);
    }

    /** A failure after which a (partial) status is still known and was written. */
    private static final class UpdateFailure extends RuntimeException {
        final StatefulSet.StatefulSetStatus status;
        final RuntimeException cause;

        UpdateFailure(StatefulSet.StatefulSetStatus status, RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
            this.status = status;
            this.cause = cause;
        }
    }

    private StatefulSet.StatefulSetStatus performUpdate(StatefulSet set, List<Pod> pods, List<ControllerRevision> revisions, ControllerRevision[] out) {
        Revisions r = getStatefulSetRevisions(set, revisions);
        out[0] = r.current();
        out[1] = r.update();
        // updateStatefulSet returns a status even when it stops on an error: that status is written first
        StatefulSet.StatefulSetStatus status = new StatefulSet.StatefulSetStatus();
        RuntimeException error = null;
        try {
            updateStatefulSet(set, r.current(), r.update(), r.collisionCount(), pods, status);
        } catch (RuntimeException e) {
            error = e;
        }
        RuntimeException statusError = null;
        try {
            updateStatefulSetStatus(set, status);
        } catch (RuntimeException e) {
            statusError = e;
        }
        if (error != null) {
            throw new UpdateFailure(status, error);
        }
        if (statusError != null) {
            throw new UpdateFailure(status, statusError);
        }
        return status;
    }

    // ---- revisions ---------------------------------------------------------------------------

    /** The current and update revisions and the collision count to record. */
    record Revisions(ControllerRevision current, ControllerRevision update, int collisionCount) {
    }

    /**
     * getStatefulSetRevisions: the update revision is the set's template, found among the revisions
     * (the latest, or an older one whose number is raised: a rollback) or created; the current revision
     * is status.currentRevision if it still exists, else the update revision.
     */
    Revisions getStatefulSetRevisions(StatefulSet set, List<ControllerRevision> revisions) {
        int[] collisionCount = {set.status.collisionCount == null ? 0 : set.status.collisionCount};
        ControllerRevision updateRevision = StatefulSetPods.newRevision(set, StatefulSetPods.nextRevision(revisions), collisionCount[0]);
        List<ControllerRevision> equal = ControllerHistory.findEqualRevisions(revisions, updateRevision);
        if (!equal.isEmpty() && ControllerHistory.equalRevision(revisions.getLast(), equal.getLast())) {
            // the latest revision is the template: nothing changed
            updateRevision = revisions.getLast();
        } else if (!equal.isEmpty()) {
            // an earlier template again: bump that revision's number instead of making a new one
            ControllerRevision copy = Json.copy(equal.getLast());
            copy.revision = updateRevision.revision;
            updateRevision = client.update(copy);
        } else {
            updateRevision = createControllerRevision(set, updateRevision, collisionCount);
        }
        ControllerRevision currentRevision = null;
        for (ControllerRevision rev : revisions) {
            if (rev.metadata.name.equals(set.status.currentRevision)) {
                currentRevision = rev;
                break;
            }
        }
        if (currentRevision == null) {
            currentRevision = updateRevision;
        }
        return new Revisions(currentRevision, updateRevision, collisionCount[0]);
    }

    /**
     * history.CreateControllerRevision: creates the revision under its hash name; when the name is taken
     * by other data, counts a collision and tries the next name; when taken by the same data, that is it.
     */
    private ControllerRevision createControllerRevision(StatefulSet set, ControllerRevision revision, int[] collisionCount) {
        while (true) {
            ControllerRevision clone = Json.copy(revision);
            clone.metadata.name = ControllerHistory.revisionName(set.metadata.name, ControllerHistory.hashControllerRevision(revision, collisionCount[0]));
            try {
                ControllerRevision created = client.create(clone);
                return created == null ? clone : created;
            } catch (ApiException e) {
                if (!e.isAlreadyExists()) {
                    throw e;
                }
                ControllerRevision exists = client.find(ControllerRevision.class, set.metadata.namespace, clone.metadata.name).orElseThrow(() -> e);
                if (ControllerHistory.raw(exists).equals(ControllerHistory.raw(clone))) {
                    return exists;
                }
                collisionCount[0]++;
            }
        }
    }

    /** truncateHistory: deletes the oldest revisions no pod, nor current nor update, uses, beyond revisionHistoryLimit. */
    void truncateHistory(StatefulSet set, List<Pod> pods, List<ControllerRevision> revisions, ControllerRevision current, ControllerRevision update) {
        Set<String> live = new HashSet<>();
        if (current != null) {
            live.add(current.metadata.name);
        }
        if (update != null) {
            live.add(update.metadata.name);
        }
        pods.forEach(p -> live.add(StatefulSetPods.revisionOf(p)));
        List<ControllerRevision> history = new ArrayList<>();
        for (ControllerRevision r : revisions) {
            if (!live.contains(r.metadata.name)) {
                history.add(r);
            }
        }
        int limit = StatefulSetPods.revisionHistoryLimit(set);
        if (limit < 0 || history.size() <= limit) {
            return;
        }
        for (ControllerRevision r : history.subList(0, history.size() - limit)) {
            try {
                client.delete(ControllerRevision.class, r.metadata.namespace, r.metadata.name, new DeleteOptions());
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    throw e;
                }
            }
        }
    }

    // ---- pods --------------------------------------------------------------------------------

    /** The ordered pods: replicas by ordinal (missing ones made up, not yet created) and condemned ones, highest ordinal first. */
    private record Partition(Pod[] replicas, List<Pod> condemned) {
    }

    /** What a step asks of the loop: go on, or stop this sync (monotonic mode waits, or a pod was acted on). */
    private enum Step { CONTINUE, EXIT }

    /**
     * updateStatefulSet: fills {@code status} as it goes; throws on the first failed write (the
     * status so far is then written by the caller, as Kubernetes does).
     */
    private void updateStatefulSet(StatefulSet set, ControllerRevision currentRevision, ControllerRevision updateRevision,
                                   int collisionCount, List<Pod> pods, StatefulSet.StatefulSetStatus status) {
        StatefulSet currentSet = StatefulSetPods.applyRevision(set, currentRevision);
        StatefulSet updateSet = StatefulSetPods.applyRevision(set, updateRevision);
        int minReady = StatefulSetPods.minReadySeconds(set);
        Instant now = clock.instant();

        status.observedGeneration = set.metadata.generation;
        status.currentRevision = currentRevision.metadata.name;
        status.updateRevision = updateRevision.metadata.name;
        status.collisionCount = collisionCount;
        computeStatus(status, minReady, now, currentRevision, updateRevision, pods);

        int start = StatefulSetPods.startOrdinal(set);
        int end = StatefulSetPods.endOrdinal(set);
        Pod[] replicas = new Pod[Math.max(0, end - start + 1)];
        List<Pod> condemned = new ArrayList<>();
        for (Pod pod : pods) {
            if (StatefulSetPods.inOrdinalRange(pod, set)) {
                replicas[StatefulSetPods.ordinal(pod) - start] = pod;
            } else if (StatefulSetPods.ordinal(pod) >= 0) {
                condemned.add(pod);
            }
        }
        for (int ord = start; ord <= end; ord++) {
            if (replicas[ord - start] == null) {
                replicas[ord - start] = StatefulSetPods.newVersionedStatefulSetPod(currentSet, updateSet,
                        currentRevision.metadata.name, updateRevision.metadata.name, ord);
            }
        }
        condemned.sort(Comparator.comparingInt(StatefulSetPods::ordinal).reversed());
        Partition partition = new Partition(replicas, condemned);

        // the first unhealthy pod: lowest replica first, else the lowest-ordinal condemned one
        Pod firstUnhealthy = null;
        for (Pod p : replicas) {
            if (!StatefulSetPods.isHealthy(p)) {
                firstUnhealthy = p;
                break;
            }
        }
        if (firstUnhealthy == null) {
            for (int i = condemned.size() - 1; i >= 0; i--) {
                if (!StatefulSetPods.isHealthy(condemned.get(i))) {
                    firstUnhealthy = condemned.get(i);
                    break;
                }
            }
        }
        if (set.metadata.deletionTimestamp != null) {
            return;
        }
        boolean monotonic = !StatefulSetPods.isParallel(set);
        try {
            // first the replicas in range: create, recreate, repair; stop at the first one not ready (OrderedReady)
            if (runForAll(replicas.length, i -> processReplica(set, updateSet, currentSet, currentRevision, updateRevision,
                    monotonic, replicas, i, now), monotonic)) {
                return;
            }
            // the condemned pods' claims get the scale-down owner references before the pods go
            if (runForAll(condemned.size(), i -> {
                Pod pod = condemned.get(i);
                if (!podControl.claimsMatchRetentionPolicy(updateSet, pod)) {
                    podControl.updatePodClaimForRetentionPolicy(updateSet, pod);
                }
                return Step.CONTINUE;
            }, monotonic)) {
                return;
            }
            // then scale down from the highest ordinal, waiting for each to go (OrderedReady)
            Pod unhealthy = firstUnhealthy;
            if (runForAll(condemned.size(), i -> processCondemned(set, unhealthy, monotonic, condemned, i, now), monotonic)) {
                return;
            }
        } finally {
            computeStatus(status, minReady, now, currentRevision, updateRevision, List.of(partition.replicas()), partition.condemned());
        }

        if ("OnDelete".equals(StatefulSetPods.updateStrategyType(set))) {
            return;
        }
        // RollingUpdate: the highest ordinal at or above the partition not of the update revision goes first
        int updateMin = StatefulSetPods.partition(set);
        for (int target = replicas.length - 1; target >= updateMin; target--) {
            Pod pod = replicas[target];
            if (!StatefulSetPods.revisionOf(pod).equals(updateRevision.metadata.name) && !StatefulSetPods.isTerminating(pod)) {
                try {
                    podControl.deleteStatefulPod(set, pod);
                } catch (ApiException e) {
                    if (!e.isNotFound()) {
                        throw e;
                    }
                }
                status.currentReplicas = status.currentReplicas - 1;
                return;
            }
            if (!StatefulSetPods.isHealthy(pod)) {
                // wait for the updated pod to be healthy before the next one
                return;
            }
        }
    }

    /** One replica (processReplica); EXIT ends the pass. */
    private Step processReplica(StatefulSet set, StatefulSet updateSet, StatefulSet currentSet, ControllerRevision currentRevision,
                                ControllerRevision updateRevision, boolean monotonic, Pod[] replicas, int i, Instant now) {
        Pod pod = replicas[i];
        String phase = StatefulSetPods.phase(pod);
        if ("Failed".equals(phase) || "Succeeded".equals(phase)) {
            // a pod that ended (evicted, node rebooted...) is replaced whatever its exit code; the new one comes
            // on a later sync, once the old one is gone from the store
            if (pod.metadata.deletionTimestamp == null) {
                podControl.deleteStatefulPod(set, pod);
            }
            return Step.EXIT;
        }
        if (!StatefulSetPods.isCreated(pod)) {
            if (podControl.podClaimIsStale(set, pod)) {
                // a claim of the previous pod of this name still awaits the garbage collector
                return Step.EXIT;
            }
            podControl.createStatefulPod(set, pod);
            if (monotonic) {
                return Step.EXIT;
            }
        }
        if ("Pending".equals(phase)) {
            podControl.createMissingPersistentVolumeClaims(set, pod);
        }
        if (StatefulSetPods.isTerminating(pod) && monotonic) {
            return Step.EXIT;
        }
        int minReady = StatefulSetPods.minReadySeconds(set);
        if (!StatefulSetPods.isRunningAndReady(pod) && monotonic) {
            return Step.EXIT;
        }
        if (!StatefulSetPods.isRunningAndAvailable(pod, minReady, now) && monotonic) {
            return Step.EXIT;
        }
        boolean retentionMatch;
        try {
            retentionMatch = podControl.claimsMatchRetentionPolicy(updateSet, pod);
        } catch (RuntimeException e) {
            // expected while the pod is not fully updated: treated as matching
            retentionMatch = true;
        }
        if (StatefulSetPods.identityMatches(set, pod) && StatefulSetPods.storageMatches(set, pod) && retentionMatch) {
            return Step.CONTINUE;
        }
        if (!StatefulSetPods.isCreated(pod)) {
            // created just now (Parallel): the repair, if any, waits for the cache to show it
            return Step.CONTINUE;
        }
        podControl.updateStatefulPod(updateSet, Json.copy(pod));
        return Step.CONTINUE;
    }

    /** One condemned pod (processCondemned): deleted once it is its turn; EXIT ends the pass. */
    private Step processCondemned(StatefulSet set, Pod firstUnhealthy, boolean monotonic, List<Pod> condemned, int i, Instant now) {
        Pod pod = condemned.get(i);
        if (StatefulSetPods.isTerminating(pod)) {
            return monotonic ? Step.EXIT : Step.CONTINUE;
        }
        int minReady = StatefulSetPods.minReadySeconds(set);
        if (!StatefulSetPods.isRunningAndReady(pod) && monotonic && pod != firstUnhealthy) {
            return Step.EXIT;
        }
        if (!StatefulSetPods.isRunningAndAvailable(pod, minReady, now) && monotonic && pod != firstUnhealthy) {
            return Step.EXIT;
        }
        podControl.deleteStatefulPod(set, pod);
        return Step.EXIT;
    }

    /** A step over one index; may throw. */
    @FunctionalInterface
    private interface IndexStep {
        Step apply(int i);
    }

    /**
     * runForAll: monotonic (OrderedReady), in order until a step exits or fails; Parallel, in slow-start
     * batches (1, 2, 4, ..., at most {@link #MAX_BATCH_SIZE}; {@link SlowStartBatch}) whose steps run
     * concurrently, where a batch with a failure ends the pass and a step's EXIT does not. True if the
     * pass was cut short. Steps of one batch touch only their own pod (and its claims).
     */
    private boolean runForAll(int count, IndexStep step, boolean monotonic) {
        if (monotonic) {
            for (int i = 0; i < count; i++) {
                if (step.apply(i) == Step.EXIT) {
                    return true;
                }
            }
            return false;
        }
        SlowStartBatch.Result<Step> result = SlowStartBatch.run(count, SlowStartBatch.INITIAL_BATCH_SIZE, MAX_BATCH_SIZE, maxInFlight, step::apply);
        List<Exception> errors = result.errors();
        if (errors.isEmpty()) {
            return false;
        }
        if (errors.size() == 1 && errors.getFirst() instanceof RuntimeException e) {
            throw e;
        }
        throw new StatefulPodControl.StatefulPodException(StatefulPodControl.aggregate(errors.stream().map(Throwable::getMessage).toList()),
                errors.getFirst());
    }

    // ---- status ------------------------------------------------------------------------------

    /** updateStatus / computeReplicaStatus over the pod lists. */
    @SafeVarargs
    private static void computeStatus(StatefulSet.StatefulSetStatus status, int minReady, Instant now,
                                      ControllerRevision currentRevision, ControllerRevision updateRevision, List<Pod>... lists) {
        int replicas = 0;
        int ready = 0;
        int available = 0;
        int current = 0;
        int updated = 0;
        for (List<Pod> list : lists) {
            for (Pod pod : list) {
                if (StatefulSetPods.isCreated(pod)) {
                    replicas++;
                }
                if (StatefulSetPods.isRunningAndReady(pod)) {
                    ready++;
                    if (StatefulSetPods.isRunningAndAvailable(pod, minReady, now)) {
                        available++;
                    }
                }
                if (StatefulSetPods.isCreated(pod) && !StatefulSetPods.isTerminating(pod)) {
                    String revision = StatefulSetPods.revisionOf(pod);
                    if (revision.equals(currentRevision.metadata.name)) {
                        current++;
                    }
                    if (revision.equals(updateRevision.metadata.name)) {
                        updated++;
                    }
                }
            }
        }
        status.replicas = replicas;
        status.readyReplicas = ready;
        status.availableReplicas = available;
        status.currentReplicas = current;
        status.updatedReplicas = updated;
    }

    /**
     * updateStatefulSetStatus: completes a rolling update (every replica updated and ready: the update
     * revision becomes the current one), then writes status only if it differs (inconsistentStatus).
     */
    void updateStatefulSetStatus(StatefulSet set, StatefulSet.StatefulSetStatus status) {
        if ("RollingUpdate".equals(StatefulSetPods.updateStrategyType(set))
                && Objects.equals(status.updatedReplicas, status.replicas) && Objects.equals(status.readyReplicas, status.replicas)) {
            status.currentReplicas = status.updatedReplicas;
            status.currentRevision = status.updateRevision;
        }
        StatefulSet.StatefulSetStatus s = set.status;
        boolean inconsistent = orZero(status.observedGeneration) > orZero(s.observedGeneration)
                || status.replicas != s.replicas
                || orZero(status.currentReplicas) != orZero(s.currentReplicas)
                || orZero(status.readyReplicas) != orZero(s.readyReplicas)
                || orZero(status.updatedReplicas) != orZero(s.updatedReplicas)
                || !Objects.equals(blank(status.currentRevision), blank(s.currentRevision))
                || status.availableReplicas != s.availableReplicas
                || !Objects.equals(blank(status.updateRevision), blank(s.updateRevision));
        if (!inconsistent) {
            return;
        }
        // the whole status is replaced, as Kubernetes' status updater does (set.Status = *status)
        StatusUpdates.updateStatus(client, set, StatefulSet.class, next -> next.status = Json.copy(status));
    }

    private static long orZero(Long v) {
        return v == null ? 0 : v;
    }

    private static int orZero(Integer v) {
        return v == null ? 0 : v;
    }

    private static String blank(String s) {
        return s == null ? "" : s;
    }
}
