package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.Job;
import io.kube4j.api.KubeObject;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import io.kube4j.apiserver.validation.Defaults;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.apiserver.validation.Validation;
import io.kube4j.json.Json;
import org.springframework.stereotype.Component;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * Jobs (batch/v1): unless {@code manualSelector}, the selector is generated from the Job's uid and the
 * template gets the controller-uid and job-name labels (generateSelector); defaults as SetDefaults_Job;
 * pods restart OnFailure or Never; selector and completions immutable.
 * Kubernetes: {@code pkg/registry/batch/job/strategy.go}, {@code pkg/apis/batch/v1/defaults.go},
 * {@code pkg/apis/batch/validation/validation.go}.
 */
@Component
public class JobStrategy implements Strategy {
    /** The label the generated selector selects on. */
    public static final String CONTROLLER_UID = "batch.kubernetes.io/controller-uid";
    /** The job name label. */
    public static final String JOB_NAME = "batch.kubernetes.io/job-name";

    @Override
    public ResourceType type() {
        return ResourceTypes.JOBS;
    }

    /** Generation 1 on create, one more on each spec change ({@code pkg/registry/batch/job/strategy.go}). */
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
        Job job = (Job) obj;
        Job.JobSpec spec = job.spec;
        if (spec.completions == null && spec.parallelism == null) {
            spec.completions = 1;
            spec.parallelism = 1;
        }
        if (spec.parallelism == null) {
            spec.parallelism = 1;
        }
        if (spec.backoffLimit == null) {
            spec.backoffLimit = spec.backoffLimitPerIndex != null ? Integer.MAX_VALUE : 6;
        }
        if (spec.completionMode == null) {
            spec.completionMode = "NonIndexed";
        }
        if (spec.suspend == null) {
            spec.suspend = false;
        }
        if (spec.podReplacementPolicy == null) {
            spec.podReplacementPolicy = spec.podFailurePolicy != null ? "Failed" : "TerminatingOrFailed";
        }
        if (spec.manualSelector == null) {
            spec.manualSelector = false;
        }
        if (spec.template != null) {
            Defaults.podSpec(spec.template.spec);
            if (!spec.manualSelector) {
                generateSelector(job);
            }
        }
    }

    /** generateSelector: template labels job-name and controller-uid (both spellings), selector on the uid. */
    private static void generateSelector(Job job) {
        if (job.spec.template.metadata.labels == null) {
            job.spec.template.metadata.labels = new LinkedHashMap<>();
        }
        var labels = job.spec.template.metadata.labels;
        for (String key : List.of("job-name", JOB_NAME)) {
            labels.putIfAbsent(key, job.metadata.name);
        }
        for (String key : List.of("controller-uid", CONTROLLER_UID)) {
            labels.putIfAbsent(key, job.metadata.uid);
        }
        if (job.spec.selector == null) {
            job.spec.selector = new LabelSelector();
        }
        job.spec.selector.matchLabels.putIfAbsent(CONTROLLER_UID, job.metadata.uid);
    }

    @Override
    public void validate(KubeObject obj, FieldErrors errs) {
        Job.JobSpec spec = ((Job) obj).spec;
        if (spec.parallelism != null && spec.parallelism < 0) {
            errs.invalid("spec.parallelism", spec.parallelism, "must be greater than or equal to 0");
        }
        if (spec.completions != null && spec.completions < 0) {
            errs.invalid("spec.completions", spec.completions, "must be greater than or equal to 0");
        }
        if (spec.backoffLimit != null && spec.backoffLimit < 0) {
            errs.invalid("spec.backoffLimit", spec.backoffLimit, "must be greater than or equal to 0");
        }
        if (spec.activeDeadlineSeconds != null && spec.activeDeadlineSeconds <= 0) {
            errs.invalid("spec.activeDeadlineSeconds", spec.activeDeadlineSeconds, "must be greater than 0");
        }
        if (spec.completionMode != null && !List.of("NonIndexed", "Indexed").contains(spec.completionMode)) {
            errs.notSupported("spec.completionMode", spec.completionMode, List.of("NonIndexed", "Indexed"));
        }
        if ("Indexed".equals(spec.completionMode) && spec.completions == null) {
            errs.required("spec.completions", "when completion mode is Indexed");
        }
        if (spec.selector == null) {
            errs.required("spec.selector", null);
        } else {
            Validation.labelSelector(errs, "spec.selector", spec.selector);
        }
        if (spec.template == null) {
            errs.required("spec.template", null);
            return;
        }
        Validation.podSpec(errs, "spec.template.spec", spec.template.spec);
        String restart = spec.template.spec == null ? null : spec.template.spec.restartPolicy;
        if (!"OnFailure".equals(restart) && !"Never".equals(restart)) {
            errs.required("spec.template.spec.restartPolicy", "valid values: \"OnFailure\", \"Never\"");
        }
    }

    @Override
    public void validateUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        Job now = (Job) obj;
        Job before = (Job) old;
        if (!Json.write(now.spec.selector).equals(Json.write(before.spec.selector))) {
            errs.invalid("spec.selector", Json.write(now.spec.selector), "field is immutable");
        }
        if (!Objects.equals(now.spec.completionMode, before.spec.completionMode)) {
            errs.invalid("spec.completionMode", now.spec.completionMode, "field is immutable");
        }
    }

    @Override
    public Set<String> fieldLabels() {
        return Strategy.withMetadata("status.successful");
    }

    /** batch/v1's conversion function wording. */
    @Override
    public String unsupportedFieldLabel(String label) {
        return "field label \"" + label + "\" not supported for batchv1.Job";
    }

    /** ValidateJobUpdateStatus: the counters ({@link WorkloadStatusValidation}). */
    @Override
    public void validateStatusUpdate(KubeObject obj, KubeObject old, FieldErrors errs) {
        WorkloadStatusValidation.job(errs, obj);
    }
}
