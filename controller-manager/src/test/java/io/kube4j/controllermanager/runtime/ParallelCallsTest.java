package io.kube4j.controllermanager.runtime;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class ParallelCallsTest {

    @Test
    void returnsOneOutcomePerItemInTheItemsOrderWithTheFailuresCaught() {
        List<ParallelCalls.Outcome<String>> out = ParallelCalls.forEach(List.of(1, 2, 3, 4), 2, i -> {
            if (i == 3) {
                throw new IllegalArgumentException("three");
            }
            return "v" + i;
        });

        assertThat(out).extracting(ParallelCalls.Outcome::value).containsExactly("v1", "v2", null, "v4");
        assertThat(out.get(2).ok()).isFalse();
        assertThat(out.get(2).error()).hasMessage("three");
    }

    @Test
    void runsConcurrentlyButNeverMoreThanTheCap() throws Exception {
        AtomicInteger inFlight = new AtomicInteger();
        AtomicInteger maxSeen = new AtomicInteger();

        ParallelCalls.forEach(java.util.Collections.nCopies(40, 0), 5, i -> {
            maxSeen.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                Thread.sleep(10);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            }
            inFlight.decrementAndGet();
            return i;
        });

        assertThat(maxSeen.get()).as("parallel, and capped").isBetween(2, 5);
    }
}
