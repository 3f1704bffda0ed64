package io.kube4j.scheduler.plugins.defaultpreemption;

import io.kube4j.api.Pod;

/** The apiserver calls preemption makes; {@link ApiPreemption} makes them, tests record them. */
public interface PreemptionApi {
    /**
     * Preempts {@code victim} for {@code preemptor} on {@code nodeName}, as Kubernetes' {@code Evaluator.PreemptPod}:
     * adds the {@code DisruptionTarget} condition (reason {@code PreemptionByScheduler}) through
     * {@code PATCH pods/{name}/status}, deletes the pod gracefully, and records a {@code Preempted} Event on it.
     * A victim already gone counts as preempted.
     *
     * @throws io.kube4j.client.ApiException when the apiserver refuses
     */
    void preemptPod(Pod preemptor, Pod victim, String nodeName);

    /** Removes {@code status.nominatedNodeName} from {@code pod} ({@code PATCH pods/{name}/status}). */
    void clearNominatedNodeName(Pod pod);
}
