package io.kube4j.controllermanager.workqueue;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A rate-limited work queue of keys, as client-go's workqueue: a key queued several times before a
 * worker takes it is processed once (dedup); a key being processed is never handed to a second
 * worker, and if it is added meanwhile it is queued again when the first worker calls {@link #done}.
 * Delayed adds ({@link #addAfter}) and retries with backoff ({@link #addRateLimited}) wait on a timer.
 */
public final class WorkQueue {
    private final RateLimiter rateLimiter;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition nonEmpty = lock.newCondition();
    private final Deque<String> queue = new ArrayDeque<>();
    // queued or to be re-queued once processing ends
    private final Set<String> dirty = new HashSet<>();
    private final Set<String> processing = new HashSet<>();
    private final Map<String, Long> queuedAtNanos = new HashMap<>();
    // the earliest pending delayed add per key, so repeated addAfter calls don't pile up timers
    private final Map<String, Long> waitingUntilNanos = new HashMap<>();
    private final ScheduledExecutorService timer;
    private boolean shuttingDown;

    private Counter adds;
    private Counter retries;
    private Timer latency;

    public WorkQueue(RateLimiter rateLimiter) {
        this.rateLimiter = rateLimiter;
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "workqueue-timer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Registers depth, adds, retries and queue latency meters tagged with {@code name}. */
    public WorkQueue bindTo(MeterRegistry registry, String name) {
        Gauge.builder("workqueue_depth", this, WorkQueue::length).tag("name", name)
                .description("keys waiting for a worker").register(registry);
        adds = Counter.builder("workqueue_adds_total").tag("name", name).description("keys added").register(registry);
        retries = Counter.builder("workqueue_retries_total").tag("name", name).description("keys re-queued with backoff").register(registry);
        latency = Timer.builder("workqueue_queue_duration_seconds").tag("name", name)
                .description("time a key waits before a worker takes it").register(registry);
        return this;
    }

    /** Queues {@code key} unless it is already queued; a key being processed is re-queued after {@link #done}. */
    public void add(String key) {
        lock.lock();
        try {
            if (shuttingDown || !dirty.add(key)) {
                return;
            }
            if (adds != null) {
                adds.increment();
            }
            queuedAtNanos.putIfAbsent(key, System.nanoTime());
            if (processing.contains(key)) {
                return;
            }
            queue.addLast(key);
            nonEmpty.signal();
        } finally {
            lock.unlock();
        }
    }

    /** Queues {@code key} after {@code delay}; a shorter pending delay for the same key wins. */
    public void addAfter(String key, Duration delay) {
        if (delay.isZero() || delay.isNegative()) {
            add(key);
            return;
        }
        long readyAt = System.nanoTime() + delay.toNanos();
        lock.lock();
        try {
            if (shuttingDown) {
                return;
            }
            Long pending = waitingUntilNanos.get(key);
            if (pending != null && pending <= readyAt) {
                return;
            }
            waitingUntilNanos.put(key, readyAt);
        } finally {
            lock.unlock();
        }
        timer.schedule(() -> fire(key, readyAt), delay.toNanos(), TimeUnit.NANOSECONDS);
    }

    private void fire(String key, long readyAt) {
        lock.lock();
        try {
            Long pending = waitingUntilNanos.get(key);
            // superseded by an earlier timer that already fired, or by a newer, earlier one
            if (pending == null || pending != readyAt) {
                return;
            }
            waitingUntilNanos.remove(key);
        } finally {
            lock.unlock();
        }
        add(key);
    }

    /** Queues {@code key} after the rate limiter's delay (per-item backoff and the overall bucket). */
    public void addRateLimited(String key) {
        if (retries != null) {
            retries.increment();
        }
        addAfter(key, rateLimiter.when(key));
    }

    /** Clears the backoff of {@code key}: its next failure starts again at the base delay. */
    public void forget(String key) {
        rateLimiter.forget(key);
    }

    public int retries(String key) {
        return rateLimiter.retries(key);
    }

    /**
     * Blocks until a key is ready and marks it processing; null once the queue is shut down. The
     * caller must call {@link #done} with the key when finished.
     */
    public String get() throws InterruptedException {
        lock.lock();
        try {
            while (queue.isEmpty() && !shuttingDown) {
                nonEmpty.await();
            }
            if (queue.isEmpty()) {
                return null;
            }
            String key = queue.pollFirst();
            dirty.remove(key);
            processing.add(key);
            Long queuedAt = queuedAtNanos.remove(key);
            if (latency != null && queuedAt != null) {
                latency.record(System.nanoTime() - queuedAt, TimeUnit.NANOSECONDS);
            }
            return key;
        } finally {
            lock.unlock();
        }
    }

    /** Ends processing of {@code key}; if it was added meanwhile it goes back into the queue. */
    public void done(String key) {
        lock.lock();
        try {
            processing.remove(key);
            if (dirty.contains(key)) {
                queue.addLast(key);
                nonEmpty.signal();
            }
        } finally {
            lock.unlock();
        }
    }

    /** Keys waiting for a worker (not those being processed or waiting on a timer). */
    public int length() {
        lock.lock();
        try {
            return queue.size();
        } finally {
            lock.unlock();
        }
    }

    /** Whether {@code key} is queued and not yet taken by a worker (for tests). */
    public boolean isQueued(String key) {
        lock.lock();
        try {
            return queue.contains(key);
        } finally {
            lock.unlock();
        }
    }

    /** Wakes every blocked {@link #get} with null and drops new adds. */
    public void shutDown() {
        lock.lock();
        try {
            shuttingDown = true;
            queue.clear();
            dirty.clear();
            nonEmpty.signalAll();
        } finally {
            lock.unlock();
        }
        timer.shutdownNow();
    }

    public boolean isShuttingDown() {
        lock.lock();
        try {
            return shuttingDown;
        } finally {
            lock.unlock();
        }
    }
}
