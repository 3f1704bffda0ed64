package io.kube4j.scheduler.plugins.defaultpreemption;

import io.kube4j.scheduler.framework.PodInfo;

import java.util.List;

/**
 * A node on which the preemptor fits once {@code victims} are gone (Kubernetes' {@code preemption.Candidate}
 * with its {@code extenderv1.Victims}).
 *
 * @param nodeName         the node
 * @param victims          the pods to preempt, most important first
 * @param numPDBViolations how many of them a PodDisruptionBudget does not allow to disrupt
 */
public record Candidate(String nodeName, List<PodInfo> victims, int numPDBViolations) {
    public Candidate {
        victims = List.copyOf(victims);
    }
}
