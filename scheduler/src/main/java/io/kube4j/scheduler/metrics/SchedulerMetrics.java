package io.kube4j.scheduler.metrics;

import io.kube4j.scheduler.plugins.defaultpreemption.PreemptionMetrics;
import io.kube4j.scheduler.queue.SchedulingQueue;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.util.concurrent.TimeUnit;

/**
 * The scheduler's metrics under Kubernetes' names: {@code scheduler_schedule_attempts_total{result}}
 * (scheduled, unschedulable, error), {@code scheduler_scheduling_attempt_duration_seconds} (from the
 * attempt's start to the end of its binding, or to the verdict that it fits nowhere) and
 * {@code scheduler_pending_pods{queue}} (active, backoff, unschedulable, gated), and
 * {@code scheduler_scheduling_algorithm_duration_seconds} (snapshot, filter and score of one pod:
 * the part of an attempt the scheduling thread spends, as opposed to waiting for the apiserver), and
 * preemption's {@code scheduler_preemption_attempts_total} and {@code scheduler_preemption_victims}.
 */
public final class SchedulerMetrics implements PreemptionMetrics {
    /** The result label of an attempt. */
    public enum Result { SCHEDULED, UNSCHEDULABLE, ERROR }

    private final Counter scheduled;
    private final Counter unschedulable;
    private final Counter error;
    private final Timer scheduledDuration;
    private final Timer unschedulableDuration;
    private final Timer errorDuration;
    private final Timer algorithmDuration;
    private final Counter preemptionAttempts;
    private final DistributionSummary preemptionVictims;

    public SchedulerMetrics(MeterRegistry registry, SchedulingQueue queue) {
        this.scheduled = attempts(registry, "scheduled");
        this.unschedulable = attempts(registry, "unschedulable");
        this.error = attempts(registry, "error");
        this.scheduledDuration = duration(registry, "scheduled");
        this.unschedulableDuration = duration(registry, "unschedulable");
        this.errorDuration = duration(registry, "error");
        this.algorithmDuration = Timer.builder("scheduler.scheduling.algorithm.duration")
                .description("Scheduling algorithm latency: snapshot, filter, score").publishPercentileHistogram().register(registry);
        this.preemptionAttempts = Counter.builder("scheduler.preemption.attempts").description("Total preemption attempts in the cluster till now")
                .register(registry);
        // Kubernetes: buckets 1, 2, 4, ... 64 (exponential, factor 2, 7 buckets)
        this.preemptionVictims = DistributionSummary.builder("scheduler.preemption.victims").description("Number of selected preemption victims")
                .serviceLevelObjectives(1, 2, 4, 8, 16, 32, 64).register(registry);
        pending(registry, queue, "active", SchedulingQueue::activeSize);
        pending(registry, queue, "backoff", SchedulingQueue::backoffSize);
        pending(registry, queue, "unschedulable", SchedulingQueue::unschedulableSize);
        pending(registry, queue, "gated", SchedulingQueue::gatedSize);
    }

    private static Counter attempts(MeterRegistry registry, String result) {
        return Counter.builder("scheduler.schedule.attempts").description("Scheduling attempts by result")
                .tag("result", result).register(registry);
    }

    private static Timer duration(MeterRegistry registry, String result) {
        return Timer.builder("scheduler.scheduling.attempt.duration").description("Scheduling attempt latency (algorithm and binding)")
                .tag("result", result).publishPercentileHistogram().register(registry);
    }

    private static void pending(MeterRegistry registry, SchedulingQueue queue, String name, java.util.function.ToDoubleFunction<SchedulingQueue> size) {
        Gauge.builder("scheduler.pending.pods", queue, size).description("Pods waiting in the scheduling queue")
                .tag("queue", name).register(registry);
    }

    /** Records one attempt that took {@code nanos}. */
    public void attempt(Result result, long nanos) {
        switch (result) {
            case SCHEDULED -> {
                scheduled.increment();
                scheduledDuration.record(nanos, TimeUnit.NANOSECONDS);
            }
            case UNSCHEDULABLE -> {
                unschedulable.increment();
                unschedulableDuration.record(nanos, TimeUnit.NANOSECONDS);
            }
            case ERROR -> {
                error.increment();
                errorDuration.record(nanos, TimeUnit.NANOSECONDS);
            }
        }
    }

    @Override
    public void preemptionAttempt() {
        preemptionAttempts.increment();
    }

    @Override
    public void preemptionVictims(int victims) {
        preemptionVictims.record(victims);
    }

    /** Records the algorithm's share of an attempt. */
    public void algorithm(long nanos) {
        algorithmDuration.record(nanos, TimeUnit.NANOSECONDS);
    }

    public Timer algorithmDuration() {
        return algorithmDuration;
    }

    /** The duration timer of {@code result} (for the benchmark's percentiles). */
    public Timer duration(Result result) {
        return switch (result) {
            case SCHEDULED -> scheduledDuration;
            case UNSCHEDULABLE -> unschedulableDuration;
            case ERROR -> errorDuration;
        };
    }
}
