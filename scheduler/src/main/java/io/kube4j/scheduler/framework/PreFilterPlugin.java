package io.kube4j.scheduler.framework;

/**
 * Runs once per scheduling cycle before any node is filtered: the place to compute what every
 * {@link FilterPlugin#filter} call of the cycle needs (counts per topology domain, ...) into the
 * {@link CycleState}. A non-success status rejects the pod on every node.
 */
public interface PreFilterPlugin extends Plugin {
    Status preFilter(CycleState state, PodInfo pod, Snapshot snapshot);

    /**
     * How this plugin's PreFilter data follows simulated pod additions and removals; null (the default)
     * when Filter reads nothing from PreFilter that depends on other pods.
     */
    default PreFilterExtensions preFilterExtensions() {
        return null;
    }
}
