package io.kube4j.scheduler.plugins.defaultpreemption;

/** Kubernetes' preemption metrics: {@code scheduler_preemption_attempts_total} and {@code scheduler_preemption_victims}. */
public interface PreemptionMetrics {
    /** Records nothing. */
    PreemptionMetrics NONE = new PreemptionMetrics() {
        @Override
        public void preemptionAttempt() {
        }

        @Override
        public void preemptionVictims(int victims) {
        }
    };

    /** One PostFilter run of DefaultPreemption. */
    void preemptionAttempt();

    /** The number of victims of one carried-out preemption. */
    void preemptionVictims(int victims);
}
