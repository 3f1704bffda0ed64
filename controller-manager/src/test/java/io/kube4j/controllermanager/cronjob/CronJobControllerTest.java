package io.kube4j.controllermanager.cronjob;

import io.kube4j.api.Container;
import io.kube4j.api.CronJob;
import io.kube4j.api.Event;
import io.kube4j.api.Job;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.OwnerReference;
import io.kube4j.controllermanager.runtime.Result;
import io.kube4j.controllermanager.runtime.SharedInformers;
import io.kube4j.controllermanager.testing.Action;
import io.kube4j.controllermanager.testing.RecordingClient;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;

import static io.kube4j.controllermanager.testing.Fixtures.NS;
import static io.kube4j.controllermanager.testing.Fixtures.informers;
import static io.kube4j.informer.TestStores.preload;
import static org.assertj.core.api.Assertions.assertThat;

/** Reconcile tests of the CronJob controller with a fixed clock; events and messages are Kubernetes 1.32's. */
class CronJobControllerTest {
    static final Instant NOW = Instant.parse("2026-01-01T01:00:30Z");
    static final String KEY = NS + "/backup";
    // 2026-01-01T01:00:00Z in minutes since the epoch
    static final long MINUTE_0100 = Instant.parse("2026-01-01T01:00:00Z").getEpochSecond() / 60;

    final SharedInformers informers = informers();
    final RecordingClient client = new RecordingClient();

    CronJobController controller(Instant now) {
        return new CronJobController(informers, client, Clock.fixed(now, ZoneOffset.UTC));
    }

    final CronJobController controller = controller(NOW);

    static CronJob cronJob(String schedule) {
        CronJob cj = new CronJob();
        cj.metadata.namespace = NS;
        cj.metadata.name = "backup";
        cj.metadata.uid = "uid-backup";
        cj.metadata.resourceVersion = "7";
        cj.metadata.creationTimestamp = "2026-01-01T00:58:00Z";
        cj.spec.schedule = schedule;
        cj.spec.jobTemplate = new Job.JobTemplateSpec();
        cj.spec.jobTemplate.metadata.labels.put("app", "backup");
        cj.spec.jobTemplate.metadata.annotations.put("team", "ops");
        Container c = new Container();
        c.name = "dump";
        c.image = "pg:16";
        cj.spec.jobTemplate.spec.template = new io.kube4j.api.PodTemplateSpec();
        cj.spec.jobTemplate.spec.template.spec.containers.add(c);
        cj.spec.jobTemplate.spec.template.spec.restartPolicy = "OnFailure";
        return cj;
    }

    /** A Job of {@code cj}, finished ({@code Complete}/{@code Failed}) or not (null). */
    static Job child(CronJob cj, String name, String startTime, String finished) {
        Job j = new Job();
        j.metadata.namespace = NS;
        j.metadata.name = name;
        j.metadata.uid = "uid-" + name;
        j.metadata.resourceVersion = "3";
        j.metadata.ownerReferences.add(OwnerReference.controllerOf(cj));
        j.status.startTime = startTime;
        if (finished != null) {
            Job.JobCondition c = new Job.JobCondition();
            c.type = finished;
            c.status = "True";
            c.lastTransitionTime = "2026-01-01T00:59:00Z";
            j.status.conditions.add(c);
            if (finished.equals("Complete")) {
                j.status.completionTime = "2026-01-01T00:59:00Z";
            }
        }
        return j;
    }

    static CronJob active(CronJob cj, Job... jobs) {
        for (Job j : jobs) {
            cj.status.active.add(ObjectReference.to(j));
        }
        return cj;
    }

    void given(CronJob cj, Job... jobs) {
        preload(informers.informer(CronJob.class), cj);
        preload(informers.informer(Job.class), jobs);
        client.live(cj);
        client.live(jobs);
    }

    List<Job> createdJobs() {
        return client.actions("create", "Job").stream().map(a -> (Job) a.object()).toList();
    }

    CronJob lastStatus() {
        return (CronJob) client.actions("updateStatus", "CronJob").getLast().object();
    }

    Event event(String reason) {
        return client.events().stream().filter(e -> e.reason.equals(reason)).findFirst().orElseThrow();
    }

    @Test
    void createsTheJobOfTheMostRecentScheduledTimeNamedByItsMinute() {
        given(cronJob("*/5 * * * *"));

        Result result = controller.reconcile(KEY);

        assertThat(createdJobs()).singleElement().satisfies(j -> {
            assertThat(j.metadata.name).isEqualTo("backup-" + MINUTE_0100);
            assertThat(j.metadata.annotations).containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", "2026-01-01T01:00:00Z")
                    .containsEntry("team", "ops");
            assertThat(j.metadata.labels).containsEntry("app", "backup");
            assertThat(j.metadata.controllerRef().kind).isEqualTo("CronJob");
            assertThat(j.metadata.controllerRef().uid).isEqualTo("uid-backup");
            assertThat(j.spec.template.spec.containers).extracting(c -> c.image).containsExactly("pg:16");
        });
        CronJob status = lastStatus();
        assertThat(status.status.active).singleElement().satisfies(r -> {
            assertThat(r.kind).isEqualTo("Job");
            assertThat(r.name).isEqualTo("backup-" + MINUTE_0100);
        });
        assertThat(status.status.lastScheduleTime).isEqualTo("2026-01-01T01:00:00Z");
        assertThat(event("SuccessfulCreate").message).isEqualTo("Created job backup-" + MINUTE_0100);
        // next at 01:05:00, plus 100 ms
        assertThat(result.kind()).isEqualTo(Result.Kind.REQUEUE_AFTER);
        assertThat(result.after()).isEqualTo(Duration.ofSeconds(270).plusMillis(100));
    }

    @Test
    void beforeTheFirstScheduledTimeNothingIsCreatedAndTheKeyWaits() {
        CronJob cj = cronJob("0 2 * * *");
        given(cj);

        Result result = controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
        assertThat(result.after()).isEqualTo(Duration.ofMinutes(59).plusSeconds(30).plusMillis(100));
    }

    @Test
    void anAlreadyProcessedTimeIsNotRunTwice() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.status.lastScheduleTime = "2026-01-01T01:00:00Z";
        given(cj);

        controller.reconcile(KEY);

        assertThat(createdJobs()).isEmpty();
    }

    @Test
    void theTimeZoneSetsTheScheduleAndTheAnnotationsOffset() {
        CronJob cj = cronJob("0 2 * * *");
        cj.spec.timeZone = "Europe/Berlin";
        given(cj);

        controller.reconcile(KEY);

        // 02:00 in Berlin is 01:00 UTC
        assertThat(createdJobs()).singleElement().satisfies(j -> {
            assertThat(j.metadata.name).isEqualTo("backup-" + MINUTE_0100);
            assertThat(j.metadata.annotations).containsEntry("batch.kubernetes.io/cronjob-scheduled-timestamp", "2026-01-01T02:00:00+01:00");
        });
    }

    @Test
    void cronTzInTheScheduleWorksButIsWarnedAbout() {
        given(cronJob("CRON_TZ=Europe/Berlin 0 2 * * *"));

        controller.reconcile(KEY);

        assertThat(createdJobs()).hasSize(1);
        assertThat(event("UnsupportedSchedule").message).isEqualTo("CRON_TZ or TZ used in schedule \"CRON_TZ=Europe/Berlin 0 2 * * *\" is not officially supported, "
                + "see https://kubernetes.io/docs/concepts/workloads/controllers/cron-jobs/ for more details");
    }

    @Test
    void anUnknownTimeZoneIsReportedAndNothingRuns() {
        CronJob cj = cronJob("* * * * *");
        cj.spec.timeZone = "Mars/Olympus";
        given(cj);

        Result result = controller.reconcile(KEY);

        assertThat(createdJobs()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        assertThat(event("UnknownTimeZone").message).isEqualTo("invalid timeZone: \"Mars/Olympus\": unknown time zone Mars/Olympus");
    }

    @Test
    void anUnparseableScheduleIsReportedAndNotRetried() {
        given(cronJob("every monday"));

        Result result = controller.reconcile(KEY);

        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
        Event e = event("UnparseableSchedule");
        assertThat(e.type).isEqualTo("Warning");
        assertThat(e.message).isEqualTo("unparseable schedule: \"every monday\" : expected exactly 5 fields, found 2: [every, monday]");
    }

    @Test
    void aScheduleThatNeverFiresIsInvalid() {
        given(cronJob("59 23 31 2 *"));

        controller.reconcile(KEY);

        assertThat(event("InvalidSchedule").message).isEqualTo("invalid schedule: 59 23 31 2 * : time difference between two schedules is less than 1 second");
    }

    @Test
    void aSuspendedCronJobStartsNothing() {
        CronJob cj = cronJob("* * * * *");
        cj.spec.suspend = true;
        given(cj);

        Result result = controller.reconcile(KEY);

        assertThat(client.actions()).isEmpty();
        assertThat(result.kind()).isEqualTo(Result.Kind.DONE);
    }

    @Test
    void forbidSkipsARunWhileTheLastJobIsActive() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.spec.concurrencyPolicy = "Forbid";
        cj.status.lastScheduleTime = "2026-01-01T00:55:00Z";
        Job running = child(cj, "backup-old", "2026-01-01T00:55:00Z", null);
        given(active(cj, running), running);

        controller.reconcile(KEY);

        assertThat(createdJobs()).isEmpty();
        Event e = event("JobAlreadyActive");
        assertThat(e.type).isEqualTo("Normal");
        assertThat(e.message).isEqualTo("Not starting job because prior execution is running and concurrency policy is Forbid");
    }

    @Test
    void allowRunsAlongsideTheActiveJob() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.status.lastScheduleTime = "2026-01-01T00:55:00Z";
        Job running = child(cj, "backup-old", "2026-01-01T00:55:00Z", null);
        given(active(cj, running), running);

        controller.reconcile(KEY);

        assertThat(createdJobs()).hasSize(1);
        assertThat(lastStatus().status.active).extracting(r -> r.name).containsExactly("backup-old", "backup-" + MINUTE_0100);
    }

    @Test
    void replaceDeletesTheActiveJobInTheBackgroundBeforeStartingTheNext() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.spec.concurrencyPolicy = "Replace";
        cj.status.lastScheduleTime = "2026-01-01T00:55:00Z";
        Job running = child(cj, "backup-old", "2026-01-01T00:55:00Z", null);
        given(active(cj, running), running);

        controller.reconcile(KEY);

        assertThat(client.summaries()).containsSubsequence("delete Job default/backup-old", "create Job default/backup-" + MINUTE_0100);
        assertThat(client.actions("delete", "Job").getFirst().patch()).isEqualTo("Background");
        assertThat(event("SuccessfulDelete").message).isEqualTo("Deleted job backup-old");
        assertThat(lastStatus().status.active).extracting(r -> r.name).containsExactly("backup-" + MINUTE_0100);
    }

    @Test
    void pastTheStartingDeadlineAMissedTimeIsNotRun() {
        CronJob cj = cronJob("0 * * * *");
        cj.spec.startingDeadlineSeconds = 10L;
        cj.status.lastScheduleTime = "2026-01-01T00:00:00Z";
        given(cj);

        Result result = controller.reconcile(KEY);

        // 01:00:00 was 30 s ago, more than 10 s: skipped; the next chance is 02:00
        assertThat(createdJobs()).isEmpty();
        assertThat(result.after()).isEqualTo(Duration.ofMinutes(59).plusSeconds(30).plusMillis(100));
    }

    @Test
    void withinTheStartingDeadlineALateTimeStillRuns() {
        CronJob cj = cronJob("0 * * * *");
        cj.spec.startingDeadlineSeconds = 60L;
        cj.status.lastScheduleTime = "2026-01-01T00:00:00Z";
        given(cj);

        controller.reconcile(KEY);

        assertThat(createdJobs()).singleElement().satisfies(j -> assertThat(j.metadata.name).isEqualTo("backup-" + MINUTE_0100));
    }

    @Test
    void moreThanAHundredMissedTimesAreReportedAndOnlyTheMostRecentRuns() {
        CronJob cj = cronJob("* * * * *");
        cj.metadata.creationTimestamp = "2025-12-31T00:00:00Z";
        given(cj);

        controller.reconcile(KEY);

        Event e = event("TooManyMissedTimes");
        assertThat(e.type).isEqualTo("Warning");
        assertThat(e.message).isEqualTo("too many missed start times. Set or decrease .spec.startingDeadlineSeconds or check clock skew");
        // Kubernetes 1.32 still starts the most recent one
        assertThat(createdJobs()).extracting(j -> j.metadata.name).containsExactly("backup-" + MINUTE_0100);
    }

    @Test
    void aFewMissedTimesRunOnlyTheMostRecent() {
        CronJob cj = cronJob("* * * * *");
        cj.status.lastScheduleTime = "2026-01-01T00:50:00Z";
        given(cj);

        controller.reconcile(KEY);

        assertThat(client.eventReasons()).doesNotContain("TooManyMissedTimes");
        assertThat(createdJobs()).extracting(j -> j.metadata.name).containsExactly("backup-" + MINUTE_0100);
    }

    @Test
    void aFinishedActiveJobLeavesTheActiveList() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.status.lastScheduleTime = "2026-01-01T01:00:00Z";
        Job done = child(cj, "backup-done", "2026-01-01T00:55:00Z", "Complete");
        given(active(cj, done), done);

        controller.reconcile(KEY);

        assertThat(lastStatus().status.active).isEmpty();
        assertThat(event("SawCompletedJob").message).isEqualTo("Saw completed job: backup-done, status: Complete");
    }

    @Test
    void aSucceededJobAdvancesLastSuccessfulTime() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.status.lastScheduleTime = "2026-01-01T01:00:00Z";
        given(cj, child(cj, "backup-done", "2026-01-01T00:55:00Z", "Complete"));

        controller.reconcile(KEY);

        assertThat(lastStatus().status.lastSuccessfulTime).isEqualTo("2026-01-01T00:59:00Z");
    }

    @Test
    void anActiveJobThatWentMissingIsDropped() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.status.lastScheduleTime = "2026-01-01T01:00:00Z";
        Job gone = child(cj, "backup-gone", "2026-01-01T00:55:00Z", null);
        preload(informers.informer(CronJob.class), active(cj, gone));
        client.live(cj);

        controller.reconcile(KEY);

        assertThat(lastStatus().status.active).isEmpty();
        assertThat(event("MissingJob").message).isEqualTo("Active job went missing: backup-gone");
    }

    @Test
    void anUnexpectedUnfinishedJobIsReported() {
        CronJob cj = cronJob("*/5 * * * *");
        cj.status.lastScheduleTime = "2026-01-01T01:00:00Z";
        given(cj, child(cj, "backup-stray", "2026-01-01T00:55:00Z", null));

        controller.reconcile(KEY);

        assertThat(event("UnexpectedJob").message).isEqualTo("Saw a job that the controller did not create or forgot: backup-stray");
    }

    @Test
    void finishedJobsBeyondTheHistoryLimitsAreDeletedOldestFirst() {
        CronJob cj = cronJob("0 2 * * *");
        given(cj,
                child(cj, "s1", "2026-01-01T00:01:00Z", "Complete"),
                child(cj, "s2", "2026-01-01T00:02:00Z", "Complete"),
                child(cj, "s3", "2026-01-01T00:03:00Z", "Complete"),
                child(cj, "s4", "2026-01-01T00:04:00Z", "Complete"),
                child(cj, "f1", "2026-01-01T00:05:00Z", "Failed"),
                child(cj, "f2", "2026-01-01T00:06:00Z", "Failed"));

        controller.reconcile(KEY);

        // defaults: 3 successful, 1 failed
        assertThat(client.actions("delete", "Job")).extracting(Action::name).containsExactly("s1", "f1");
        assertThat(client.actions("delete", "Job")).allSatisfy(a -> assertThat(a.patch()).isEqualTo("Background"));
    }

    @Test
    void aZeroHistoryLimitKeepsNoFinishedJob() {
        CronJob cj = cronJob("0 2 * * *");
        cj.spec.successfulJobsHistoryLimit = 0;
        given(cj, child(cj, "s1", "2026-01-01T00:01:00Z", "Complete"));

        controller.reconcile(KEY);

        assertThat(client.actions("delete", "Job")).extracting(Action::name).containsExactly("s1");
    }

    @Test
    void aJobThatAlreadyExistsIsRecordedAsActiveWithoutCreatingAnother() {
        CronJob cj = cronJob("*/5 * * * *");
        given(cj);
        Job existing = CronJobController.jobFromTemplate(cj, Instant.parse("2026-01-01T01:00:00Z"));
        existing.metadata.uid = "uid-existing";
        client.live(existing);
        client.failWhen(a -> a.verb().equals("create"), 409);

        controller.reconcile(KEY);

        assertThat(lastStatus().status.active).extracting(r -> r.uid).containsExactly("uid-existing");
        assertThat(client.eventReasons()).doesNotContain("SuccessfulCreate");
    }

    @Test
    void aScheduleChangeWaitsForTheNewNextTimeWhileOtherChangesSyncAtOnce() {
        CronJob old = cronJob("0 2 * * *");
        CronJob rescheduled = cronJob("*/10 * * * *");
        rescheduled.metadata.resourceVersion = "8";

        controller.cronJobUpdated(old, rescheduled);
        // queued after a delay (01:10:00.1): not ready for a worker yet
        assertThat(controller.queue().length()).isZero();

        CronJob suspended = cronJob("0 2 * * *");
        suspended.spec.suspend = true;
        controller.cronJobUpdated(old, suspended);
        assertThat(controller.queue().length()).isEqualTo(1);
    }

    @Test
    void anUnparseableNewScheduleIsReportedOnUpdate() {
        controller.cronJobUpdated(cronJob("0 2 * * *"), cronJob("bad"));

        assertThat(event("UnParseableCronJobSchedule").message).isEqualTo("unparseable schedule for cronjob: bad");
    }
}
