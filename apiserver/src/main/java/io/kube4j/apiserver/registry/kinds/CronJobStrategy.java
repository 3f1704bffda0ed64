package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.CronJob;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import org.springframework.stereotype.Component;

import java.util.List;

/**
 * CronJobs (batch/v1): concurrencyPolicy Allow, not suspended, 3 successful and 1 failed job kept by
 * default; the schedule is required and has five fields or a descriptor (@hourly ...); the job
 * template's pods restart OnFailure or Never. Kubernetes: {@code pkg/apis/batch/v1/defaults.go}
 * SetDefaults_CronJob, {@code pkg/apis/batch/validation/validation.go} ValidateCronJobCreate.
 */
@Component
public class CronJobStrategy implements Strategy {
    private static final List<String> DESCRIPTORS = List.of("@yearly", "@annually", "@monthly", "@weekly", "@daily", "@midnight", "@hourly");

    @Override
    public ResourceType type() {
        return ResourceTypes.CRONJOBS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/batch/cronjob/strategy.go}). */
    @Override
    public boolean tracksGeneration() {
        return true;
    }

    @Override
    public boolean hasStatusSubresource() {
        return true;
    }

    @Override
    public void applyDefaults(KubeObject obj) {
        CronJob.CronJobSpec spec = ((CronJob) obj).spec;
        if (spec.concurrencyPolicy == null) {
            spec.concurrencyPolicy = "Allow";
        }
        if (spec.suspend == null) {
            spec.suspend = false;
        }
        if (spec.successfulJobsHistoryLimit == null) {
            spec.successfulJobsHistoryLimit = 3;
        }
        if (spec.failedJobsHistoryLimit == null) {
            spec.failedJobsHistoryLimit = 1;
        }
        if (spec.jobTemplate != null && spec.jobTemplate.spec != null && spec.jobTemplate.spec.template != null) {
            Defaults.podSpec(spec.jobTemplate.spec.template.spec);
        }
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        CronJob.CronJobSpec spec = ((CronJob) obj).spec;
        String schedule = spec.schedule == null ? "" : spec.schedule.trim();
        if (schedule.isEmpty()) {
            errs.required("spec.schedule", null);
        } else {
            String expr = schedule.replaceFirst("^(CRON_)?TZ=\\S+\\s+", "");
            if (!DESCRIPTORS.contains(expr) && !expr.startsWith("@every ") && expr.split("\\s+").length != 5) {
                errs.invalid("spec.schedule", spec.schedule, "unparseable schedule: expected exactly 5 fields, found " + expr.split("\\s+").length + ": " + expr);
            }
            if (schedule.contains("TZ=")) {
                errs.invalid("spec.schedule", spec.schedule, "cannot use TZ or CRON_TZ in schedule, use timeZone field instead");
            }
        }
        if (spec.concurrencyPolicy != null && !List.of("Allow", "Forbid", "Replace").contains(spec.concurrencyPolicy)) {
            errs.notSupported("spec.concurrencyPolicy", spec.concurrencyPolicy, List.of("Allow", "Forbid", "Replace"));
        }
        if (spec.jobTemplate == null || spec.jobTemplate.spec == null || spec.jobTemplate.spec.template == null) {
            errs.required("spec.jobTemplate.spec.template", null);
            return;
        }
        var pod = spec.jobTemplate.spec.template.spec;
        String restart = pod == null ? null : pod.restartPolicy;
        if (!"OnFailure".equals(restart) && !"Never".equals(restart)) {
            errs.required("spec.jobTemplate.spec.template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\"");
        }
    }
}
