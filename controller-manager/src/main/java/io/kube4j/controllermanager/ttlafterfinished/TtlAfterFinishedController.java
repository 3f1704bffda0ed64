package io.kube4j.controllermanager.ttlafterfinished;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Job;
import io.kube4j.controllermanager.job.JobConditions;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Times;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Objects;
import java.util.Optional;

/**
 * Deletes a finished Job (Complete or Failed True) once {@code spec.ttlSecondsAfterFinished} have
 * passed since it finished (the condition's lastTransitionTime), with foreground propagation (its pods
 * go first) and a uid precondition, after re-reading the Job live in case its TTL changed.
 *
 * <p>Kubernetes: {@code pkg/controller/ttlafterfinished/ttlafterfinished_controller.go} (1.32).
 */
public final class TtlAfterFinishedController implements Controller {
    // reads: the Job cache, never mutated
    private final Informer<Job> jobs;
    // the live re-read and the delete
    private final ControllerClient client;
    // time the TTL is measured against
    private final Clock clock;
    // keys of finished Jobs with a TTL
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public TtlAfterFinishedController(SharedInformers informers, ControllerClient client, Clock clock) {
        this.jobs = informers.informer(Job.class);
        this.client = client;
        this.clock = clock;
        jobs.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                enqueueIfNeeded(job);
            }

            @Override
            public void onUpdate(Job old, Job job) {
                enqueueIfNeeded(job);
            }

            @Override
            public void onDelete(Job job) {
            }
        });
    }

    @Override
    public String name() {
        return "ttl-after-finished";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(jobs);
    }

    private void enqueueIfNeeded(Job job) {
        if (job.metadata.deletionTimestamp == null && needsCleanup(job)) {
            queue.add(job.key());
        }
    }

    /** A TTL is set and the Job has finished. */
    static boolean needsCleanup(Job job) {
        return job.spec.ttlSecondsAfterFinished != null && JobConditions.isFinished(job);
    }

    @Override
    public Result reconcile(String key) {
        Job job = jobs.store().get(key);
        if (job == null) {
            return Result.done();
        }
        Result cached = processTtl(job);
        if (cached != null) {
            return cached;
        }
        // the TTL looks expired, but the cache may be stale: decide on the live Job
        Optional<Job> fresh = client.find(Job.class, job.metadata.namespace, job.metadata.name);
        if (fresh.isEmpty()) {
            return Result.done();
        }
        Result live = processTtl(fresh.get());
        if (live != null) {
            return live;
        }
        DeleteOptions options = new DeleteOptions();
        options.propagationPolicy = "Foreground";
        options.preconditions = new DeleteOptions.Preconditions();
        options.preconditions.uid = fresh.get().metadata.uid;
        try {
            client.delete(Job.class, job.metadata.namespace, job.metadata.name, options);
        } catch (io.kube4j.client.ApiException e) {
            if (!e.isNotFound()) {
                throw e;
            }
        }
        return Result.done();
    }

    /** Null when the TTL has expired; otherwise what to do (nothing, or look again when it expires). */
    private Result processTtl(Job job) {
        if (job.metadata.deletionTimestamp != null || !needsCleanup(job)) {
            return Result.done();
        }
        Instant finishedAt = finishTime(job);
        if (finishedAt == null) {
            // "unable to find the time when the Job finished": an error, retried with backoff
            return Result.retry("unable to find the time when the Job " + job.key() + " finished");
        }
        Duration left = Duration.between(clock.instant(), finishedAt.plusSeconds(job.spec.ttlSecondsAfterFinished));
        if (left.isZero() || left.isNegative()) {
            return null;
        }
        return Result.requeueAfter(left);
    }

    /** The lastTransitionTime of the True Complete or Failed condition. */
    static Instant finishTime(Job job) {
        for (Job.JobCondition c : job.status.conditions) {
            if ((Objects.equals(c.type, JobConditions.COMPLETE) || Objects.equals(c.type, JobConditions.FAILED)) && "True".equals(c.status)) {
                try {
                    return Times.parse(c.lastTransitionTime);
                } catch (RuntimeException e) {
                    return null;
                }
            }
        }
        return null;
    }
}
