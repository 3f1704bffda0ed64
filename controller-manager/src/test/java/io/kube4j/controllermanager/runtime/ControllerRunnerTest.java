package io.kube4j.controllermanager.runtime;

import io.kube4j.controllermanager.workqueue.ExponentialBackoff;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

class ControllerRunnerTest {
    final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    ControllerRunner runner;

    /** A controller whose reconcile is a function of the key and how often it ran. */
    static final class ScriptedController implements Controller {
        final WorkQueue queue = new WorkQueue(new ExponentialBackoff(Duration.ofMillis(1), Duration.ofMillis(20)));
        final Map<String, AtomicInteger> runs = new ConcurrentHashMap<>();
        final AtomicInteger concurrent = new AtomicInteger();
        final AtomicInteger maxConcurrent = new AtomicInteger();
        final Function<Integer, Result> script;

        ScriptedController(Function<Integer, Result> script) {
            this.script = script;
        }

        @Override
        public String name() {
            return "scripted";
        }

        @Override
        public WorkQueue queue() {
            return queue;
        }

        @Override
        public List<Informer<?>> informers() {
            return List.of();
        }

        @Override
        public Result reconcile(String key) {
            int now = concurrent.incrementAndGet();
            maxConcurrent.accumulateAndGet(now, Math::max);
            try {
                Thread.sleep(2);
                int run = runs.computeIfAbsent(key, k -> new AtomicInteger()).incrementAndGet();
                return script.apply(run);
            } catch (InterruptedException e) {
                throw new IllegalStateException(e);
            } finally {
                concurrent.decrementAndGet();
            }
        }
    }

    @AfterEach
    void stop() {
        if (runner != null) {
            runner.stop();
        }
    }

    @Test
    void aFailingReconcileIsRetriedWithBackoffUntilItSucceeds() {
        ScriptedController c = new ScriptedController(run -> {
            if (run < 3) {
                throw new IllegalStateException("transient");
            }
            return Result.done();
        });
        runner = new ControllerRunner(c, 2, registry);
        runner.start();

        c.queue.add("ns/a");

        await().atMost(Duration.ofSeconds(5)).until(() -> c.runs.containsKey("ns/a") && c.runs.get("ns/a").get() == 3);
        assertThat(c.queue.retries("ns/a")).isZero();
        assertThat(registry.get("workqueue_retries_total").tag("name", "scripted").counter().count()).isEqualTo(2.0);
        assertThat(registry.get("controller_reconcile_duration_seconds").tag("result", "retry").timer().count()).isEqualTo(2);
    }

    @Test
    void requeueAfterRunsTheKeyAgainLater() {
        ScriptedController c = new ScriptedController(run -> run == 1 ? Result.requeueAfter(Duration.ofMillis(100)) : Result.done());
        runner = new ControllerRunner(c, 1, registry);
        runner.start();

        c.queue.add("ns/a");

        await().atMost(Duration.ofSeconds(5)).until(() -> c.runs.containsKey("ns/a") && c.runs.get("ns/a").get() == 2);
    }

    @Test
    void oneKeyIsNeverReconciledByTwoWorkersAtOnce() {
        ScriptedController c = new ScriptedController(run -> Result.done());
        runner = new ControllerRunner(c, 8, registry);
        runner.start();

        for (int i = 0; i < 300; i++) {
            c.queue.add("ns/same");
            Thread.onSpinWait();
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> c.queue.length() == 0 && c.concurrent.get() == 0);
        assertThat(c.maxConcurrent.get()).isEqualTo(1);
        assertThat(c.runs.get("ns/same").get()).isGreaterThanOrEqualTo(1);
    }

    @Test
    void differentKeysAreReconciledInParallel() {
        ScriptedController c = new ScriptedController(run -> Result.done());
        runner = new ControllerRunner(c, 4, registry);
        runner.start();

        for (int i = 0; i < 200; i++) {
            c.queue.add("ns/k" + i);
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> c.runs.size() == 200);
        assertThat(c.maxConcurrent.get()).isGreaterThan(1);
    }
}
