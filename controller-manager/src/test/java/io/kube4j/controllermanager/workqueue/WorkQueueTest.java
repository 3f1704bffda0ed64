package io.kube4j.controllermanager.workqueue;

import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class WorkQueueTest {
    final WorkQueue queue = new WorkQueue(new ExponentialBackoff(Duration.ofMillis(5), Duration.ofSeconds(1)));

    @AfterEach
    void shutDown() {
        queue.shutDown();
    }

    @Test
    void aKeyAddedTwiceBeforeAWorkerTakesItIsProcessedOnce() throws Exception {
        queue.add("a");
        queue.add("b");
        queue.add("a");

        assertThat(queue.length()).isEqualTo(2);
        assertThat(queue.get()).isEqualTo("a");
        assertThat(queue.get()).isEqualTo("b");
    }

    @Test
    void aKeyAddedWhileBeingProcessedWaitsUntilDoneAndIsNotHandedOutTwice() throws Exception {
        queue.add("a");
        String taken = queue.get();

        queue.add("a");

        assertThat(queue.length()).isZero();
        queue.done(taken);
        assertThat(queue.length()).isEqualTo(1);
        assertThat(queue.get()).isEqualTo("a");
    }

    @Test
    void addAfterQueuesTheKeyOnlyOnceTheDelayHasPassedAndTheShorterDelayWins() {
        queue.addAfter("a", Duration.ofSeconds(30));
        queue.addAfter("a", Duration.ofMillis(50));

        assertThat(queue.length()).isZero();
        await().atMost(Duration.ofSeconds(2)).until(() -> queue.isQueued("a"));
        assertThat(queue.length()).isEqualTo(1);
    }

    @Test
    void retriesBackOffExponentiallyUpToTheCapAndForgetResets() {
        ExponentialBackoff backoff = new ExponentialBackoff(Duration.ofMillis(5), Duration.ofMillis(100));

        assertThat(backoff.when("k")).isEqualTo(Duration.ofMillis(5));
        assertThat(backoff.when("k")).isEqualTo(Duration.ofMillis(10));
        assertThat(backoff.when("k")).isEqualTo(Duration.ofMillis(20));
        assertThat(backoff.when("other")).isEqualTo(Duration.ofMillis(5));
        for (int i = 0; i < 50; i++) {
            backoff.when("k");
        }
        assertThat(backoff.when("k")).isEqualTo(Duration.ofMillis(100));
        assertThat(backoff.retries("k")).isEqualTo(54);
        backoff.forget("k");
        assertThat(backoff.when("k")).isEqualTo(Duration.ofMillis(5));
    }

    @Test
    void theTokenBucketLetsABurstThroughThenSpacesRequestsAtItsRate() {
        AtomicLong nanos = new AtomicLong();
        TokenBucket bucket = new TokenBucket(10, 3, nanos::get);

        assertThat(bucket.when("a")).isZero();
        assertThat(bucket.when("b")).isZero();
        assertThat(bucket.when("c")).isZero();
        assertThat(bucket.when("d")).isEqualTo(Duration.ofMillis(100));
        assertThat(bucket.when("e")).isEqualTo(Duration.ofMillis(200));
        nanos.addAndGet(Duration.ofSeconds(1).toNanos());
        assertThat(bucket.when("f")).isZero();
    }

    @Test
    void theDefaultLimiterTakesTheLongerOfBackoffAndBucket() {
        RateLimiter limiter = RateLimiter.maxOf(new ExponentialBackoff(Duration.ofMillis(5), Duration.ofSeconds(60)),
                new TokenBucket(1, 1, () -> 0L));

        assertThat(limiter.when("a")).isEqualTo(Duration.ofMillis(5));
        // the bucket is empty now: a second key waits a full second despite its short backoff
        assertThat(limiter.when("b")).isEqualTo(Duration.ofSeconds(1));
    }

    @Test
    void shutDownWakesABlockedWorkerWithNull() throws Exception {
        AtomicReference<String> got = new AtomicReference<>("unset");
        Thread worker = Thread.ofVirtual().start(() -> {
            try {
                got.set(queue.get());
            } catch (InterruptedException e) {
                got.set("interrupted");
            }
        });
        Thread.sleep(50);

        queue.shutDown();
        worker.join(2000);

        assertThat(got.get()).isNull();
    }
}
