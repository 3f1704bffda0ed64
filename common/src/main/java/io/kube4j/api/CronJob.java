package io.kube4j.api;

import java.util.ArrayList;
import java.util.List;

/** A CronJob (batch/v1): creates Jobs on a cron schedule. */
public class CronJob extends KubeObject {
    public CronJobSpec spec = new CronJobSpec();
    public CronJobStatus status = new CronJobStatus();

    public CronJob() {
        super("batch/v1", "CronJob");
    }

    /** Schedule, time zone, concurrency and history limits, and the job template. */
    public static class CronJobSpec {
        public String schedule;
        public String timeZone;
        public Long startingDeadlineSeconds;
        public String concurrencyPolicy;
        public Boolean suspend;
        public Job.JobTemplateSpec jobTemplate;
        public Integer successfulJobsHistoryLimit;
        public Integer failedJobsHistoryLimit;
    }

    /** Running jobs and the last schedule and success times. */
    public static class CronJobStatus {
        public List<ObjectReference> active = new ArrayList<>();
        public String lastScheduleTime;
        public String lastSuccessfulTime;
    }
}
