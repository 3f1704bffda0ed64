package io.kube4j.scheduler.core;

import io.kube4j.api.Pod;
import io.kube4j.client.ApiException;
import io.kube4j.scheduler.cache.SchedulerCache;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.Diagnosis;
import io.kube4j.scheduler.framework.Framework;
import io.kube4j.scheduler.framework.NominatingInfo;
import io.kube4j.scheduler.framework.PostFilterResult;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Snapshot;
import io.kube4j.scheduler.metrics.SchedulerMetrics;
import io.kube4j.scheduler.metrics.SchedulerMetrics.Result;
import io.kube4j.scheduler.queue.QueuedPod;
import io.kube4j.scheduler.queue.SchedulingQueue;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;
import java.util.function.Function;

/**
 * The scheduling loop: one pod at a time, pop it from the queue, run the algorithm on a fresh
 * snapshot, assume the chosen node in the cache and hand the binding to another thread, so the next
 * pod is scheduled while the apiserver persists the last one. A pod that fits nowhere goes through the
 * PostFilter plugins (preemption), which may nominate a node for it: the nomination is kept by the
 * queue's nominator at once and written to {@code status.nominatedNodeName} with the Unschedulable condition. The assume-cache keeps the pods being
 * bound counted on their nodes. A binding that fails is forgotten and the pod retried with backoff,
 * unless the apiserver answered 409/404 (already bound, or gone): then the informer tells the truth.
 */
public final class Scheduler {
    private static final Logger log = LoggerFactory.getLogger(Scheduler.class);

    private final SchedulingQueue queue;
    private final SchedulerCache cache;
    private final Framework framework;
    private final SchedulingAlgorithm algorithm;
    private final Binder binder;
    private final SchedulingReporter reporter;
    private final SchedulerMetrics metrics;
    private final Function<String, Pod> podLister;
    private final Executor bindExecutor;
    private final Semaphore bindPermits;
    // read only by the scheduling thread
    private final Snapshot snapshot = new Snapshot();

    /**
     * @param podLister        the informer's current pod by key (null when gone)
     * @param bindExecutor     runs bindings (virtual threads in production, the caller's thread in tests)
     * @param bindConcurrency  how many bindings may be in flight to the apiserver at once
     */
    public Scheduler(SchedulingQueue queue, SchedulerCache cache, Framework framework, SchedulingAlgorithm algorithm,
                     Binder binder, SchedulingReporter reporter, SchedulerMetrics metrics, Function<String, Pod> podLister,
                     Executor bindExecutor, int bindConcurrency) {
        this.queue = queue;
        this.cache = cache;
        this.framework = framework;
        this.algorithm = algorithm;
        this.binder = binder;
        this.reporter = reporter;
        this.metrics = metrics;
        this.podLister = podLister;
        this.bindExecutor = bindExecutor;
        this.bindPermits = new Semaphore(Math.max(1, bindConcurrency));
    }

    /** Schedules pods until the thread is interrupted or the queue closes. */
    public void run() {
        try {
            while (!Thread.currentThread().isInterrupted()) {
                if (!scheduleOne()) {
                    return;
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    /** Takes the next pod and schedules it; false when the queue is closed. */
    public boolean scheduleOne() throws InterruptedException {
        QueuedPod attempt = queue.pop();
        if (attempt == null) {
            return false;
        }
        try {
            schedule(attempt);
        } catch (RuntimeException e) {
            // a bug must cost one attempt of one pod, not the loop
            log.error("scheduling {} failed", attempt.key(), e);
            queue.requeueBackoff(attempt, podLister.apply(attempt.key()));
        }
        return true;
    }

    private void schedule(QueuedPod attempt) {
        long start = System.nanoTime();
        Pod pod = attempt.pod();
        String key = attempt.key();
        if (pod.metadata.deletionTimestamp != null || cache.contains(key)) {
            // being deleted, or already bound/assumed (a stale queue entry): nothing to do
            queue.done(key);
            return;
        }
        PodInfo info = PodInfo.of(pod);
        cache.updateSnapshot(snapshot);
        ScheduleResult result = algorithm.schedule(info, snapshot);
        metrics.algorithm(System.nanoTime() - start);
        if (!result.fits()) {
            Diagnosis diagnosis = result.diagnosis();
            boolean error = diagnosis.hasError();
            NominatingInfo nominating = NominatingInfo.NOOP;
            if (!error && result.state() != null && framework.hasPostFilterPlugins()) {
                // Kubernetes runs PostFilter on a FitError: try to make the pod fit in a later cycle
                PostFilterResult postFilter = framework.runPostFilters(result.state(), info, diagnosis);
                diagnosis.setPostFilterMessage(postFilter.status().message());
                if (postFilter.status().code() == io.kube4j.scheduler.framework.Status.Code.ERROR) {
                    log.warn("PostFilter for {}: {}", key, postFilter.status().message());
                }
                nominating = postFilter.nominating();
            }
            String message = diagnosis.message();
            metrics.attempt(error ? Result.ERROR : Result.UNSCHEDULABLE, System.nanoTime() - start);
            log.debug("{} unschedulable: {}", key, message);
            Pod latest = podLister.apply(key);
            if (error) {
                queue.requeueBackoff(attempt, latest);
                reporter.failed(pod, message);
            } else {
                if (nominating.isOverride() && latest != null) {
                    // known at once, not only when the informer brings the status patch: the room is reserved from now
                    queue.nominator().addNominatedPod(latest == pod ? info : PodInfo.of(latest), nominating);
                }
                queue.requeueUnschedulable(attempt, latest, framework.requeueEvents(diagnosis.rejectingPlugins()));
                reporter.unschedulable(latest == null ? pod : latest, message, nominating);
            }
            return;
        }
        String node = result.nodeName();
        cache.assume(info, node);
        // an assumed pod takes its room for real: it no longer reserves any as a nominated pod
        queue.nominator().deleteNominatedPodIfExists(key);
        bindExecutor.execute(() -> bind(attempt, node, start));
    }

    private void bind(QueuedPod attempt, String node, long start) {
        Pod pod = attempt.pod();
        String key = attempt.key();
        try {
            bindPermits.acquire();
            try {
                binder.bind(pod, node);
            } finally {
                bindPermits.release();
            }
            metrics.attempt(Result.SCHEDULED, System.nanoTime() - start);
            queue.done(key);
            reporter.scheduled(pod, node);
        } catch (ApiException e) {
            metrics.attempt(Result.ERROR, System.nanoTime() - start);
            if (cache.forget(key)) {
                queue.onEvent(ClusterEvent.ASSIGNED_POD_REMOVED);
            }
            if (e.isConflict() || e.isNotFound()) {
                log.debug("binding {} to {}: {} (dropped; the informer has the truth)", key, node, e.getMessage());
                queue.done(key);
            } else {
                log.info("binding {} to {} failed: {} (retrying with backoff)", key, node, e.getMessage());
                queue.requeueBackoff(attempt, podLister.apply(key));
                reporter.failed(pod, "Binding rejected: " + e.getMessage());
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            if (cache.forget(key)) {
                queue.onEvent(ClusterEvent.ASSIGNED_POD_REMOVED);
            }
            queue.requeueBackoff(attempt, podLister.apply(key));
        } catch (RuntimeException e) {
            metrics.attempt(Result.ERROR, System.nanoTime() - start);
            log.warn("binding {} to {} failed", key, node, e);
            if (cache.forget(key)) {
                queue.onEvent(ClusterEvent.ASSIGNED_POD_REMOVED);
            }
            queue.requeueBackoff(attempt, podLister.apply(key));
        }
    }
}
