package io.kube4j.controllermanager.runtime;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.params.provider.Arguments.argumentSet;

class SlowStartBatchTest {

    static Stream<Arguments> batchSizes() {
        return Stream.of(
                argumentSet("nothing to do", 0, List.of()),
                argumentSet("one", 1, List.of(1)),
                argumentSet("three: 1, then the 2 left", 3, List.of(1, 2)),
                argumentSet("ten", 10, List.of(1, 2, 4, 3)),
                argumentSet("a power of two minus one", 15, List.of(1, 2, 4, 8)),
                argumentSet("a hundred", 100, List.of(1, 2, 4, 8, 16, 32, 37)),
                argumentSet("burstReplicas", 500, List.of(1, 2, 4, 8, 16, 32, 64, 128, 245)));
    }

    @ParameterizedTest
    @MethodSource("batchSizes")
    void doublesTheBatchUntilEverythingIsDone(int count, List<Integer> expected) {
        AtomicInteger calls = new AtomicInteger();

        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(count, SlowStartBatch.INITIAL_BATCH_SIZE, 16, calls::incrementAndGet);

        assertThat(r.batchSizes()).containsExactlyElementsOf(expected);
        assertThat(r.successes()).isEqualTo(count);
        assertThat(calls).hasValue(count);
        assertThat(r.values()).hasSize(count).doesNotHaveDuplicates();
        assertThat(r.firstError()).isNull();
        assertThat(r.skipped(count)).isZero();
    }

    @Test
    void aLargerInitialBatchDoublesFromThere() {
        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(20, 3, 16, () -> 1);
        assertThat(r.batchSizes()).containsExactly(3, 6, 11);
    }

    @Test
    void stopsAfterTheFirstBatchWithAFailureAndReportsEveryFailureOfIt() {
        AtomicInteger calls = new AtomicInteger();

        // calls 1..3 succeed (batches 1 and 2); in batch 3 (calls 4..7) calls 5 and 6 fail
        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(100, 1, 16, () -> {
            int n = calls.incrementAndGet();
            if (n == 5 || n == 6) {
                throw new IllegalStateException("quota exceeded");
            }
            return n;
        });

        assertThat(r.batchSizes()).containsExactly(1, 2, 4);
        assertThat(calls).as("batch 4 never starts").hasValue(7);
        assertThat(r.successes()).isEqualTo(5);
        assertThat(r.errors()).hasSize(2).allSatisfy(e -> assertThat(e).hasMessage("quota exceeded"));
        assertThat(r.firstError()).isInstanceOf(IllegalStateException.class);
        assertThat(r.skipped(100)).isEqualTo(93);
    }

    @Test
    void aCheckedExceptionOfTheCallIsReportedAsIs() {
        SlowStartBatch.Result<Object> r = SlowStartBatch.run(5, 1, 4, () -> {
            throw new IOException("connection refused");
        });
        assertThat(r.batchSizes()).containsExactly(1);
        assertThat(r.firstError()).isInstanceOf(IOException.class).hasMessage("connection refused");
        assertThat(r.skipped(5)).isEqualTo(4);
    }

    @Test
    void neverRunsMoreThanMaxInFlightAtOnceAndTheWholeBatchBeforeTheNext() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();
        AtomicInteger started = new AtomicInteger();
        AtomicInteger finished = new AtomicInteger();
        List<Integer> boundaries = List.of(0, 1, 3, 7, 15, 31);
        AtomicInteger violations = new AtomicInteger();

        SlowStartBatch.run(31, 1, 3, () -> {
            int n = started.incrementAndGet();
            // every call of batch k starts after all calls of the batches before it have finished
            int before = boundaries.stream().filter(b -> b < n).max(Integer::compare).orElse(0);
            if (finished.get() < before) {
                violations.incrementAndGet();
            }
            maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Thread.sleep(2);
            inFlight.decrementAndGet();
            finished.incrementAndGet();
            return n;
        });

        assertThat(maxSeen.get()).isBetween(1, 3);
        assertThat(violations).hasValue(0);
        assertThat(finished).hasValue(31);
    }

    @Test
    void anIndexedCallIsToldItsPositionBatchByBatch() {
        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(10, 1, Integer.MAX_VALUE, 16, i -> i * 10);

        assertThat(r.batchSizes()).containsExactly(1, 2, 4, 3);
        // positions 0..9 each once, in batch order: batch k holds the positions after those of batches before it
        assertThat(r.values()).containsExactlyInAnyOrder(0, 10, 20, 30, 40, 50, 60, 70, 80, 90);
        assertThat(r.values().subList(0, 1)).containsExactly(0);
        assertThat(r.values().subList(1, 3)).containsExactlyInAnyOrder(10, 20);
        assertThat(r.values().subList(3, 7)).containsExactlyInAnyOrder(30, 40, 50, 60);
        assertThat(r.values().subList(7, 10)).containsExactlyInAnyOrder(70, 80, 90);
    }

    @Test
    void theStatefulSetCapKeepsBatchesAtMaxBatchSize() {
        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(1200, 1, 500, 64, i -> i);

        // 1+2+...+256 = 511, then min(512, 689, 500) = 500, then the 189 left
        assertThat(r.batchSizes()).containsExactly(1, 2, 4, 8, 16, 32, 64, 128, 256, 500, 189);
        assertThat(r.successes()).isEqualTo(1200);
        assertThat(r.values()).doesNotHaveDuplicates().hasSize(1200);
    }

    @Test
    void aFailureAtPositionKSkipsEveryPositionAfterItsBatch() {
        List<Integer> called = java.util.Collections.synchronizedList(new java.util.ArrayList<>());

        // position 20 is in batch 5 (positions 15..30)
        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(100, 1, Integer.MAX_VALUE, 8, i -> {
            called.add(i);
            if (i == 20) {
                throw new IllegalStateException("forbidden: exceeded quota");
            }
            return i;
        });

        assertThat(r.batchSizes()).containsExactly(1, 2, 4, 8, 16);
        assertThat(called).containsExactlyInAnyOrderElementsOf(java.util.stream.IntStream.range(0, 31).boxed().toList());
        assertThat(r.successes()).isEqualTo(30);
        assertThat(r.errors()).singleElement().satisfies(e -> assertThat(e).hasMessage("forbidden: exceeded quota"));
        assertThat(r.skipped(100)).isEqualTo(69);
    }

    @Test
    void oneInFlightMakesTheCallsOneAfterAnother() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();

        SlowStartBatch.Result<Integer> r = SlowStartBatch.run(40, 1, 1, () -> {
            maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Thread.sleep(1);
            inFlight.decrementAndGet();
            return 1;
        });

        assertThat(r.successes()).isEqualTo(40);
        assertThat(maxSeen).hasValue(1);
    }

    @Test
    void aBatchRunsItsCallsConcurrentlyUpToMaxInFlight() {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();

        SlowStartBatch.run(63, 1, 16, () -> {
            maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            Thread.sleep(20);
            inFlight.decrementAndGet();
            return 1;
        });

        // batch 6 has 32 calls of 20 ms: with 16 allowed at once, more than one runs at a time
        assertThat(maxSeen.get()).isGreaterThan(1).isLessThanOrEqualTo(16);
    }
}
