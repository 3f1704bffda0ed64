package io.kube4j.scheduler.framework;

/**
 * How a plugin with PreFilter data keeps that data right while preemption (and the nominated-pods
 * check) simulates pods appearing on or leaving a node, without running PreFilter again over the whole
 * cluster (Kubernetes' {@code PreFilterExtensions}). Both are called on a {@linkplain CycleState#copy()
 * copy} of the cycle state, after {@code node} (also a copy) has been changed.
 */
public interface PreFilterExtensions {
    /** {@code podToAdd} now runs on {@code node}: count it. */
    Status addPod(CycleState state, PodInfo podToSchedule, PodInfo podToAdd, NodeInfo node);

    /** {@code podToRemove} no longer runs on {@code node}: stop counting it. */
    Status removePod(CycleState state, PodInfo podToSchedule, PodInfo podToRemove, NodeInfo node);
}
