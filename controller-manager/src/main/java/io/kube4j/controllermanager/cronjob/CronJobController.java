package io.kube4j.controllermanager.cronjob;

import io.kube4j.api.CronJob;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Job;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.OwnerReference;
import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.job.JobConditions;
import io.kube4j.controllermanager.runtime.Controller;
import io.kube4j.controllermanager.runtime.ControllerClient;
import io.kube4j.controllermanager.runtime.ControllerRefs;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.runtime.StatusWrites;
import io.kube4j.controllermanager.workqueue.RateLimiter;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.json.Times;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;

/**
 * Creates a Job for each scheduled time of each CronJob, as Kubernetes 1.32's
 * {@code pkg/controller/cronjob/cronjob_controllerv2.go} and {@code utils.go}: the Job is named
 * {@code <cronjob>-<scheduled time in minutes since the epoch>} (the name is the lock against creating
 * it twice) and annotated {@code batch.kubernetes.io/cronjob-scheduled-timestamp}; only the most
 * recent missed time is run, not later than {@code startingDeadlineSeconds}; concurrencyPolicy
 * Allow / Forbid / Replace; suspend; finished Jobs beyond the history limits are deleted; status
 * keeps the active Jobs, lastScheduleTime and lastSuccessfulTime. The key is requeued for the next
 * scheduled time (plus 100 ms), so nothing polls.
 */
public final class CronJobController implements Controller {
    /** The annotation with the scheduled time (RFC 3339, in the CronJob's time zone). */
    public static final String SCHEDULED_TIMESTAMP = "batch.kubernetes.io/cronjob-scheduled-timestamp";
    /** Requeue slightly after the scheduled time, against clock skew (nextScheduleDelta). */
    static final Duration NEXT_SCHEDULE_DELTA = Duration.ofMillis(100);
    /** More missed times than this are reported as TooManyMissedTimes. */
    static final int MANY_MISSED = 100;
    private static final DateTimeFormatter RFC3339 = DateTimeFormatter.ofPattern("yyyy-MM-dd'T'HH:mm:ssXXX");
    private static final DateTimeFormatter RFC1123Z = DateTimeFormatter.ofPattern("EEE, dd MMM yyyy HH:mm:ss Z", Locale.ROOT);

    // reads: the CronJob and Job caches, never mutated
    private final Informer<CronJob> cronJobs;
    private final Informer<Job> jobs;
    // writes, live reads and events
    private final ControllerClient client;
    // "now" for schedules; its zone stands in for the controller's local time zone
    private final Clock clock;
    // keys of CronJobs
    private final WorkQueue queue = new WorkQueue(RateLimiter.defaultControllerRateLimiter());

    public CronJobController(SharedInformers informers, ControllerClient client, Clock clock) {
        this.cronJobs = informers.informer(CronJob.class);
        this.jobs = informers.informer(Job.class);
        this.client = client;
        this.clock = clock;
        cronJobs.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(CronJob cj) {
                queue.add(cj.key());
            }

            @Override
            public void onUpdate(CronJob old, CronJob cj) {
                cronJobUpdated(old, cj);
            }

            @Override
            public void onDelete(CronJob cj) {
                queue.add(cj.key());
            }
        });
        jobs.addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Job job) {
                if (job.metadata.deletionTimestamp != null) {
                    jobDeleted(job);
                    return;
                }
                enqueueOwner(job.metadata.namespace, ControllerRefs.controllerOf(job));
            }

            @Override
            public void onUpdate(Job old, Job job) {
                if (Objects.equals(old.metadata.resourceVersion, job.metadata.resourceVersion)) {
                    return;
                }
                OwnerReference oldRef = ControllerRefs.controllerOf(old);
                OwnerReference newRef = ControllerRefs.controllerOf(job);
                if (oldRef != null && (newRef == null || !Objects.equals(oldRef.uid, newRef.uid))) {
                    enqueueOwner(old.metadata.namespace, oldRef);
                }
                enqueueOwner(job.metadata.namespace, newRef);
            }

            @Override
            public void onDelete(Job job) {
                jobDeleted(job);
            }
        });
    }

    @Override
    public String name() {
        return "cronjob";
    }

    @Override
    public WorkQueue queue() {
        return queue;
    }

    @Override
    public List<Informer<?>> informers() {
        return List.of(cronJobs, jobs);
    }

    // ---- event handlers ----------------------------------------------------------------------

    private void jobDeleted(Job job) {
        enqueueOwner(job.metadata.namespace, ControllerRefs.controllerOf(job));
    }

    private void enqueueOwner(String namespace, OwnerReference ref) {
        CronJob cj = resolve(namespace, ref);
        if (cj != null) {
            queue.add(cj.key());
        }
    }

    private CronJob resolve(String namespace, OwnerReference ref) {
        if (ref == null || !"CronJob".equals(ref.kind)) {
            return null;
        }
        CronJob cj = cronJobs.store().get(namespace, ref.name);
        return cj != null && Objects.equals(cj.metadata.uid, ref.uid) ? cj : null;
    }

    /** A new schedule or time zone moves the next sync to its next time; any other change syncs now. */
    void cronJobUpdated(CronJob old, CronJob cj) {
        if (!Objects.equals(old.spec.schedule, cj.spec.schedule) || !Objects.equals(old.spec.timeZone, cj.spec.timeZone)) {
            CronSchedule sched;
            try {
                sched = CronSchedule.parse(formatSchedule(cj, false), clock.getZone());
            } catch (IllegalArgumentException e) {
                client.warningEvent(cj, "UnParseableCronJobSchedule", "unparseable schedule for cronjob: " + cj.spec.schedule);
                return;
            }
            queue.addAfter(cj.key(), nextScheduleTimeDuration(cj, clock.instant(), sched));
            return;
        }
        queue.add(cj.key());
    }

    // ---- reconcile ---------------------------------------------------------------------------

    @Override
    public Result reconcile(String key) {
        CronJob cached = cronJobs.store().get(key);
        if (cached == null) {
            return Result.done();
        }
        List<Job> children = new ArrayList<>();
        for (Job job : SharedInformers.inNamespace(jobs.store(), cached.metadata.namespace)) {
            OwnerReference ref = ControllerRefs.controllerOf(job);
            if (ref != null && "CronJob".equals(ref.kind) && Objects.equals(ref.name, cached.metadata.name)) {
                children.add(job);
            }
        }
        CronJob cj = Json.copy(cached);
        applyDefaults(cj);
        boolean updateAfterCleanup = cleanupFinishedJobs(cj, children);
        Outcome outcome;
        try {
            outcome = syncCronJob(cj, children);
        } catch (ApiException e) {
            outcome = new Outcome(null, true, e);
        }
        if (updateAfterCleanup || outcome.updateStatus()) {
            CronJob out = Json.copy(cached);
            out.status = cj.status;
            StatusWrites.updateStatus(client, out);
        }
        if (outcome.requeueAfter() != null) {
            return Result.requeueAfter(outcome.requeueAfter());
        }
        if (outcome.error() != null) {
            throw outcome.error();
        }
        return Result.done();
    }

    /** Kubernetes' defaults for a CronJob (SetDefaults_CronJob), applied to the working copy. */
    static void applyDefaults(CronJob cj) {
        if (cj.spec.concurrencyPolicy == null || cj.spec.concurrencyPolicy.isEmpty()) {
            cj.spec.concurrencyPolicy = "Allow";
        }
        if (cj.spec.suspend == null) {
            cj.spec.suspend = false;
        }
        if (cj.spec.successfulJobsHistoryLimit == null) {
            cj.spec.successfulJobsHistoryLimit = 3;
        }
        if (cj.spec.failedJobsHistoryLimit == null) {
            cj.spec.failedJobsHistoryLimit = 1;
        }
    }

    /** What syncCronJob decided: when to look again (null: only on a change), whether status changed, an error. */
    private record Outcome(Duration requeueAfter, boolean updateStatus, RuntimeException error) {
    }

    private Outcome syncCronJob(CronJob cj, List<Job> children) {
        Instant now = clock.instant();
        boolean update = false;
        Set<String> childUids = new HashSet<>();
        for (Job j : children) {
            childUids.add(j.metadata.uid);
            boolean found = inActiveList(cj, j.metadata.uid);
            boolean finished = JobConditions.isFinished(j);
            if (!found && !finished) {
                CronJob fresh = client.find(CronJob.class, cj.metadata.namespace, cj.metadata.name).orElse(null);
                if (fresh != null && inActiveList(fresh, j.metadata.uid)) {
                    // our cache was behind: the Job is already known
                    continue;
                }
                // created by someone else, or our status update after creating it was lost
                client.warningEvent(cj, "UnexpectedJob", "Saw a job that the controller did not create or forgot: " + j.metadata.name);
            } else if (found && finished) {
                deleteFromActiveList(cj, j.metadata.uid);
                client.normalEvent(cj, "SawCompletedJob", "Saw completed job: " + j.metadata.name + ", status: " + finishedType(j));
                update = true;
            } else if (JobConditions.COMPLETE.equals(finishedType(j))) {
                // a succeeded Job need not be active to advance lastSuccessfulTime
                Instant completed = Timestamps.completionTime(j);
                Instant last = Timestamps.parse(cj.status.lastSuccessfulTime);
                if (completed != null && (last == null || completed.isAfter(last))) {
                    cj.status.lastSuccessfulTime = Times.format(completed);
                    update = true;
                }
            }
        }
        // an active Job that went missing would keep the CronJob active forever
        for (ObjectReference ref : List.copyOf(cj.status.active)) {
            if (childUids.contains(ref.uid)) {
                continue;
            }
            // confirm with the apiserver: the job cache may lag
            Optional<Job> live = client.find(Job.class, ref.namespace, ref.name);
            if (live.isEmpty()) {
                client.normalEvent(cj, "MissingJob", "Active job went missing: " + ref.name);
                deleteFromActiveList(cj, ref.uid);
                update = true;
            }
        }
        if (cj.metadata.deletionTimestamp != null) {
            return new Outcome(null, update, null);
        }
        if (cj.spec.timeZone != null) {
            try {
                CronSchedule.zone(cj.spec.timeZone);
            } catch (IllegalArgumentException e) {
                client.warningEvent(cj, "UnknownTimeZone", "invalid timeZone: \"" + cj.spec.timeZone + "\": " + e.getMessage());
                return new Outcome(null, update, null);
            }
        }
        if (Boolean.TRUE.equals(cj.spec.suspend)) {
            return new Outcome(null, update, null);
        }
        CronSchedule sched;
        try {
            sched = CronSchedule.parse(formatSchedule(cj, true), clock.getZone());
        } catch (IllegalArgumentException e) {
            // a user error: wait for a spec update rather than retrying
            client.warningEvent(cj, "UnparseableSchedule", "unparseable schedule: \"" + cj.spec.schedule + "\" : " + e.getMessage());
            return new Outcome(null, update, null);
        }
        Instant scheduledTime;
        try {
            scheduledTime = nextScheduleTime(cj, now, sched);
        } catch (IllegalArgumentException e) {
            client.warningEvent(cj, "InvalidSchedule", "invalid schedule: " + cj.spec.schedule + " : " + e.getMessage());
            return new Outcome(null, update, null);
        }
        if (scheduledTime == null) {
            // no unmet start time: wait for the next one
            return new Outcome(nextScheduleTimeDuration(cj, now, sched), update, null);
        }
        if (cj.spec.startingDeadlineSeconds != null && scheduledTime.plusSeconds(cj.spec.startingDeadlineSeconds).isBefore(now)) {
            client.warningEvent(cj, "MissSchedule", "Missed scheduled time to start a job: " + RFC1123Z.format(scheduledTime.atZone(ZoneOffset.UTC)));
            return new Outcome(nextScheduleTimeDuration(cj, now, sched), update, null);
        }
        String jobName = jobName(cj, scheduledTime);
        Instant lastSchedule = Timestamps.parse(cj.status.lastScheduleTime);
        if (cj.status.active.stream().anyMatch(r -> jobName.equals(r.name) && Objects.equals(r.namespace, cj.metadata.namespace))
                || scheduledTime.equals(lastSchedule)) {
            // this scheduled time was already processed
            return new Outcome(nextScheduleTimeDuration(cj, now, sched), update, null);
        }
        if ("Forbid".equals(cj.spec.concurrencyPolicy) && !cj.status.active.isEmpty()) {
            client.normalEvent(cj, "JobAlreadyActive", "Not starting job because prior execution is running and concurrency policy is Forbid");
            return new Outcome(nextScheduleTimeDuration(cj, now, sched), update, null);
        }
        if ("Replace".equals(cj.spec.concurrencyPolicy)) {
            for (ObjectReference ref : List.copyOf(cj.status.active)) {
                Job job;
                try {
                    job = client.find(Job.class, ref.namespace, ref.name).orElseThrow(() ->
                            new ApiException(404, null, "jobs.batch \"" + ref.name + "\" not found", null));
                } catch (ApiException e) {
                    client.warningEvent(cj, "FailedGet", "Get job: " + e.getMessage());
                    return new Outcome(null, update, e);
                }
                if (!deleteJob(cj, job)) {
                    return new Outcome(null, update, new IllegalStateException("could not replace job " + job.key()));
                }
                update = true;
            }
        }

        Job request = jobFromTemplate(cj, scheduledTime);
        Job created;
        boolean alreadyExisted = false;
        try {
            created = client.create(request);
        } catch (ApiException e) {
            if (!e.isAlreadyExists()) {
                client.warningEvent(cj, "FailedCreate", "Error creating job: " + e.getMessage());
                return new Outcome(null, update, e);
            }
            // created before, by us or by someone else
            alreadyExisted = true;
            Optional<Job> existing = client.find(Job.class, cj.metadata.namespace, jobName);
            if (existing.isEmpty()) {
                return new Outcome(null, update, e);
            }
            created = existing.get();
            if (!ControllerRefs.isControlledBy(created, cj) || inActiveList(cj, created.metadata.uid)) {
                // someone else's, or already recorded
                return new Outcome(null, update, null);
            }
        }
        if (!alreadyExisted) {
            client.normalEvent(cj, "SuccessfulCreate", "Created job " + (created == null ? jobName : created.metadata.name));
        }
        // the Job's name is the lock if this status update is lost: the next sync sees AlreadyExists
        Job ref = created == null ? request : created;
        cj.status.active.add(ObjectReference.to(ref));
        cj.status.lastScheduleTime = Times.format(scheduledTime);
        return new Outcome(nextScheduleTimeDuration(cj, now, sched), true, null);
    }

    /** The name of the Job for {@code scheduledTime}: {@code <cronjob>-<minutes since the epoch>}. */
    static String jobName(CronJob cj, Instant scheduledTime) {
        return cj.metadata.name + "-" + Math.floorDiv(scheduledTime.getEpochSecond(), 60);
    }

    /** Kubernetes' getJobFromTemplate2: the template's labels, annotations and spec, the scheduled-time annotation, controlled by the CronJob. */
    static Job jobFromTemplate(CronJob cj, Instant scheduledTime) {
        Job job = new Job();
        job.metadata.namespace = cj.metadata.namespace;
        job.metadata.name = jobName(cj, scheduledTime);
        if (cj.spec.jobTemplate != null) {
            Job.JobTemplateSpec t = Json.copy(cj.spec.jobTemplate);
            job.metadata.labels.putAll(t.metadata.labels);
            job.metadata.annotations.putAll(t.metadata.annotations);
            job.spec = t.spec;
        }
        // in the CronJob's zone, UTC without one (Go's LoadLocation(""))
        String tz = cj.spec.timeZone == null ? "" : cj.spec.timeZone;
        job.metadata.annotations.put(SCHEDULED_TIMESTAMP, RFC3339.format(scheduledTime.atZone(CronSchedule.zone(tz))));
        job.metadata.ownerReferences.add(OwnerReference.controllerOf(cj));
        return job;
    }

    /**
     * The schedule string to parse (formatSchedule): a schedule naming TZ itself is used as it is, with
     * an UnsupportedSchedule warning; otherwise a valid spec.timeZone is prefixed as {@code TZ=<zone> }.
     */
    private String formatSchedule(CronJob cj, boolean warn) {
        String schedule = cj.spec.schedule == null ? "" : cj.spec.schedule;
        if (schedule.contains("TZ")) {
            if (warn) {
                client.warningEvent(cj, "UnsupportedSchedule", "CRON_TZ or TZ used in schedule \"" + schedule
                        + "\" is not officially supported, see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
            }
            return schedule;
        }
        if (cj.spec.timeZone != null) {
            try {
                CronSchedule.zone(cj.spec.timeZone);
            } catch (IllegalArgumentException e) {
                return schedule;
            }
            return "TZ=" + cj.spec.timeZone + " " + schedule;
        }
        return schedule;
    }

    /** How many scheduled times were missed: none, a few, or more than {@value #MANY_MISSED}. */
    enum Missed { NONE, FEW, MANY }

    /** Kubernetes' mostRecentScheduleTime: the earliest time considered, the most recent due time (or null), and how many were missed. */
    record MostRecent(Instant earliest, Instant mostRecent, Missed missed) {
    }

    static MostRecent mostRecentScheduleTime(CronJob cj, Instant now, CronSchedule sched, boolean includeStartingDeadline) {
        Instant earliest = Timestamps.parse(cj.metadata.creationTimestamp);
        if (earliest == null) {
            earliest = now;
        }
        Instant last = Timestamps.parse(cj.status.lastScheduleTime);
        if (last != null) {
            earliest = last;
        }
        if (includeStartingDeadline && cj.spec.startingDeadlineSeconds != null) {
            // nothing before this point will be started
            Instant deadline = now.minusSeconds(cj.spec.startingDeadlineSeconds);
            if (deadline.isAfter(earliest)) {
                earliest = deadline;
            }
        }
        Optional<Instant> t1 = sched.next(earliest);
        if (t1.isEmpty()) {
            // robfig's zero time for a schedule that never fires (e.g. 31 February)
            throw new IllegalArgumentException("time difference between two schedules is less than 1 second");
        }
        if (now.isBefore(t1.get())) {
            return new MostRecent(earliest, null, Missed.NONE);
        }
        Optional<Instant> t2 = sched.next(t1.get());
        if (t2.isPresent() && now.isBefore(t2.get())) {
            return new MostRecent(earliest, t1.get(), Missed.NONE);
        }
        long between = t2.isEmpty() ? 0 : Math.round(Duration.between(t1.get(), t2.get()).toMillis() / 1000.0);
        if (between < 1) {
            throw new IllegalArgumentException("time difference between two schedules is less than 1 second");
        }
        // a rough count: how many intervals fit between t1 and now
        long elapsed = Duration.between(t1.get(), now).getSeconds();
        long missedCount = elapsed / between + 1;
        // start one interval early and let the schedule find the exact most recent time (irregular schedules)
        Instant potentialEarliest = t1.get().plusSeconds((missedCount - 1 - 1) * between);
        Instant mostRecent = null;
        for (Optional<Instant> t = sched.next(potentialEarliest); t.isPresent() && !t.get().isAfter(now); t = sched.next(t.get())) {
            mostRecent = t.get();
        }
        Missed missed = missedCount > MANY_MISSED ? Missed.MANY : missedCount > 0 ? Missed.FEW : Missed.NONE;
        return new MostRecent(earliest, mostRecent, missed);
    }

    /** The delay until the next scheduled time plus 100 ms (nextScheduleTimeDuration). */
    static Duration nextScheduleTimeDuration(CronJob cj, Instant now, CronSchedule sched) {
        Instant from;
        try {
            MostRecent r = mostRecentScheduleTime(cj, now, sched, false);
            if (r.mostRecent() != null) {
                from = r.mostRecent();
            } else {
                from = r.missed() == Missed.NONE ? r.earliest() : now;
            }
        } catch (IllegalArgumentException e) {
            // still requeue at some point: aim for the next slot from now
            from = now;
        }
        Optional<Instant> next = sched.next(from);
        if (next.isEmpty()) {
            // never fires again: look again in a while rather than never
            return Duration.ofHours(24);
        }
        return Duration.between(now, next.get()).plus(NEXT_SCHEDULE_DELTA);
    }

    /** The most recent unmet scheduled time, or null; warns TooManyMissedTimes past 100 missed times (nextScheduleTime). */
    private Instant nextScheduleTime(CronJob cj, Instant now, CronSchedule sched) {
        MostRecent r = mostRecentScheduleTime(cj, now, sched, true);
        if (r.mostRecent() == null || r.mostRecent().isAfter(now)) {
            return null;
        }
        if (r.missed() == Missed.MANY) {
            client.warningEvent(cj, "TooManyMissedTimes", "too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        }
        return r.mostRecent();
    }

    private static boolean inActiveList(CronJob cj, String uid) {
        return cj.status.active.stream().anyMatch(r -> Objects.equals(r.uid, uid));
    }

    private static void deleteFromActiveList(CronJob cj, String uid) {
        cj.status.active.removeIf(r -> Objects.equals(r.uid, uid));
    }

    /** Complete or Failed when the Job has finished, else null. */
    private static String finishedType(Job j) {
        for (Job.JobCondition c : j.status.conditions) {
            if ((JobConditions.COMPLETE.equals(c.type) || JobConditions.FAILED.equals(c.type)) && "True".equals(c.status)) {
                return c.type;
            }
        }
        return null;
    }

    /** Deletes finished Jobs beyond successfulJobsHistoryLimit / failedJobsHistoryLimit, oldest start first. */
    private boolean cleanupFinishedJobs(CronJob cj, List<Job> children) {
        List<Job> succeeded = new ArrayList<>();
        List<Job> failed = new ArrayList<>();
        for (Job j : children) {
            String type = finishedType(j);
            if (JobConditions.COMPLETE.equals(type)) {
                succeeded.add(j);
            } else if (JobConditions.FAILED.equals(type)) {
                failed.add(j);
            }
        }
        boolean update = removeOldestJobs(cj, succeeded, cj.spec.successfulJobsHistoryLimit);
        update |= removeOldestJobs(cj, failed, cj.spec.failedJobsHistoryLimit);
        return update;
    }

    private boolean removeOldestJobs(CronJob cj, List<Job> finished, int keep) {
        int toDelete = finished.size() - keep;
        if (toDelete <= 0) {
            return false;
        }
        List<Job> sorted = new ArrayList<>(finished);
        sorted.sort(BY_START_TIME);
        boolean update = false;
        for (int i = 0; i < toDelete; i++) {
            update |= deleteJob(cj, sorted.get(i));
        }
        return update;
    }

    /** Start time first (a Job never started last), then name (byJobStartTime). */
    static final Comparator<Job> BY_START_TIME = (a, b) -> {
        Instant sa = Timestamps.parse(a.status.startTime);
        Instant sb = Timestamps.parse(b.status.startTime);
        if (sa == null && sb != null) {
            return 1;
        }
        if (sa != null && sb == null) {
            return -1;
        }
        if (Objects.equals(sa, sb)) {
            return a.metadata.name.compareTo(b.metadata.name);
        }
        return sa.compareTo(sb);
    };

    /** Deletes the Job with background propagation (its pods follow through the garbage collector) and forgets it. */
    private boolean deleteJob(CronJob cj, Job job) {
        DeleteOptions background = new DeleteOptions();
        background.propagationPolicy = "Background";
        try {
            client.delete(Job.class, job.metadata.namespace, job.metadata.name, background);
        } catch (ApiException e) {
            client.warningEvent(cj, "FailedDelete", "Deleted job: " + e.getMessage());
            return false;
        }
        deleteFromActiveList(cj, job.metadata.uid);
        client.normalEvent(cj, "SuccessfulDelete", "Deleted job " + job.metadata.name);
        return true;
    }

    /** Timestamps of Jobs and CronJobs, tolerant of bad values. */
    static final class Timestamps {
        private Timestamps() {
        }

        static Instant parse(String t) {
            try {
                return Times.parse(t);
            } catch (RuntimeException e) {
                return null;
            }
        }

        static Instant completionTime(Job j) {
            return parse(j.status.completionTime);
        }
    }
}
