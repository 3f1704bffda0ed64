package io.kube4j.apiserver.registry.kinds;

import tools.jackson.databind.JsonNode;
import io.kube4j.api.KubeObject;
import io.kube4j.apiserver.validation.FieldErrors;
import io.kube4j.json.Json;

/**
 * Status-update validation of the workload kinds' counters, as Kubernetes'
 * {@code pkg/apis/apps/validation/validation.go} (ValidateDeploymentStatus, ValidateReplicaSetStatus,
 * ValidateStatefulSetStatus, validateDaemonSetStatus and their *StatusUpdate callers),
 * {@code pkg/apis/core/validation} ValidateReplicationControllerStatus and {@code pkg/apis/batch/validation}
 * validateJobStatus: counters are non-negative ("must be greater than or equal to 0"), the replica
 * counts are not above {@code status.replicas}, and {@code collisionCount} is never decremented.
 * Errors come in Kubernetes' order, with paths under {@code status}.
 */
final class WorkloadStatusValidation {
    private static final String NOT_ABOVE_REPLICAS = "cannot be greater than status.replicas";

    private WorkloadStatusValidation() {
    }

    /** ValidateDeploymentStatusUpdate. */
    static void deployment(FieldErrors errs, KubeObject obj, KubeObject old) {
        JsonNode s = status(obj);
        nonNegative(errs, s, "observedGeneration", "replicas", "updatedReplicas", "readyReplicas", "availableReplicas", "unavailableReplicas", "collisionCount");
        notAbove(errs, s, "replicas", NOT_ABOVE_REPLICAS, "updatedReplicas", "readyReplicas", "availableReplicas");
        notAbove(errs, s, "readyReplicas", "cannot be greater than readyReplicas", "availableReplicas");
        collisionCountNotDecremented(errs, s, status(old));
    }

    /** ValidateReplicaSetStatusUpdate. */
    static void replicaSet(FieldErrors errs, KubeObject obj) {
        JsonNode s = status(obj);
        nonNegative(errs, s, "replicas", "fullyLabeledReplicas", "readyReplicas", "availableReplicas", "observedGeneration");
        notAbove(errs, s, "replicas", NOT_ABOVE_REPLICAS, "fullyLabeledReplicas", "readyReplicas", "availableReplicas");
        notAbove(errs, s, "readyReplicas", "cannot be greater than readyReplicas", "availableReplicas");
    }

    /** ValidateReplicationControllerStatusUpdate: the same counters as a ReplicaSet's. */
    static void replicationController(FieldErrors errs, KubeObject obj) {
        replicaSet(errs, obj);
    }

    /** ValidateStatefulSetStatusUpdate. */
    static void statefulSet(FieldErrors errs, KubeObject obj, KubeObject old) {
        JsonNode s = status(obj);
        nonNegative(errs, s, "replicas", "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas", "observedGeneration", "collisionCount");
        notAbove(errs, s, "replicas", NOT_ABOVE_REPLICAS, "readyReplicas", "currentReplicas", "updatedReplicas", "availableReplicas");
        notAbove(errs, s, "readyReplicas", "cannot be greater than status.readyReplicas", "availableReplicas");
        collisionCountNotDecremented(errs, s, status(old));
    }

    /** ValidateDaemonSetStatusUpdate. */
    static void daemonSet(FieldErrors errs, KubeObject obj, KubeObject old) {
        JsonNode s = status(obj);
        nonNegative(errs, s, "currentNumberScheduled", "numberMisscheduled", "desiredNumberScheduled", "numberReady", "observedGeneration",
                "updatedNumberScheduled", "numberAvailable", "numberUnavailable", "collisionCount");
        collisionCountNotDecremented(errs, s, status(old));
    }

    /** validateJobStatus: the pod counters. */
    static void job(FieldErrors errs, KubeObject obj) {
        nonNegative(errs, status(obj), "active", "succeeded", "failed", "ready", "terminating");
    }

    private static JsonNode status(KubeObject obj) {
        JsonNode s = obj == null ? null : Json.toTree(obj).get("status");
        return s == null || !s.isObject() ? Json.mapper().createObjectNode() : s;
    }

    private static long count(JsonNode status, String field) {
        JsonNode v = status.get(field);
        return v == null || !v.isNumber() ? 0 : v.asLong();
    }

    private static void nonNegative(FieldErrors errs, JsonNode status, String... fields) {
        for (String f : fields) {
            long v = count(status, f);
            if (v < 0) errs.invalid("status." + f, v, "must be greater than or equal to 0");
        }
    }

    private static void notAbove(FieldErrors errs, JsonNode status, String limit, String detail, String... fields) {
        long max = count(status, limit);
        for (String f : fields) {
            long v = count(status, f);
            if (v > max) errs.invalid("status." + f, v, detail);
        }
    }

    /** apivalidation.IsDecremented: a collisionCount that was set may not go down (nor be removed). */
    private static void collisionCountNotDecremented(FieldErrors errs, JsonNode status, JsonNode oldStatus) {
        JsonNode oldCount = oldStatus.get("collisionCount");
        if (oldCount == null || !oldCount.isNumber()) return;
        JsonNode now = status.get("collisionCount");
        long value = now == null || !now.isNumber() ? 0 : now.asLong();
        if (now == null || value < oldCount.asLong()) errs.invalid("status.collisionCount", value, "cannot be decremented");
    }
}
