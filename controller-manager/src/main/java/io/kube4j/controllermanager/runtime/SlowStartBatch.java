package io.kube4j.controllermanager.runtime;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.Callable;

/**
 * Kubernetes' {@code slowStartBatch} ({@code pkg/controller/replicaset/replica_set.go}, also used by the
 * Job and DaemonSet controllers): makes {@code count} calls in batches of 1, 2, 4, ... (doubling, the
 * last batch being whatever is left), each batch concurrently, waiting for a batch to finish before the
 * next. The first batch with a failure is the last one, so a call that fails for every pod (quota,
 * admission, a namespace being deleted) costs a handful of requests, not {@code count}.
 */
public final class SlowStartBatch {
    /** Kubernetes' {@code controller.SlowStartInitialBatchSize}. */
    public static final int INITIAL_BATCH_SIZE = 1;

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
        List<T> values = new ArrayList<>();
        List<Exception> errors = new ArrayList<>();
        List<Integer> batchSizes = new ArrayList<>();
        int remaining = count;
        int successes = 0;
        for (int batch = Math.min(remaining, Math.max(1, initialBatchSize)); batch > 0; batch = Math.min(2 * batch, remaining)) {
            batchSizes.add(batch);
            List<Integer> slots = new ArrayList<>(batch);
            for (int i = 0; i < batch; i++) {
                slots.add(i);
            }
            List<ParallelCalls.Outcome<T>> outcomes = ParallelCalls.forEach(slots, maxInFlight, slot -> {
                try {
                    return call.call();
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
