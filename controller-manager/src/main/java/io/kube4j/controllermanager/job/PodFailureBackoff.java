package io.kube4j.controllermanager.job;

import io.kube4j.api.Pod;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * The delay before a Job replaces failed pods: 10 s after one failure since the last success, doubling
 * per further failure, at most 10 minutes, counted from the last failure. Kept in memory per Job, as
 * Kubernetes' {@code backoffStore} in {@code pkg/controller/job/backoff_utils.go}.
 */
final class PodFailureBackoff {
    static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(10);
    static final Duration MAX_BACKOFF = Duration.ofMinutes(10);

    /** Failures since the last success of one Job, and when the last of them happened. */
    record Record(String key, int failuresAfterLastSuccess, Instant lastFailureTime) {
        /** How long pod creation must still wait at {@code now}; zero when it may go ahead. */
        Duration remaining(Instant now) {
            return remainingFor(failuresAfterLastSuccess, lastFailureTime, now);
        }
    }

    private final Map<String, Record> records = new ConcurrentHashMap<>();

    /** The record after counting {@code newSucceeded} and {@code newFailed} pods (not stored until {@link #update}). */
    Record next(String key, List<Pod> newSucceeded, List<Pod> newFailed) {
        Record old = records.getOrDefault(key, new Record(key, 0, null));
        List<Pod> succeeded = byFinishTime(newSucceeded);
        List<Pod> failed = byFinishTime(newFailed);
        if (succeeded.isEmpty()) {
            if (failed.isEmpty()) {
                return old;
            }
            return new Record(key, old.failuresAfterLastSuccess() + failed.size(), JobPods.finishedTime(failed.getLast()));
        }
        if (failed.isEmpty()) {
            return new Record(key, 0, null);
        }
        // only failures after the latest success count
        Instant lastSuccess = JobPods.finishedTime(succeeded.getLast());
        int count = 0;
        Instant lastFailure = null;
        for (int i = failed.size() - 1; i >= 0; i--) {
            Instant t = JobPods.finishedTime(failed.get(i));
            if (!t.isAfter(lastSuccess)) {
                break;
            }
            if (lastFailure == null) {
                lastFailure = t;
            }
            count++;
        }
        return new Record(key, count, lastFailure);
    }

    void update(Record record) {
        records.put(record.key(), record);
    }

    void remove(String key) {
        records.remove(key);
    }

    private static List<Pod> byFinishTime(List<Pod> pods) {
        List<Pod> sorted = new ArrayList<>(pods);
        sorted.sort(Comparator.comparing(JobPods::finishedTime));
        return sorted;
    }

    /** Kubernetes' getRemainingTimeForFailuresCount. */
    static Duration remainingFor(int failures, Instant lastFailure, Instant now) {
        if (failures == 0 || lastFailure == null) {
            return Duration.ZERO;
        }
        Duration backoff = DEFAULT_BACKOFF;
        for (int i = 1; i < failures; i++) {
            backoff = backoff.multipliedBy(2);
            if (backoff.compareTo(MAX_BACKOFF) >= 0) {
                backoff = MAX_BACKOFF;
                break;
            }
        }
        Duration elapsed = Duration.between(lastFailure, now);
        if (backoff.compareTo(elapsed) < 0) {
            return Duration.ZERO;
        }
        return backoff.minus(elapsed);
    }
}
