package io.kube4j.controllermanager.runtime;

import io.kube4j.client.ApiException;
import io.kube4j.controllermanager.workqueue.WorkQueue;
import io.kube4j.informer.Informer;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * Runs a {@link Controller} as sample-controller's {@code Run}: waits for its informers to sync,
 * then N workers take keys from the queue, reconcile them, and requeue according to the
 * {@link Result}. A key is never reconciled by two workers at once (the queue guarantees it).
 */
public final class ControllerRunner {
    private static final Logger log = LoggerFactory.getLogger(ControllerRunner.class);

    private final Controller controller;
    private final int workers;
    private final MeterRegistry registry;
    private final List<Thread> threads = new ArrayList<>();
    private volatile boolean stopped;

    public ControllerRunner(Controller controller, int workers, MeterRegistry registry) {
        this.controller = controller;
        this.workers = Math.max(1, workers);
        this.registry = registry;
        controller.queue().bindTo(registry, controller.name());
    }

    public Controller controller() {
        return controller;
    }

    /** Starts waiting for sync, then the workers, all on virtual threads; returns at once. */
    public synchronized void start() {
        if (!threads.isEmpty()) {
            return;
        }
        threads.add(Thread.ofVirtual().name(controller.name() + "-starter").start(() -> {
            if (!waitForSync()) {
                return;
            }
            log.info("{} controller: caches synced, starting {} workers", controller.name(), workers);
            synchronized (this) {
                for (int i = 0; i < workers && !stopped; i++) {
                    threads.add(Thread.ofVirtual().name(controller.name() + "-worker-" + i).start(this::work));
                }
            }
        }));
    }

    private boolean waitForSync() {
        for (Informer<?> informer : controller.informers()) {
            try {
                while (!stopped && !informer.waitForSync(Duration.ofSeconds(10))) {
                    log.info("{} controller: waiting for the {} cache to sync", controller.name(), informer.type().getSimpleName());
                }
            } catch (InterruptedException e) {
                return false;
            }
        }
        return !stopped;
    }

    public synchronized void stop() {
        stopped = true;
        controller.queue().shutDown();
        threads.forEach(Thread::interrupt);
    }

    private void work() {
        WorkQueue queue = controller.queue();
        while (!stopped) {
            String key;
            try {
                key = queue.get();
            } catch (InterruptedException e) {
                return;
            }
            if (key == null) {
                return;
            }
            try {
                process(queue, key);
            } finally {
                queue.done(key);
            }
        }
    }

    /** One reconcile, timed, with the result turned into queue operations. */
    void process(WorkQueue queue, String key) {
        long start = System.nanoTime();
        Result result;
        try {
            result = controller.reconcile(key);
        } catch (ApiException e) {
            // transient by nature (conflict, apiserver unreachable, timeout): back off and retry
            result = Result.retry(e.getMessage());
        } catch (RuntimeException e) {
            log.error("{} controller: reconcile of {} failed", controller.name(), key, e);
            result = Result.retry(e.toString());
        }
        Timer.builder("controller_reconcile_duration_seconds")
                .tag("controller", controller.name())
                .tag("result", result.kind().name().toLowerCase())
                .description("time of one reconcile")
                .register(registry)
                .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        switch (result.kind()) {
            case DONE -> queue.forget(key);
            case REQUEUE_AFTER -> {
                queue.forget(key);
                queue.addAfter(key, result.after());
            }
            case RETRY -> {
                log.info("{} controller: retrying {} ({} retries so far): {}", controller.name(), key, queue.retries(key), result.reason());
                queue.addRateLimited(key);
            }
        }
    }
}
