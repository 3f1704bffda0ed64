package io.kube4j.scheduler.framework;

import java.util.List;

/**
 * The pods nominated to run on a node: pending pods whose preemption freed room there (their
 * {@code status.nominatedNodeName}, or the scheduler's own decision before the apiserver has it).
 * Filtering counts a node's nominated pods of equal or higher priority as if they ran there, so the
 * room preemption made is reserved for them (Kubernetes' {@code PodNominator}).
 */
public interface PodNominator {
    /** A nominator without nominations. */
    PodNominator NONE = nodeName -> List.of();

    /** The pods nominated to {@code nodeName} (a copy; empty when none). */
    List<PodInfo> nominatedPodsForNode(String nodeName);
}
