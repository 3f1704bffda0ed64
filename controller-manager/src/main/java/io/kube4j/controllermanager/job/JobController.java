package io.kube4j.controllermanager.job;

import io.kube4j.api.Container;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Job;
import io.kube4j.api.OwnerReference;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ControllerRefs;
import io.kube4j.controllermanager.runtime.PodReadiness;
import io.kube4j.controllermanager.runtime.NamespaceTerminating;
import io.kube4j.controllermanager.runtime.ParallelCalls;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SlowStartBatch;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.StatusWrites;
import io.kube4j.controllermanager.workqueue.ExponentialBackoff;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import io.kube4j.labels.Selector;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Runs each Job's pods to completion, as Kubernetes 1.32's {@code pkg/controller/job/job_controller.go}
 * with that release's default feature gates (JobPodReplacementPolicy, JobBackoffLimitPerIndex,
 * JobSuccessPolicy, JobManagedBy, PodIndexLabel on): creates up to {@code parallelism} pods from the
 * template (NonIndexed, or Indexed with the completion index annotation, label, env and hostname),
 * counts finished pods through the {@code batch.kubernetes.io/job-tracking} finalizer (a pod is
 * counted in {@code status.uncountedTerminatedPods} first, then its finalizer is removed, then it
 * moves to {@code succeeded} / {@code failed}, so a restart never counts twice nor loses a pod), fails
 * the Job on backoffLimit, activeDeadlineSeconds, podFailurePolicy FailJob or failed indexes (interim
 * FailureTarget, then Failed once no pod is terminating), completes it on completions or a success
 * policy (interim SuccessCriteriaMet, then Complete), and suspends / resumes it.
 *
 * <p>Keys are {@code namespace/name} of Jobs, and {@code pod:namespace/name} of pods whose tracking
 * finalizer must go although no unfinished Job tracks them any more (Kubernetes' orphan queue).
 */
public final class JobController implements Controller {
    /** Pod events and status-only Job updates are batched into one sync per second (syncJobBatchPeriod). */
    static final Duration SYNC_BATCH_PERIOD = Duration.ofSeconds(1);
    /** At most this many pods in status.uncountedTerminatedPods per sync (MaxUncountedPods). */
    static final int MAX_UNCOUNTED_PODS = 500;
    /** At most this many pods created or deleted per sync (MaxPodCreateDeletePerSync). */
    static final int MAX_POD_CREATE_DELETE_PER_SYNC = 500;
    /** The prefix of orphan-pod keys in the queue. */
    static final String ORPHAN_POD = "pod:";
    /** spec.managedBy of Jobs this controller manages (or an unset field). */
    static final String MANAGED_BY = "kubernetes.io/job-controller";
    /** Kubernetes' MaxGeneratedNameLength: 63 minus the 5 random characters. */
    private static final int MAX_GENERATED_NAME_LENGTH = 58;

    // reads: the Job and pod caches, never mutated
    private final Informer<Job> jobs;
    private final Informer<Pod> pods;
    // writes and events
    private final ControllerClient client;
    // time for startTime, conditions, deadlines and backoff
    private final Clock clock;
    // Job keys and orphan-pod keys; 1 s to 1 min backoff on errors (DefaultJobApiBackOff, MaxJobApiBackOff)
    private final WorkQueue queue = new WorkQueue(new ExponentialBackoff(Duration.ofSeconds(1), Duration.ofMinutes(1)));
    // outstanding creations, deletions and finalizer removals per Job
    private final JobExpectations expectations = new JobExpectations();
    // failures since the last success per Job, for the replacement delay
    private final PodFailureBackoff backoff = new PodFailureBackoff();
    // pod creations of a slow-start batch, or deletions, in flight at once (1: one after another)
    private final int maxInFlight;

    /** The Job controller, with {@link SlowStartBatch#DEFAULT_MAX_IN_FLIGHT} pod requests in flight at most. */
    public JobController(SharedInformers informers, ControllerClient client, Clock clock) {
        this(informers, client, clock, SlowStartBatch.DEFAULT_MAX_IN_FLIGHT);
    }

    /**
     * The Job controller with at most {@code maxInFlight} pod creations (of one slow-start batch) or
     * deletions in flight at once; 1 makes them one after another.
     */
    public JobController(SharedInformers informers, ControllerClient client, Clock clock, int maxInFlight) {
        this.maxInFlight = Math.max(1, maxInFlight);
        this.jobs = informers.informer(Job.class);
        this.pods = informers.informer(Pod.class);
        this.client = client;
        this.clock = clock;
        jobs.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                queue.add(job.key());
            }

            @Override
            public void onUpdate(Job old, Job job) {
                jobUpdated(old, job);
            }

            @Override
            public void onDelete(Job job) {
                queue.add(job.key());
                cleanupPodFinalizers(job);
            }
        });
        pods.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod pod) {
                podAdded(pod);
            }

            @Override
            public void onUpdate(Pod old, Pod pod) {
                podUpdated(old, pod);
            }

            @Override
            public void onDelete(Pod pod) {
                podDeleted(pod, true);
            }
        });
    }

    @Override
    public String name() {
        return "job";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(jobs, pods);
    }

    // ---- event handlers: map to keys and observe expectations, nothing else -------------------

    void jobUpdated(Job old, Job job) {
        if (Objects.equals(old.metadata.generation, job.metadata.generation)) {
            // status updates (often caused by pod events) are batched
            queue.addAfter(job.key(), SYNC_BATCH_PERIOD);
        } else {
            queue.add(job.key());
        }
        if (JobConditions.isFinished(job)) {
            // a backup: a finished Job's pods must not keep their finalizer
            cleanupPodFinalizers(job);
        }
        Instant start = JobPods.parse(job.status.startTime);
        Long ads = job.spec.activeDeadlineSeconds;
        if (start != null && ads != null && !Objects.equals(ads, old.spec.activeDeadlineSeconds)) {
            Duration left = Duration.between(clock.instant(), start.plusSeconds(ads));
            queue.addAfter(job.key(), left);
        }
    }

    void podAdded(Pod pod) {
        if (pod.metadata.deletionTimestamp != null) {
            // seen for the first time already terminating (e.g. after a restart)
            podDeleted(pod, false);
            return;
        }
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        if (ref != null) {
            Job job = resolve(pod.metadata.namespace, ref);
            if (job != null) {
                expectations.creationObserved(job.key());
                queue.addAfter(job.key(), SYNC_BATCH_PERIOD);
            }
            return;
        }
        if (JobPods.hasTrackingFinalizer(pod)) {
            queue.add(ORPHAN_POD + pod.key());
        }
        matchingJobs(pod).forEach(j -> queue.addAfter(j.key(), SYNC_BATCH_PERIOD));
    }

    void podUpdated(Pod old, Pod pod) {
        if (Objects.equals(old.metadata.resourceVersion, pod.metadata.resourceVersion)) {
            return;
        }
        if (pod.metadata.deletionTimestamp != null) {
            // graceful deletion has begun: the Job may replace it without waiting for the kubelet
            podDeleted(pod, false);
            return;
        }
        boolean finalizerRemoved = !JobPods.hasTrackingFinalizer(pod);
        OwnerReference oldRef = ControllerRefs.controllerOf(old);
        OwnerReference newRef = ControllerRefs.controllerOf(pod);
        boolean refChanged = !Objects.equals(oldRef == null ? null : Json.write(oldRef), newRef == null ? null : Json.write(newRef));
        if (refChanged && oldRef != null) {
            Job previous = resolve(old.metadata.namespace, oldRef);
            if (previous != null) {
                if (finalizerRemoved) {
                    expectations.finalizerRemovalObserved(previous.key(), pod.metadata.uid);
                }
                queue.addAfter(previous.key(), SYNC_BATCH_PERIOD);
            }
        }
        if (newRef != null) {
            Job job = resolve(pod.metadata.namespace, newRef);
            if (job != null) {
                if (finalizerRemoved) {
                    expectations.finalizerRemovalObserved(job.key(), pod.metadata.uid);
                }
                queue.addAfter(job.key(), SYNC_BATCH_PERIOD);
            }
            return;
        }
        if (JobPods.hasTrackingFinalizer(pod)) {
            queue.add(ORPHAN_POD + pod.key());
        }
        if (refChanged || !Objects.equals(old.metadata.labels, pod.metadata.labels)) {
            matchingJobs(pod).forEach(j -> queue.addAfter(j.key(), SYNC_BATCH_PERIOD));
        }
    }

    /** {@code last}: the pod is gone from the store, not only marked for deletion. */
    void podDeleted(Pod pod, boolean last) {
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        boolean hasFinalizer = JobPods.hasTrackingFinalizer(pod);
        if (ref == null) {
            if (hasFinalizer) {
                queue.add(ORPHAN_POD + pod.key());
            }
            return;
        }
        Job job = resolve(pod.metadata.namespace, ref);
        if (job == null || JobConditions.isFinished(job)) {
            // no sync will remove this finalizer
            if (hasFinalizer) {
                queue.add(ORPHAN_POD + pod.key());
            }
            return;
        }
        expectations.deletionObserved(job.key());
        if (last || !hasFinalizer) {
            expectations.finalizerRemovalObserved(job.key(), pod.metadata.uid);
        }
        queue.addAfter(job.key(), SYNC_BATCH_PERIOD);
    }

    private void cleanupPodFinalizers(Job job) {
        for (Pod pod : SharedInformers.inNamespace(pods.store(), job.metadata.namespace)) {
            if (ControllerRefs.isControlledBy(pod, job) && JobPods.hasTrackingFinalizer(pod)) {
                queue.add(ORPHAN_POD + pod.key());
            }
        }
    }

    private Job resolve(String namespace, OwnerReference ref) {
        if (ref == null || !"Job".equals(ref.kind)) {
            return null;
        }
        Job job = jobs.store().get(namespace, ref.name);
        return job != null && Objects.equals(job.metadata.uid, ref.uid) ? job : null;
    }

    private List<Job> matchingJobs(Pod pod) {
        List<Job> out = new ArrayList<>();
        for (Job job : SharedInformers.inNamespace(jobs.store(), pod.metadata.namespace)) {
            Job view = Json.copy(job);
            JobSpecs.applyDefaults(view);
            try {
                if (Selector.from(view.spec.selector).matches(pod.metadata.labels)) {
                    out.add(job);
                }
            } catch (IllegalArgumentException e) {
                // an invalid selector selects nothing
            }
        }
        return out;
    }

    // ---- reconcile ---------------------------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        if (key.startsWith(ORPHAN_POD)) {
            syncOrphanPod(key.substring(ORPHAN_POD.length()));
            return Result.done();
        }
        return syncJob(key);
    }

    /** Removes the tracking finalizer of a pod no unfinished Job of this controller tracks (syncOrphanPod). */
    private void syncOrphanPod(String podKey) {
        Pod pod = pods.store().get(podKey);
        if (pod == null) {
            return;
        }
        OwnerReference ref = ControllerRefs.controllerOf(pod);
        if (ref != null) {
            if (!"Job".equals(ref.kind) || !"batch/v1".equals(ref.apiVersion)) {
                // not ours to touch
                return;
            }
            Job job = resolve(pod.metadata.namespace, ref);
            if (job != null && managedByOther(job)) {
                return;
            }
            if (job != null && !JobConditions.isFinished(job)) {
                // adopted meanwhile: its Job counts it
                return;
            }
        }
        removeTrackingFinalizer(pod);
    }

    /** The state of one sync, as Kubernetes' syncJobCtx. */
    private static final class SyncContext {
        // the Job with defaults applied and the status being computed (a copy)
        Job job;
        // the stored Job the next status write builds on (spec as stored, latest resourceVersion)
        Job stored;
        List<Pod> pods;
        List<Pod> activePods;
        JobConditions.Condition finishedCondition;
        int succeeded;
        int failed;
        Indexes prevSucceededIndexes = Indexes.EMPTY;
        Indexes succeededIndexes = Indexes.EMPTY;
        Indexes failedIndexes;
        PodFailureBackoff.Record newBackoffRecord;
        Set<String> expectedRmFinalizers;
        Set<String> uncountedSucceeded;
        Set<String> uncountedFailed;
        Map<Integer, Pod> podsWithDelayedDeletionPerIndex = Map.of();
        int terminating;
        int ready;
        Result requeue = Result.done();
    }

    private Result syncJob(String key) {
        Job shared = jobs.store().get(key);
        if (shared == null) {
            expectations.delete(key);
            backoff.remove(key);
            return Result.done();
        }
        if (managedByOther(shared)) {
            return Result.done();
        }
        if (JobConditions.isFinished(shared)) {
            // never redo the termination of a finished Job
            backoff.remove(key);
            return Result.done();
        }
        String mode = shared.spec.completionMode;
        if (mode != null && !mode.equals(JobSpecs.NON_INDEXED) && !mode.equals(JobSpecs.INDEXED)) {
            client.warningEvent(shared, "UnknownCompletionMode", "Skipped Job sync because completion mode is unknown");
            return Result.done();
        }
        SyncContext ctx = new SyncContext();
        ctx.stored = shared;
        Job job = Json.copy(shared);
        JobSpecs.applyDefaults(job);
        ctx.job = job;
        if (JobSpecs.isIndexed(job) && job.spec.completions == null) {
            // rejected by Kubernetes' validation; nothing sensible to do with it
            return Result.done();
        }
        Selector selector;
        try {
            selector = Selector.from(job.spec.selector);
        } catch (IllegalArgumentException e) {
            // permanent until the user fixes the object: tell them, don't hot-loop
            client.warningEvent(shared, "InvalidSelector", "couldn't convert Job selector: " + e.getMessage());
            return Result.done();
        }
        if (job.status.uncountedTerminatedPods == null) {
            job.status.uncountedTerminatedPods = new Job.UncountedTerminatedPods();
        }
        // checked before reading the pods, so a pod created meanwhile only defers this sync
        boolean satisfied = expectations.satisfied(key);

        ctx.pods = podsForJob(job, selector);
        ctx.activePods = ctx.pods.stream().filter(JobPods::isActive).toList();
        ctx.ready = (int) ctx.activePods.stream().filter(PodReadiness::isReady).count();
        ctx.uncountedSucceeded = new HashSet<>(job.status.uncountedTerminatedPods.succeeded);
        ctx.uncountedFailed = new HashSet<>(job.status.uncountedTerminatedPods.failed);
        ctx.expectedRmFinalizers = expectations.expectedFinalizerRemovals(key);
        ctx.terminating = (int) ctx.pods.stream().filter(JobPods::isTerminating).count();
        int active = ctx.activePods.size();
        List<Pod> newSucceeded = newFinishedPods(ctx, ctx.uncountedSucceeded, JobPods::isSucceeded);
        List<Pod> newFailed = newFinishedPods(ctx, ctx.uncountedFailed, p -> JobPods.isFailed(p, job));
        ctx.succeeded = count(job.status.succeeded) + newSucceeded.size() + ctx.uncountedSucceeded.size();
        ctx.failed = count(job.status.failed) + nonIgnoredFailures(job, newFailed) + ctx.uncountedFailed.size();

        Instant now = clock.instant();
        if (job.status.startTime == null && !JobSpecs.isSuspended(job)) {
            job.status.startTime = Times.format(now);
        }
        ctx.newBackoffRecord = backoff.next(key, newSucceeded, newFailed);

        RuntimeException manageError = null;
        boolean exceedsBackoffLimit = ctx.failed > job.spec.backoffLimit;
        ctx.finishedCondition = JobConditions.trueCondition(job, JobConditions.SUCCESS_CRITERIA_MET);
        // with SuccessCriteriaMet already set, success was decided in an earlier sync: no failure policy now
        if (ctx.finishedCondition == null) {
            JobConditions.Condition failureTarget = JobConditions.trueCondition(job, JobConditions.FAILURE_TARGET);
            String failJobMessage;
            if (failureTarget != null) {
                ctx.finishedCondition = JobConditions.of(JobConditions.FAILED, failureTarget.reason(), failureTarget.message(), now);
            } else if ((failJobMessage = failJobMessage(job, ctx.pods)) != null) {
                ctx.finishedCondition = JobConditions.of(JobConditions.FAILURE_TARGET, JobConditions.REASON_POD_FAILURE_POLICY, failJobMessage, now);
            }
        }
        if (ctx.finishedCondition == null) {
            if (exceedsBackoffLimit || pastBackoffLimitOnFailure(job, ctx.pods)) {
                ctx.finishedCondition = JobConditions.of(JobConditions.FAILURE_TARGET, JobConditions.REASON_BACKOFF_LIMIT_EXCEEDED,
                        "Job has reached the specified backoff limit", now);
            } else if (pastActiveDeadline(job, now)) {
                ctx.finishedCondition = JobConditions.of(JobConditions.FAILURE_TARGET, JobConditions.REASON_DEADLINE_EXCEEDED,
                        "Job was active longer than specified deadline", now);
            } else if (job.spec.activeDeadlineSeconds != null && !JobSpecs.isSuspended(job)) {
                Instant deadline = Times.parse(job.status.startTime).plusSeconds(job.spec.activeDeadlineSeconds);
                ctx.requeue = ctx.requeue.and(Result.requeueAfter(Duration.between(now, deadline)));
            }
        }
        if (JobSpecs.isIndexed(job)) {
            int completions = job.spec.completions;
            ctx.prevSucceededIndexes = Indexes.parse(job.status.completedIndexes, completions);
            ctx.succeededIndexes = ctx.prevSucceededIndexes.with(newlySucceededIndexes(ctx.pods, completions));
            ctx.succeeded = ctx.succeededIndexes.total();
            if (JobSpecs.hasBackoffLimitPerIndex(job)) {
                ctx.failedIndexes = failedIndexes(job, ctx.pods);
                if (ctx.finishedCondition == null) {
                    if (job.spec.maxFailedIndexes != null && ctx.failedIndexes.total() > job.spec.maxFailedIndexes) {
                        ctx.finishedCondition = JobConditions.of(JobConditions.FAILURE_TARGET, JobConditions.REASON_MAX_FAILED_INDEXES_EXCEEDED,
                                "Job has exceeded the specified maximal number of failed indexes", now);
                    } else if (ctx.failedIndexes.total() > 0 && ctx.failedIndexes.total() + ctx.succeededIndexes.total() >= completions) {
                        ctx.finishedCondition = JobConditions.of(JobConditions.FAILURE_TARGET, JobConditions.REASON_FAILED_INDEXES,
                                "Job has failed indexes", now);
                    }
                }
                ctx.podsWithDelayedDeletionPerIndex = podsWithDelayedDeletionPerIndex(ctx);
            }
            if (ctx.finishedCondition == null) {
                String msg = SuccessPolicies.match(job.spec.successPolicy, completions, ctx.succeededIndexes);
                if (msg != null) {
                    ctx.finishedCondition = JobConditions.of(JobConditions.SUCCESS_CRITERIA_MET, JobConditions.REASON_SUCCESS_POLICY, msg, now);
                }
            }
        }

        boolean suspendConditionChanged = false;
        if (ctx.finishedCondition != null) {
            // the Job has failed (or met its success policy): stop what still runs
            int[] deleted = deleteActivePods(job, ctx.activePods);
            if (deleted[1] != active || !satisfied) {
                // pods still to go, or pods not yet in the cache: not finished yet
                ctx.finishedCondition = null;
            }
            active -= deleted[1];
            ctx.terminating += deleted[1];
            ctx.ready -= deleted[0];
            if (deleted[2] > 0) {
                manageError = new IllegalStateException("failed to delete " + deleted[2] + " active pods");
            }
        } else {
            boolean manageCalled = false;
            if (satisfied && job.metadata.deletionTimestamp == null) {
                try {
                    active = manageJob(key, job, ctx);
                } catch (ManageJobException e) {
                    active = e.active;
                    manageError = e.cause;
                }
                manageCalled = true;
            }
            boolean complete = job.spec.completions == null
                    // work-queue style: done once any pod succeeded and none is left running
                    ? ctx.succeeded > 0 && active == 0
                    : ctx.succeeded >= job.spec.completions && active == 0;
            if (complete) {
                ctx.finishedCondition = JobConditions.of(JobConditions.SUCCESS_CRITERIA_MET, JobConditions.REASON_COMPLETIONS_REACHED,
                        "Reached expected number of succeeded pods", now);
            } else if (manageCalled) {
                if (JobSpecs.isSuspended(job)) {
                    if (JobConditions.ensure(job, JobConditions.SUSPENDED, "True", "JobSuspended", "Job suspended", now)) {
                        suspendConditionChanged = true;
                        client.normalEvent(shared, "Suspended", "Job suspended");
                    }
                } else if (JobConditions.ensure(job, JobConditions.SUSPENDED, "False", "JobResumed", "Job resumed", now)) {
                    suspendConditionChanged = true;
                    client.normalEvent(shared, "Resumed", "Job resumed");
                    // activeDeadlineSeconds counts continuous activity: the clock restarts on resume
                    job.status.startTime = Times.format(now);
                }
            }
        }

        boolean needsStatusUpdate = suspendConditionChanged || active != count(job.status.active)
                || !Objects.equals(ctx.ready, job.status.ready) || !Objects.equals(ctx.terminating, job.status.terminating);
        job.status.active = active == 0 ? null : active;
        job.status.ready = ctx.ready;
        job.status.terminating = ctx.terminating;
        trackJobStatusAndRemoveFinalizers(key, ctx, needsStatusUpdate);
        if (manageError != null) {
            return Result.retry(manageError.getMessage());
        }
        return ctx.requeue;
    }

    private boolean managedByOther(Job job) {
        return job.spec.managedBy != null && !job.spec.managedBy.equals(MANAGED_BY);
    }

    private static int count(Integer n) {
        return n == null ? 0 : n;
    }

    /**
     * The pods the Job owns after adopting matching orphans (with the tracking finalizer, after a live
     * check that the Job is not being deleted) and releasing owned pods it no longer selects. Adopted
     * pods are returned with the finalizer, as the patch gave them.
     */
    private List<Pod> podsForJob(Job job, Selector selector) {
        List<Pod> owned = new ArrayList<>();
        boolean jobDeleting = job.metadata.deletionTimestamp != null;
        Boolean canAdopt = null;
        for (Pod pod : SharedInformers.inNamespace(pods.store(), job.metadata.namespace)) {
            OwnerReference ref = ControllerRefs.controllerOf(pod);
            boolean matches = selector.matches(pod.metadata.labels);
            boolean podDeleting = pod.metadata.deletionTimestamp != null;
            if (ref != null) {
                if (!Objects.equals(ref.uid, job.metadata.uid)) {
                    continue;
                }
                if (matches || jobDeleting) {
                    owned.add(pod);
                } else if (!podDeleting) {
                    release(job, pod);
                }
            } else if (matches && !jobDeleting && !podDeleting) {
                if (canAdopt == null) {
                    canAdopt = recheckNotDeleting(job);
                }
                if (canAdopt && adopt(job, pod)) {
                    Pod adopted = Json.copy(pod);
                    adopted.metadata.ownerReferences.add(OwnerReference.controllerOf(job));
                    if (!JobPods.hasTrackingFinalizer(adopted)) {
                        adopted.metadata.finalizers.add(JobPods.TRACKING_FINALIZER);
                    }
                    owned.add(adopted);
                }
            }
        }
        return owned;
    }

    // Kubernetes' RecheckDeletionTimestamp: a quorum read before adopting, so a Job being deleted adopts nothing
    private boolean recheckNotDeleting(Job job) {
        Optional<Job> fresh = client.find(Job.class, job.metadata.namespace, job.metadata.name);
        return fresh.isPresent() && Objects.equals(fresh.get().metadata.uid, job.metadata.uid) && fresh.get().metadata.deletionTimestamp == null;
    }

    private boolean adopt(Job job, Pod pod) {
        ObjectNode patch = Json.mapper().createObjectNode();
        ObjectNode meta = patch.putObject("metadata");
        ArrayNode refs = meta.putArray("ownerReferences");
        pod.metadata.ownerReferences.forEach(r -> refs.add(Json.toTree(r)));
        refs.add(Json.toTree(OwnerReference.controllerOf(job)));
        ArrayNode finalizers = meta.putArray("finalizers");
        pod.metadata.finalizers.forEach(finalizers::add);
        if (!JobPods.hasTrackingFinalizer(pod)) {
            finalizers.add(JobPods.TRACKING_FINALIZER);
        }
        try {
            client.mergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name, Json.write(patch));
            return true;
        } catch (ApiException e) {
            if (e.isNotFound()) {
                return false;
            }
            throw e;
        }
    }

    private void release(Job job, Pod pod) {
        List<OwnerReference> rest = new ArrayList<>(pod.metadata.ownerReferences);
        rest.removeIf(r -> Objects.equals(r.uid, job.metadata.uid));
        try {
            client.mergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name, ControllerRefs.ownerReferencesPatch(rest));
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    /** Kubernetes' getValidPodsWithFilter: finished pods still carrying the finalizer, not yet uncounted, with a valid index. */
    private static List<Pod> newFinishedPods(SyncContext ctx, Set<String> uncounted, java.util.function.Predicate<Pod> filter) {
        List<Pod> out = new ArrayList<>();
        for (Pod p : ctx.pods) {
            String uid = p.metadata.uid;
            if (!JobPods.hasTrackingFinalizer(p) || (uncounted != null && uncounted.contains(uid)) || ctx.expectedRmFinalizers.contains(uid)) {
                continue;
            }
            if (JobSpecs.isIndexed(ctx.job)) {
                int ix = JobPods.completionIndex(p);
                if (ix == JobPods.UNKNOWN_INDEX || ix >= ctx.job.spec.completions) {
                    continue;
                }
            }
            if (filter.test(p)) {
                out.add(p);
            }
        }
        return out;
    }

    private static int nonIgnoredFailures(Job job, List<Pod> failed) {
        int n = failed.size();
        if (job.spec.podFailurePolicy != null) {
            for (Pod p : failed) {
                if (!PodFailurePolicies.match(job.spec.podFailurePolicy, p).countFailed()) {
                    n--;
                }
            }
        }
        return n;
    }

    /** The FailJob message of the first failed pod that matches a FailJob rule, or null. */
    private static String failJobMessage(Job job, List<Pod> pods) {
        if (job.spec.podFailurePolicy == null) {
            return null;
        }
        for (Pod p : pods) {
            if (JobPods.isFailed(p, job)) {
                String msg = PodFailurePolicies.match(job.spec.podFailurePolicy, p).failJobMessage();
                if (msg != null) {
                    return msg;
                }
            }
        }
        return null;
    }

    /**
     * With restartPolicy OnFailure, failures are container restarts: the sum over running and pending
     * pods reaching backoffLimit (any restart with a limit of 0) fails the Job.
     */
    private static boolean pastBackoffLimitOnFailure(Job job, List<Pod> pods) {
        if (job.spec.template == null || !"OnFailure".equals(job.spec.template.spec.restartPolicy)) {
            return false;
        }
        int restarts = 0;
        for (Pod p : pods) {
            String phase = JobPods.phase(p);
            if ("Running".equals(phase) || "Pending".equals(phase)) {
                for (var cs : p.status.initContainerStatuses) {
                    restarts += cs.restartCount;
                }
                for (var cs : p.status.containerStatuses) {
                    restarts += cs.restartCount;
                }
            }
        }
        int limit = job.spec.backoffLimit;
        return limit == 0 ? restarts > 0 : restarts >= limit;
    }

    private static boolean pastActiveDeadline(Job job, Instant now) {
        Instant start = JobPods.parse(job.status.startTime);
        if (job.spec.activeDeadlineSeconds == null || start == null || JobSpecs.isSuspended(job)) {
            return false;
        }
        return !Duration.between(start, now).minusSeconds(job.spec.activeDeadlineSeconds).isNegative();
    }

    private static Set<Integer> newlySucceededIndexes(List<Pod> pods, int completions) {
        Set<Integer> out = new HashSet<>();
        for (Pod p : pods) {
            int ix = JobPods.completionIndex(p);
            if (JobPods.isSucceeded(p) && ix != JobPods.UNKNOWN_INDEX && ix < completions && JobPods.hasTrackingFinalizer(p)) {
                out.add(ix);
            }
        }
        return out;
    }

    private static Indexes failedIndexes(Job job, List<Pod> pods) {
        int completions = job.spec.completions;
        Indexes prev = Indexes.parse(job.status.failedIndexes, completions);
        Set<Integer> failed = new HashSet<>();
        for (Pod p : pods) {
            int ix = JobPods.completionIndex(p);
            if (ix != JobPods.UNKNOWN_INDEX && ix < completions && JobPods.hasTrackingFinalizer(p) && isIndexFailed(job, p)) {
                failed.add(ix);
            }
        }
        return prev.with(failed);
    }

    private static boolean isIndexFailed(Job job, Pod pod) {
        boolean counted = false;
        if (JobPods.isFailed(pod, job)) {
            if (job.spec.podFailurePolicy != null) {
                PodFailurePolicies.Match m = PodFailurePolicies.match(job.spec.podFailurePolicy, pod);
                if (PodFailurePolicies.FAIL_INDEX.equals(m.action())) {
                    return true;
                }
                counted = m.countFailed();
            } else {
                counted = true;
            }
        }
        return counted && annotationCount(pod, JobPods.INDEX_FAILURE_COUNT) >= job.spec.backoffLimitPerIndex;
    }

    private static int annotationCount(Pod pod, String annotation) {
        String v = pod.metadata.annotations.get(annotation);
        if (v == null) {
            return 0;
        }
        try {
            int n = Integer.parseInt(v);
            return n < 0 ? 0 : n;
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    /**
     * Per index, the failed pod whose removal waits for its replacement, so the replacement can carry
     * the index's failure count (getPodsWithDelayedDeletionPerIndex).
     */
    private static Map<Integer, Pod> podsWithDelayedDeletionPerIndex(SyncContext ctx) {
        Set<Integer> activeIndexes = new HashSet<>();
        ctx.activePods.forEach(p -> {
            if (JobPods.completionIndex(p) != JobPods.UNKNOWN_INDEX) {
                activeIndexes.add(JobPods.completionIndex(p));
            }
        });
        Map<Integer, Pod> out = new HashMap<>();
        for (Pod p : newFinishedPods(ctx, null, p -> JobPods.isFailed(p, ctx.job))) {
            int ix = JobPods.completionIndex(p);
            if (ctx.succeededIndexes.has(ix) || ctx.failedIndexes.has(ix) || activeIndexes.contains(ix)) {
                continue;
            }
            Pod last = out.get(ix);
            if (last == null || (absoluteFailureCount(last) <= absoluteFailureCount(p) && !JobPods.finishedTime(p).isBefore(JobPods.finishedTime(last)))) {
                out.put(ix, p);
            }
        }
        return out;
    }

    private static int absoluteFailureCount(Pod p) {
        return annotationCount(p, JobPods.INDEX_FAILURE_COUNT) + annotationCount(p, JobPods.INDEX_IGNORED_FAILURE_COUNT);
    }

    /**
     * DELETE of every active pod, all at once as Kubernetes' deleteActivePods (a goroutine per pod),
     * finalizers kept (they go once counted); {ready deleted, deleted, failures}.
     */
    private int[] deleteActivePods(Job job, List<Pod> active) {
        List<ParallelCalls.Outcome<Boolean>> outcomes = ParallelCalls.forEach(active, maxInFlight, pod -> {
            try {
                client.delete(Pod.class, job.metadata.namespace, pod.metadata.name, new DeleteOptions());
                client.normalEvent(job, "SuccessfulDelete", "Deleted pod: " + pod.metadata.name);
            } catch (ApiException e) {
                if (!e.isNotFound()) {
                    client.warningEvent(job, "FailedDelete", "Error deleting: " + e.getMessage());
                    throw e;
                }
            }
            return true;
        });
        int deletedReady = 0;
        int deleted = 0;
        int failures = 0;
        for (int i = 0; i < active.size(); i++) {
            if (!outcomes.get(i).ok()) {
                failures++;
                continue;
            }
            deleted++;
            if (PodReadiness.isReady(active.get(i))) {
                deletedReady++;
            }
        }
        return new int[] {deletedReady, deleted, failures};
    }

    /** Pods created and deleted before a failure, to carry the active count past it. */
    private static final class ManageJobException extends RuntimeException {
        final int active;
        final RuntimeException cause;

        ManageJobException(int active, RuntimeException cause) {
            super(cause.getMessage(), cause, false, false);
            this.active = active;
            this.cause = cause;
        }
    }

    /**
     * Creates or deletes pods so that the right number run (Kubernetes' manageJob): none while
     * suspended; otherwise up to parallelism, never more than the completions still missing; pod
     * deletion takes precedence over creation within one sync; creation waits out the failure backoff.
     * Returns the active count after the changes.
     */
    private int manageJob(String key, Job job, SyncContext ctx) {
        int active = ctx.activePods.size();
        int parallelism = job.spec.parallelism;
        if (JobSpecs.isSuspended(job)) {
            List<Pod> victims = activePodsForRemoval(job, ctx.activePods, active);
            expectations.expectDeletions(key, victims.size());
            int[] removed = deleteJobPods(key, job, victims);
            active -= removed[1];
            ctx.terminating += removed[1];
            ctx.ready -= removed[0];
            if (removed[2] > 0) {
                throw new ManageJobException(active, new IllegalStateException("failed to delete " + removed[2] + " pods of suspended job"));
            }
            return active;
        }
        int wantActive;
        if (job.spec.completions == null) {
            // no completion count: parallelism until one pod succeeds, then let the rest finish
            wantActive = ctx.succeeded > 0 ? active : parallelism;
        } else {
            wantActive = Math.max(0, Math.min(job.spec.completions - ctx.succeeded, parallelism));
        }
        int rmAtLeast = Math.max(0, active - wantActive);
        List<Pod> victims = activePodsForRemoval(job, ctx.activePods, rmAtLeast);
        if (victims.size() > MAX_POD_CREATE_DELETE_PER_SYNC) {
            victims = victims.subList(0, MAX_POD_CREATE_DELETE_PER_SYNC);
        }
        if (!victims.isEmpty()) {
            expectations.expectDeletions(key, victims.size());
            int[] removed = deleteJobPods(key, job, victims);
            active -= removed[1];
            ctx.terminating += removed[1];
            ctx.ready -= removed[0];
            if (removed[2] > 0) {
                throw new ManageJobException(active, new IllegalStateException("failed to delete " + removed[2] + " pods"));
            }
            return active;
        }
        int terminating = JobSpecs.onlyReplaceFailedPods(job) ? ctx.terminating : 0;
        int diff = wantActive - terminating - active;
        if (diff <= 0) {
            return active;
        }
        Instant now = clock.instant();
        if (!JobSpecs.hasBackoffLimitPerIndex(job)) {
            Duration wait = ctx.newBackoffRecord.remaining(now);
            if (wait.isPositive()) {
                ctx.requeue = ctx.requeue.and(Result.requeueAfter(max(wait, SYNC_BATCH_PERIOD)));
                // Kubernetes returns 0 here, reporting no active pod while some run; the true count is kept
                return active;
            }
        }
        diff = Math.min(diff, MAX_POD_CREATE_DELETE_PER_SYNC);
        List<Integer> indexes = new ArrayList<>();
        if (JobSpecs.isIndexed(job)) {
            indexes = firstPendingIndexes(ctx, diff, job.spec.completions);
            if (JobSpecs.hasBackoffLimitPerIndex(job)) {
                List<Integer> now2 = new ArrayList<>();
                Duration soonest = null;
                for (int ix : indexes) {
                    Pod last = ctx.podsWithDelayedDeletionPerIndex.get(ix);
                    Duration wait = last == null ? Duration.ZERO
                            : PodFailureBackoff.remainingFor(absoluteFailureCount(last) + 1, JobPods.finishedTime(last), now);
                    if (wait.isZero()) {
                        now2.add(ix);
                    } else if (soonest == null || wait.compareTo(soonest) < 0) {
                        soonest = wait;
                    }
                }
                if (now2.isEmpty() && soonest != null) {
                    ctx.requeue = ctx.requeue.and(Result.requeueAfter(max(soonest, SYNC_BATCH_PERIOD)));
                    return active;
                }
                indexes = now2;
            }
            diff = indexes.size();
        }
        if (diff == 0) {
            return active;
        }
        expectations.expectCreations(key, diff);
        PodTemplateSpec template = Json.copy(job.spec.template);
        if (JobSpecs.isIndexed(job)) {
            addCompletionIndexEnv(template);
        }
        if (!template.metadata.finalizers.contains(JobPods.TRACKING_FINALIZER)) {
            template.metadata.finalizers.add(JobPods.TRACKING_FINALIZER);
        }
        Creations creations = createInBatches(key, job, template, diff, indexes, ctx);
        active += creations.created();
        if (creations.error() != null) {
            throw new ManageJobException(active, new IllegalStateException(creations.error()));
        }
        return active;
    }

    private static Duration max(Duration a, Duration b) {
        return a.compareTo(b) >= 0 ? a : b;
    }

    /** How many pods a sync created, and the first creation error (null if none). */
    private record Creations(int created, String error) {
    }

    /**
     * Slow start, as Kubernetes' manageJob ({@link SlowStartBatch}): batches of 1, 2, 4, ... created
     * concurrently (call {@code i} creates the pod of {@code indexes[i]} for an Indexed Job); the first
     * batch with a failure ends the sync; the failed and the skipped creations are no longer expected. A
     * namespace being deleted refuses every creation: not a failure (the pod counts as created, as in
     * Kubernetes, and the namespace controller removes the Job).
     */
    private Creations createInBatches(String key, Job job, PodTemplateSpec template, int count, List<Integer> indexes, SyncContext ctx) {
        SlowStartBatch.Result<Pod> result = SlowStartBatch.run(count, SlowStartBatch.INITIAL_BATCH_SIZE, Integer.MAX_VALUE, maxInFlight, i -> {
            Integer ix = indexes.isEmpty() ? null : indexes.get(i);
            Pod pod = newPod(job, template, ix, ix == null ? null : ctx.podsWithDelayedDeletionPerIndex.get(ix));
            try {
                Pod p = client.create(pod);
                client.normalEvent(job, "SuccessfulCreate", "Created pod: " + (p == null ? "" : p.metadata.name));
                return p;
            } catch (ApiException e) {
                if (NamespaceTerminating.refused(e)) {
                    return null;
                }
                client.warningEvent(job, "FailedCreate", "Error creating: " + e.getMessage());
                throw e;
            }
        });
        // the failed and the never attempted ones will not be observed: stop expecting them
        for (int i = result.successes(); i < count; i++) {
            expectations.creationObserved(key);
        }
        Exception first = result.firstError();
        return new Creations(result.successes(), first == null ? null : "Error creating: " + first.getMessage());
    }

    /**
     * A pod from the template (Kubernetes' GetPodFromTemplate): labels, annotations, finalizers and
     * spec copied, controlled by the Job, named from {@code <job>-}; for an index, also the index
     * annotation and label, the hostname {@code <job>-<index>}, the name prefix {@code <job>-<index>-},
     * and with backoffLimitPerIndex the index's failure counts.
     */
    static Pod newPod(Job job, PodTemplateSpec template, Integer index, Pod replaced) {
        PodTemplateSpec t = Json.copy(template);
        Pod pod = new Pod();
        pod.metadata.namespace = job.metadata.namespace;
        pod.metadata.generateName = job.metadata.name + "-";
        pod.metadata.labels.putAll(t.metadata.labels);
        pod.metadata.annotations.putAll(t.metadata.annotations);
        pod.metadata.finalizers.addAll(t.metadata.finalizers);
        pod.spec = t.spec;
        if (index != null) {
            pod.metadata.annotations.put(JobPods.COMPLETION_INDEX, Integer.toString(index));
            pod.metadata.labels.put(JobPods.COMPLETION_INDEX, Integer.toString(index));
            pod.spec.hostname = job.metadata.name + "-" + index;
            pod.metadata.generateName = generateNameWithIndex(job.metadata.name, index);
            if (JobSpecs.hasBackoffLimitPerIndex(job)) {
                int failures = 0;
                int ignored = 0;
                if (replaced != null) {
                    failures = annotationCount(replaced, JobPods.INDEX_FAILURE_COUNT);
                    ignored = annotationCount(replaced, JobPods.INDEX_IGNORED_FAILURE_COUNT);
                    if (job.spec.podFailurePolicy == null || PodFailurePolicies.match(job.spec.podFailurePolicy, replaced).countFailed()) {
                        failures++;
                    } else {
                        ignored++;
                    }
                }
                pod.metadata.annotations.put(JobPods.INDEX_FAILURE_COUNT, Integer.toString(failures));
                if (ignored > 0) {
                    pod.metadata.annotations.put(JobPods.INDEX_IGNORED_FAILURE_COUNT, Integer.toString(ignored));
                }
            }
        }
        pod.metadata.ownerReferences.add(OwnerReference.controllerOf(job));
        return pod;
    }

    static String generateNameWithIndex(String jobName, int index) {
        String suffix = "-" + index + "-";
        String prefix = jobName + suffix;
        if (prefix.length() > MAX_GENERATED_NAME_LENGTH) {
            prefix = prefix.substring(0, MAX_GENERATED_NAME_LENGTH - suffix.length()) + suffix;
        }
        return prefix;
    }

    /**
     * JOB_COMPLETION_INDEX in every container, from the downward API (the index label), unless the
     * container sets it already (addCompletionIndexEnvVariables). The kubelet resolves the fieldRef.
     */
    private static void addCompletionIndexEnv(PodTemplateSpec template) {
        List<Container> all = new ArrayList<>(template.spec.initContainers);
        all.addAll(template.spec.containers);
        for (Container c : all) {
            if (c.env.stream().anyMatch(e -> "JOB_COMPLETION_INDEX".equals(e.name))) {
                continue;
            }
            Container.EnvVar var = new Container.EnvVar();
            var.name = "JOB_COMPLETION_INDEX";
            var.valueFrom = new java.util.LinkedHashMap<>(Map.of("fieldRef",
                    new java.util.LinkedHashMap<>(Map.of("fieldPath", "metadata.labels['" + JobPods.COMPLETION_INDEX + "']"))));
            c.env.add(var);
        }
    }

    /** The lowest {@code count} indexes below completions that neither succeeded, failed, nor run (firstPendingIndexes). */
    private static List<Integer> firstPendingIndexes(SyncContext ctx, int count, int completions) {
        Set<Integer> busy = new HashSet<>();
        for (Pod p : ctx.activePods) {
            if (JobPods.completionIndex(p) != JobPods.UNKNOWN_INDEX) {
                busy.add(JobPods.completionIndex(p));
            }
        }
        Indexes nonPending = ctx.succeededIndexes.with(busy);
        if (JobSpecs.onlyReplaceFailedPods(ctx.job)) {
            Set<Integer> terminating = new HashSet<>();
            for (Pod p : ctx.pods) {
                if (JobPods.isTerminating(p) && JobPods.completionIndex(p) != JobPods.UNKNOWN_INDEX) {
                    terminating.add(JobPods.completionIndex(p));
                }
            }
            nonPending = nonPending.with(terminating);
        }
        if (ctx.failedIndexes != null) {
            nonPending = nonPending.merge(ctx.failedIndexes);
        }
        List<Integer> out = new ArrayList<>();
        for (int ix = 0; ix < completions && out.size() < count; ix++) {
            if (!nonPending.has(ix)) {
                out.add(ix);
            }
        }
        return out;
    }

    /**
     * The active pods to remove: for Indexed Jobs every pod without a valid index or beyond
     * completions and all but one pod per repeated index, then, least valuable first, enough to remove
     * at least {@code rmAtLeast}.
     */
    private static List<Pod> activePodsForRemoval(Job job, List<Pod> active, int rmAtLeast) {
        List<Pod> rm = new ArrayList<>();
        List<Pod> left = new ArrayList<>();
        if (JobSpecs.isIndexed(job)) {
            Map<Integer, List<Pod>> byIndex = new java.util.TreeMap<>();
            for (Pod p : active) {
                int ix = JobPods.completionIndex(p);
                if (ix == JobPods.UNKNOWN_INDEX || ix >= job.spec.completions) {
                    rm.add(p);
                } else {
                    byIndex.computeIfAbsent(ix, k -> new ArrayList<>()).add(p);
                }
            }
            for (List<Pod> same : byIndex.values()) {
                same.sort(JobPods.ACTIVE_PODS_ORDER);
                rm.addAll(same.subList(0, same.size() - 1));
                left.add(same.getLast());
            }
        } else {
            left.addAll(active);
        }
        if (rm.size() < rmAtLeast) {
            left.sort(JobPods.ACTIVE_PODS_ORDER);
            rm.addAll(left.subList(0, Math.min(left.size(), rmAtLeast - rm.size())));
        }
        return rm;
    }

    /**
     * Removes the tracking finalizer, then deletes, each pod, all at once (deleteJobPods): a pod the Job
     * deletes on purpose is not a failure to count; a pod already gone counts as deleted. Returns
     * {ready deleted, deleted, failures}.
     */
    private int[] deleteJobPods(String key, Job job, List<Pod> victims) {
        // all at once, as Kubernetes (a goroutine per pod)
        List<ParallelCalls.Outcome<Boolean>> outcomes = ParallelCalls.forEach(victims, maxInFlight, pod -> {
            try {
                if (JobPods.hasTrackingFinalizer(pod)) {
                    client.strategicMergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name, removeFinalizerPatch());
                }
                client.delete(Pod.class, job.metadata.namespace, pod.metadata.name, new DeleteOptions());
                client.normalEvent(job, "SuccessfulDelete", "Deleted pod: " + pod.metadata.name);
                return true;
            } catch (ApiException e) {
                // the informer won't observe this deletion
                expectations.deletionObserved(key);
                if (!e.isNotFound()) {
                    client.warningEvent(job, "FailedDelete", "Error deleting: " + e.getMessage());
                    throw e;
                }
                // gone already: a successful deletion for the counts, as Kubernetes' successfulDeletes
                return true;
            }
        });
        int deletedReady = 0;
        int deleted = 0;
        int failures = 0;
        for (int i = 0; i < victims.size(); i++) {
            ParallelCalls.Outcome<Boolean> o = outcomes.get(i);
            if (!o.ok()) {
                failures++;
            } else {
                deleted++;
                if (PodReadiness.isReady(victims.get(i))) {
                    deletedReady++;
                }
            }
        }
        return new int[] {deletedReady, deleted, failures};
    }

    static String removeFinalizerPatch() {
        return "{\"metadata\":{\"$deleteFromPrimitiveList/finalizers\":[\"" + JobPods.TRACKING_FINALIZER + "\"]}}";
    }

    private void removeTrackingFinalizer(Pod pod) {
        if (!JobPods.hasTrackingFinalizer(pod)) {
            return;
        }
        try {
            client.strategicMergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name, removeFinalizerPatch());
        } catch (ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
    }

    // ---- status tracking ---------------------------------------------------------------------

    /**
     * Kubernetes' trackJobStatusAndRemoveFinalizers: (1) finished pods go into
     * status.uncountedTerminatedPods (Indexed: their index into completedIndexes), written first;
     * (2) their finalizers are removed; (3) pods whose finalizer is gone move from the uncounted lists
     * to succeeded / failed; (4) with nothing uncounted and nothing terminating, the interim
     * condition becomes Complete or Failed.
     */
    private void trackJobStatusAndRemoveFinalizers(String key, SyncContext ctx, boolean needsFlush) {
        Job job = ctx.job;
        boolean indexed = JobSpecs.isIndexed(job);
        Job.UncountedTerminatedPods uncounted = job.status.uncountedTerminatedPods;
        List<Pod> podsInOrder = new ArrayList<>(ctx.pods);
        if (indexed) {
            // completed indexes are added in order
            podsInOrder.sort(Comparator.comparingInt(JobPods::completionIndex));
        }
        Set<String> uidsWithFinalizer = new HashSet<>();
        for (Pod p : ctx.pods) {
            if (JobPods.hasTrackingFinalizer(p) && !ctx.expectedRmFinalizers.contains(p.metadata.uid)) {
                uidsWithFinalizer.add(p.metadata.uid);
            }
        }
        int oldSucceeded = count(job.status.succeeded);
        int oldFailed = count(job.status.failed);
        if (cleanUncountedPodsWithoutFinalizers(job.status, uidsWithFinalizer)) {
            needsFlush = true;
        }
        List<Pod> toRemoveFinalizer = new ArrayList<>();
        List<Integer> newSucceededIndexes = new ArrayList<>();
        boolean reachedMaxUncounted = false;
        for (Pod pod : podsInOrder) {
            String uid = pod.metadata.uid;
            if (!JobPods.hasTrackingFinalizer(pod) || ctx.expectedRmFinalizers.contains(uid)) {
                // counted in an earlier sync
                continue;
            }
            boolean considerFailed = JobPods.isFailed(pod, job);
            if (!canRemoveFinalizer(ctx, pod, considerFailed)) {
                continue;
            }
            toRemoveFinalizer.add(pod);
            if (JobPods.isSucceeded(pod) && !ctx.uncountedFailed.contains(uid)) {
                if (indexed) {
                    // the index is enough to avoid counting twice
                    int ix = JobPods.completionIndex(pod);
                    if (ix != JobPods.UNKNOWN_INDEX && ix < job.spec.completions && !ctx.prevSucceededIndexes.has(ix)) {
                        newSucceededIndexes.add(ix);
                        needsFlush = true;
                    }
                } else if (!ctx.uncountedSucceeded.contains(uid)) {
                    needsFlush = true;
                    uncounted.succeeded.add(uid);
                }
            } else if (considerFailed || (ctx.finishedCondition != null && !JobConditions.SUCCESS_CRITERIA_MET.equals(ctx.finishedCondition.type()))) {
                // once the Job has failed, every pod not yet terminal counts as failed
                int ix = JobPods.completionIndex(pod);
                if (!ctx.uncountedFailed.contains(uid) && (!indexed || (ix != JobPods.UNKNOWN_INDEX && ix < job.spec.completions))) {
                    if (job.spec.podFailurePolicy == null || PodFailurePolicies.match(job.spec.podFailurePolicy, pod).countFailed()) {
                        needsFlush = true;
                        uncounted.failed.add(uid);
                    }
                }
            }
            if (newSucceededIndexes.size() + uncounted.succeeded.size() + uncounted.failed.size() >= MAX_UNCOUNTED_PODS) {
                // keeps status small and a big Job from starving others; the next sync goes on
                reachedMaxUncounted = true;
                break;
            }
        }
        if (indexed) {
            ctx.succeededIndexes = ctx.succeededIndexes.with(newSucceededIndexes);
            String completed = ctx.succeededIndexes.toString();
            if (!completed.equals(job.status.completedIndexes == null ? "" : job.status.completedIndexes)) {
                needsFlush = true;
            }
            job.status.succeeded = zeroToNull(ctx.succeededIndexes.total());
            job.status.completedIndexes = completed.isEmpty() ? null : completed;
            String failedIndexes = ctx.failedIndexes == null ? null : ctx.failedIndexes.toString();
            if (!Objects.equals(job.status.failedIndexes, failedIndexes)) {
                job.status.failedIndexes = failedIndexes;
                needsFlush = true;
            }
        }
        Instant now = clock.instant();
        if (ctx.finishedCondition != null && JobConditions.FAILURE_TARGET.equals(ctx.finishedCondition.type())) {
            // the interim FailureTarget is written before the finalizers go; Failed follows once pods are gone
            JobConditions.append(job, ctx.finishedCondition);
            needsFlush = true;
            ctx.finishedCondition = JobConditions.of(JobConditions.FAILED, ctx.finishedCondition.reason(), ctx.finishedCondition.message(), now);
        }
        if (ctx.finishedCondition != null && JobConditions.SUCCESS_CRITERIA_MET.equals(ctx.finishedCondition.type())) {
            if (JobConditions.trueCondition(job, JobConditions.SUCCESS_CRITERIA_MET) == null) {
                JobConditions.append(job, ctx.finishedCondition);
                needsFlush = true;
            }
            ctx.finishedCondition = JobConditions.of(JobConditions.COMPLETE, ctx.finishedCondition.reason(), ctx.finishedCondition.message(), now);
        }

        // (1) + (2) + (3)
        RuntimeException removalError = null;
        if (needsFlush) {
            writeStatus(ctx);
            backoff.update(ctx.newBackoffRecord);
            needsFlush = false;
        }
        if (!toRemoveFinalizer.isEmpty()) {
            List<String> uids = toRemoveFinalizer.stream().map(p -> p.metadata.uid).toList();
            expectations.expectFinalizersRemoved(key, uids);
            for (Pod pod : toRemoveFinalizer) {
                try {
                    client.strategicMergePatch(Pod.class, pod.metadata.namespace, pod.metadata.name, removeFinalizerPatch());
                    uidsWithFinalizer.remove(pod.metadata.uid);
                } catch (ApiException e) {
                    // no update of this pod will come: stop expecting one
                    expectations.finalizerRemovalObserved(key, pod.metadata.uid);
                    if (e.isNotFound()) {
                        uidsWithFinalizer.remove(pod.metadata.uid);
                    } else {
                        removalError = e;
                    }
                }
            }
        }
        if (cleanUncountedPodsWithoutFinalizers(job.status, uidsWithFinalizer)) {
            needsFlush = true;
        }
        if (removalError != null) {
            if (needsFlush) {
                // keep the partial progress
                writeStatus(ctx);
            }
            throw removalError;
        }
        // (4)
        boolean finished = !reachedMaxUncounted && enactJobFinished(ctx, now);
        if (finished) {
            needsFlush = true;
        }
        if (needsFlush) {
            writeStatus(ctx);
            if (finished) {
                recordJobFinished(ctx);
            }
        }
    }

    /** Kubernetes' canRemoveFinalizer. */
    private static boolean canRemoveFinalizer(SyncContext ctx, Pod pod, boolean considerFailed) {
        if (ctx.job.metadata.deletionTimestamp != null || ctx.finishedCondition != null || JobPods.isSucceeded(pod)) {
            return true;
        }
        if (!considerFailed) {
            return false;
        }
        if (JobSpecs.hasBackoffLimitPerIndex(ctx.job)) {
            int ix = JobPods.completionIndex(pod);
            Pod delayed = ctx.podsWithDelayedDeletionPerIndex.get(ix);
            // kept until its replacement exists, so the replacement inherits the failure count
            return delayed == null || !Objects.equals(delayed.metadata.uid, pod.metadata.uid);
        }
        return true;
    }

    /** Moves uncounted pods whose finalizer is gone to succeeded / failed; whether anything changed. */
    private static boolean cleanUncountedPodsWithoutFinalizers(Job.JobStatus status, Set<String> uidsWithFinalizer) {
        boolean updated = false;
        Job.UncountedTerminatedPods u = status.uncountedTerminatedPods;
        List<String> keep = u.succeeded.stream().filter(uidsWithFinalizer::contains).toList();
        if (keep.size() != u.succeeded.size()) {
            updated = true;
            status.succeeded = zeroToNull(count(status.succeeded) + u.succeeded.size() - keep.size());
            u.succeeded = new ArrayList<>(keep);
        }
        keep = u.failed.stream().filter(uidsWithFinalizer::contains).toList();
        if (keep.size() != u.failed.size()) {
            updated = true;
            status.failed = zeroToNull(count(status.failed) + u.failed.size() - keep.size());
            u.failed = new ArrayList<>(keep);
        }
        return updated;
    }

    private static Integer zeroToNull(int n) {
        // Kubernetes' succeeded / failed are omitempty
        return n == 0 ? null : n;
    }

    /** Adds Complete or Failed once nothing is uncounted or terminating (enactJobFinished). */
    private boolean enactJobFinished(SyncContext ctx, Instant now) {
        if (ctx.finishedCondition == null) {
            return false;
        }
        Job.UncountedTerminatedPods u = ctx.job.status.uncountedTerminatedPods;
        if (!u.succeeded.isEmpty() || !u.failed.isEmpty()) {
            return false;
        }
        if (ctx.terminating > 0) {
            // delayTerminalCondition (JobPodReplacementPolicy / JobManagedBy on in 1.32)
            return false;
        }
        JobConditions.Condition c = ctx.finishedCondition;
        JobConditions.ensure(ctx.job, c.type(), "True", c.reason(), c.message(), now);
        if (JobConditions.COMPLETE.equals(c.type())) {
            ctx.job.status.completionTime = Times.format(now);
        }
        return true;
    }

    private void recordJobFinished(SyncContext ctx) {
        Job job = ctx.stored;
        JobConditions.Condition c = ctx.finishedCondition;
        if (JobConditions.COMPLETE.equals(c.type())) {
            if (ctx.job.spec.completions != null && count(ctx.job.status.succeeded) > ctx.job.spec.completions) {
                client.warningEvent(job, "TooManySucceededPods", "Too many succeeded pods running after completion count reached");
            }
            client.normalEvent(job, "Completed", "Job completed");
        } else {
            client.warningEvent(job, c.reason(), c.message());
        }
    }

    /** PUT status of the stored Job (spec as stored) with the computed status; the next write builds on the answer. */
    private void writeStatus(SyncContext ctx) {
        Job out = Json.copy(ctx.stored);
        out.status = Json.copy(ctx.job.status);
        Job written = StatusWrites.updateStatus(client, out);
        ctx.stored = written != null ? written : out;
        ctx.job.metadata.resourceVersion = ctx.stored.metadata.resourceVersion;
    }

    /** Outstanding creations for {@code key} (for tests). */
    int pendingCreations(String key) {
        return expectations.pendingCreations(key);
    }

    /** The pods of {@code key} whose finalizer removal is outstanding (for tests). */
    Set<String> expectedFinalizerRemovals(String key) {
        return new LinkedHashSet<>(expectations.expectedFinalizerRemovals(key));
    }
}
