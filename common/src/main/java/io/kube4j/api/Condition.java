package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * The standard condition of newer APIs (metav1.Condition): PodDisruptionBudget, ValidatingAdmissionPolicy
 * and others. Kinds that predate it have their own condition types.
 */
public class Condition {
    public String type;
    public String status;
    public Long observedGeneration;
    public String lastTransitionTime;
    public String reason;
    /** Required (not omitempty) in Kubernetes, so an empty message is written as {@code ""}. */
    @JsonInclude(JsonInclude.Include.NON_NULL)
    public String message;

    public Condition() {
    }

    public Condition(String type, String status, String reason, String message, String lastTransitionTime) {
        this.type = type;
        this.status = status;
        this.reason = reason;
        this.message = message;
        this.lastTransitionTime = lastTransitionTime;
    }
}
