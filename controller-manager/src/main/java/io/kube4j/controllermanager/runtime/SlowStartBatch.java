package io.kube4j.controllermanager.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Kubernetes' {@code slowStartBatch} ({@code pkg/controller/replicaset/replica_set.go}; the Job and
 * DaemonSet controllers inline the same loop, the StatefulSet controller has its own with a batch cap in
 * {@code stateful_set_control.go}): makes {@code count} calls in batches of 1, 2, 4, ... (doubling, the
 * last batch being whatever is left), each batch concurrently, waiting for a batch to finish before the
 * next. The first batch with a failure is the last one, so a call that fails for every pod (quota,
 * admission, a namespace being deleted) costs a handful of requests, not {@code count}.
 */
public final class SlowStartBatch {
    /** Kubernetes' {@code controller.SlowStartInitialBatchSize}. */
    public static final int INITIAL_BATCH_SIZE = 1;
    /**
     * Calls of a batch in flight at once unless configured
     * ({@code kube4j.controller-manager.pod-requests-in-flight}). Kubernetes starts a whole batch (a
     * goroutine per call, up to 256 for a ReplicaSet's 500) at once and lets the client's QPS/burst pace them; the cap only keeps a large batch
     * from opening that many connections at once.
     */
    public static final int DEFAULT_MAX_IN_FLIGHT = 64;

    /**
     * What a slow start did.
     *
     * @param successes  calls that returned normally (from started batches only)
     * @param values     their return values, batch by batch (within a batch in call order)
     * @param errors     the exceptions of the failed calls, in call order (empty when all succeeded)
     * @param batchSizes the size of every batch started, e.g. {@code [1, 2, 4, 3]} for 10 calls
     */
    public record Result<T>(int successes, List<T> values, List<Exception> errors, List<Integer> batchSizes) {
        public Result {
            values = Collections.unmodifiableList(values);
            errors = List.copyOf(errors);
            batchSizes = List.copyOf(batchSizes);
        }

        /** The first failure (Kubernetes returns only that one), or null. */
        public Exception firstError() {
            return errors.isEmpty() ? null : errors.getFirst();
        }

        /** Calls never made because an earlier batch failed: {@code count - successes - errors}. */
        public int skipped(int count) {
            return count - successes - errors.size();
        }
    }

    /** One call of a slow start, told its position: 0 for the first call made, {@code count - 1} for the last. */
    @FunctionalInterface
    public interface IndexedCall<T> {
        /** Makes call number {@code index}; throws to fail it. */
        T call(int index) throws Exception;
    }

    private SlowStartBatch() {
    }

    /**
     * Makes {@code count} calls of {@code call} in slow-start batches starting at {@code initialBatchSize}
     * (at least 1), with at most {@code maxInFlight} calls of a batch running at once. Stops after the
     * first batch in which a call threw (an {@link InterruptedException} of the caller counts as a failure
     * of the calls it prevented, and stops too).
     *
     * @return what was done; {@code successes + errors + skipped == count}
     */
    public static <T> Result<T> run(int count, int initialBatchSize, int maxInFlight, Callable<T> call) {
        return run(count, initialBatchSize, Integer.MAX_VALUE, maxInFlight, index -> call.call());
    }

    /**
     * As {@link #run(int, int, int, Callable)}, with batches never larger than {@code maxBatchSize} (the
     * StatefulSet controller's {@code MaxBatchSize}, 500) and each call told its position, so call
     * {@code i} can create the pod of the {@code i}-th node, index or ordinal. Positions are handed out
     * in order: batch 1 makes call 0, batch 2 calls 1 and 2, and so on.
     */
    public static <T> Result<T> run(int count, int initialBatchSize, int maxBatchSize, int maxInFlight, IndexedCall<T> call) {
        List<T> values = new ArrayList<>();
        List<Exception> errors = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        int cap = Math.max(1, maxBatchSize);
        int remaining = count;
        int next = 0;
        int successes = 0;
        for (int batch = Math.min(Math.min(remaining, Math.max(1, initialBatchSize)), cap); batch > 0;
                batch = Math.min(Math.min(2 * batch, remaining), cap)) {
            batchSizes.add(batch);
            List<Integer> positions = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                positions.add(next++);
            }
            List<ParallelCalls.Outcome<T>> outcomes = ParallelCalls.forEach(positions, maxInFlight, index -> {
                try {
                    return call.call(index);
                } catch (RuntimeException e) {
                    throw e;
                } catch (Exception e) {
                    throw new CallFailed(e);
                }
            });
            for (ParallelCalls.Outcome<T> o : outcomes) {
                if (o.ok()) {
                    successes++;
                    values.add(o.value());
                } else {
                    errors.add(o.error() instanceof CallFailed cf ? (Exception) cf.getCause() : o.error());
                }
            }
            if (!errors.isEmpty()) {
                break;
            }
            remaining -= batch;
        }
        return new Result<>(successes, values, errors, batchSizes);
    }

    // carries a checked exception of the call through ParallelCalls; unwrapped above
    private static final class CallFailed extends RuntimeException {
        CallFailed(Exception cause) {
            super(cause);
        }
    }
}
