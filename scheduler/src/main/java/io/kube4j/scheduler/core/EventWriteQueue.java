package io.kube4j.scheduler.core;

import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

/**
 * The scheduler's event broadcaster queue, shaped as client-go's ({@code tools/record/event.go}): events wait in a
 * queue of {@value #MAX_QUEUED_EVENTS} ({@code maxQueuedEvents}) and an event that finds it full is dropped
 * ({@code watch.DropIfChannelFull}); one writer sends them to the apiserver one at a time, as
 * {@code StartRecordingToSink}'s watcher goroutine does, through the event client with its own QPS/burst
 * (kube-scheduler's separate {@code eventClient}). The scheduling loop and the binding cycles only enqueue: they
 * never wait for an Event, and a burst of Scheduled events cannot take the apiserver's capacity from the bindings.
 * A rejected task throws {@link RejectedExecutionException} (which the {@code EventRecorder} turns into a dropped
 * event) and is counted in {@link #dropped()}.
 *
 * <p>Shut it down with {@link #shutdownNow()}: {@code close()} would wait for the queued events to be written.
 */
public final class EventWriteQueue extends ThreadPoolExecutor {
    /** client-go's {@code maxQueuedEvents} (tools/record and tools/events). */
    public static final int MAX_QUEUED_EVENTS = 1000;

    private final LongAdder dropped;

    /** A queue of {@link #MAX_QUEUED_EVENTS}. */
    public EventWriteQueue() {
        this(MAX_QUEUED_EVENTS);
    }

    /** @param capacity how many writes may wait; one more is dropped */
    public EventWriteQueue(int capacity) {
        this(capacity, new LongAdder());
    }

    private EventWriteQueue(int capacity, LongAdder dropped) {
        super(1, 1, 0, TimeUnit.MILLISECONDS, new ArrayBlockingQueue<>(capacity),
                Thread.ofPlatform().name("event-writer").daemon().factory(),
                (task, executor) -> {
                    dropped.increment();
                    throw new RejectedExecutionException("event queue full (" + capacity + " waiting): event dropped");
                });
        this.dropped = dropped;
    }

    /** How many events were dropped because the queue was full. */
    public long dropped() {
        return dropped.sum();
    }
}
