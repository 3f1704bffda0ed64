package io.kube4j.apiserver.controlplane;

import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;

class PostStartRetryTest {
    @Test
    void retriesAFailingAttemptUntilItSucceedsAndReportsEveryFailure() {
        AtomicInteger calls = new AtomicInteger();
        List<String> failures = new ArrayList<>();
        boolean done = PostStartRetry.untilDone(() -> true, () -> {
            if (calls.incrementAndGet() < 3) {
                throw new IllegalStateException("etcd not there yet " + calls.get());
            }
        }, e -> failures.add(e.getMessage()));
        assertThat(done).isTrue();
        assertThat(calls).hasValue(3);
        assertThat(failures).containsExactly("etcd not there yet 1", "etcd not there yet 2");
    }

    @Test
    void stopsWithoutSuccessWhenTheComponentStops() {
        AtomicInteger calls = new AtomicInteger();
        boolean done = PostStartRetry.untilDone(() -> calls.get() < 1, () -> {
            calls.incrementAndGet();
            throw new IllegalStateException("down");
        }, e -> { });
        assertThat(done).isFalse();
        assertThat(calls).hasValue(1);
    }

    @Test
    void anInterruptEndsTheRetriesAndKeepsTheInterruptFlag() {
        Thread.currentThread().interrupt();
        boolean done = PostStartRetry.untilDone(() -> true, () -> {
            throw new IllegalStateException("down");
        }, e -> { });
        assertThat(done).isFalse();
        assertThat(Thread.interrupted()).isTrue();
    }
}
