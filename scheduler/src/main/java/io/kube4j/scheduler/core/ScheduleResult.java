package io.kube4j.scheduler.core;

import io.kube4j.scheduler.framework.CycleState;
import io.kube4j.scheduler.framework.Diagnosis;

/**
 * The outcome of the scheduling algorithm for one pod: the chosen node, or why none fits.
 *
 * @param nodeName       the chosen node, or null
 * @param diagnosis      the rejections (when no node was chosen)
 * @param evaluatedNodes how many nodes were filtered
 * @param feasibleNodes  how many of them fit
 * @param state          the cycle's state (PreFilter data), which PostFilter needs; null when PreFilter did not run
 */
public record ScheduleResult(String nodeName, Diagnosis diagnosis, int evaluatedNodes, int feasibleNodes, CycleState state) {
    public boolean fits() {
        return nodeName != null;
    }
}
