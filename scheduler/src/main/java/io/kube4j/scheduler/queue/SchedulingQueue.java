package io.kube4j.scheduler.queue;

import io.kube4j.api.Pod;
import io.kube4j.json.Times;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.PreEnqueuePlugin;
import io.kube4j.scheduler.framework.Status;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumMap;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.PriorityQueue;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.LongSupplier;

/**
 * Pods waiting to be scheduled, in four parts as in Kubernetes:
 * <ul>
 *   <li><b>active</b>: ready now, highest priority first, then oldest;</li>
 *   <li><b>backoff</b>: failed recently, waiting 1 s doubling per attempt up to 10 s;</li>
 *   <li><b>unschedulable</b>: fit nowhere; moved back when a cluster event that one of the plugins
 *       that rejected it cares about happens, and at least every 60 s;</li>
 *   <li><b>gated</b>: rejected by a {@link PreEnqueuePlugin} (e.g. {@code spec.schedulingGates} set):
 *       never attempted, untouched by cluster events and the timeout, and asked again only when the pod
 *       itself is added or updated (Kubernetes keeps these in unschedulablePods with {@code Gated} set;
 *       a separate part says the same thing more plainly).</li>
 * </ul>
 * A pod handed out by {@link #pop()} is <em>in flight</em> until {@link #done}, {@link #requeueUnschedulable}
 * or {@link #requeueBackoff}; informer updates of an in-flight pod are not queued again (the requeue
 * takes the latest object), so a pod is never scheduled twice at once.
 */
public final class SchedulingQueue {
    private static final Logger log = LoggerFactory.getLogger(SchedulingQueue.class);

    private enum Where { ACTIVE, BACKOFF, UNSCHEDULABLE, GATED }

    /** Told when a pod enters the gated part (once per pod until it leaves it); must return quickly. */
    @FunctionalInterface
    public interface GatedPodListener {
        /**
         * @param pod    the pod as the queue has it (informer object: read-only)
         * @param status the rejecting plugin's status, e.g. {@code waiting for scheduling gates: [a]}
         */
        void gated(Pod pod, Status status);
    }

    /** A queued pod and where it is; heap items refer to it with the version they were pushed at. */
    private static final class Entry {
        Pod pod;
        Where where;
        int attempts;
        long version;
        final long firstQueuedNanos;
        long sinceNanos;
        long backoffUntilNanos;
        final long seq;
        Set<ClusterEvent> requeueOn = EnumSet.allOf(ClusterEvent.class);

        Entry(Pod pod, long now, long seq) {
            this.pod = pod;
            this.firstQueuedNanos = now;
            this.seq = seq;
        }
    }

    // heaps hold immutable items; an item whose version is stale is skipped (lazy deletion)
    private record ActiveItem(Entry entry, long version, int priority, long createdSeconds, long seq) {
    }

    private record BackoffItem(Entry entry, long version, long until) {
    }

    private static final Comparator<ActiveItem> ACTIVE_ORDER = Comparator.comparingInt(ActiveItem::priority).reversed()
            .thenComparingLong(ActiveItem::createdSeconds).thenComparingLong(ActiveItem::seq);

    private final ReentrantLock lock = new ReentrantLock();
    private final Condition ready = lock.newCondition();
    private final PriorityQueue<ActiveItem> active = new PriorityQueue<>(ACTIVE_ORDER);
    private final PriorityQueue<BackoffItem> backoff = new PriorityQueue<>(Comparator.comparingLong(BackoffItem::until));
    private final Map<String, Entry> entries = new HashMap<>();
    private final Map<String, Entry> inFlight = new HashMap<>();
    private final Set<Entry> unschedulable = new java.util.LinkedHashSet<>();
    // the last cycle in which each event happened: a pod that failed in a cycle after which an event it
    // cares about happened goes to backoff rather than unschedulable, or it would miss that event
    private final Map<ClusterEvent, Long> lastEventCycle = new EnumMap<>(ClusterEvent.class);
    private final LongSupplier clock;
    private final Duration initialBackoff;
    private final Duration maxBackoff;
    private final Duration unschedulableTimeout;
    // asked before a pod may leave the gated part, in order; the first rejection counts
    private final List<PreEnqueuePlugin> preEnqueuePlugins;
    private final GatedPodListener gatedListener;
    private final Nominator nominator;
    private long seq;
    private long cycle;
    private long lastLeftoverFlush;
    // volatile: read without the lock by the metrics gauges
    private volatile int activeCount;
    private volatile int backoffCount;
    private volatile int unschedulableCount;
    private volatile int gatedCount;
    private boolean closed;

    public SchedulingQueue() {
        this(System::nanoTime, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60));
    }

    /** A queue without PreEnqueue plugins. @param clock nanoTime source (tests pass a fake) */
    public SchedulingQueue(LongSupplier clock, Duration initialBackoff, Duration maxBackoff, Duration unschedulableTimeout) {
        this(clock, initialBackoff, maxBackoff, unschedulableTimeout, List.of(), (pod, status) -> {
        });
    }

    /**
     * @param clock             nanoTime source (tests pass a fake)
     * @param preEnqueuePlugins asked, in order, before a pod may be scheduled (see {@link PreEnqueuePlugin})
     * @param gatedListener     told when a pod becomes gated, outside the queue's lock
     */
    public SchedulingQueue(LongSupplier clock, Duration initialBackoff, Duration maxBackoff, Duration unschedulableTimeout,
                           List<PreEnqueuePlugin> preEnqueuePlugins, GatedPodListener gatedListener) {
        this(clock, initialBackoff, maxBackoff, unschedulableTimeout, preEnqueuePlugins, gatedListener, new Nominator());
    }

    /**
     * @param clock             nanoTime source (tests pass a fake)
     * @param preEnqueuePlugins asked, in order, before a pod may be scheduled (see {@link PreEnqueuePlugin})
     * @param gatedListener     told when a pod becomes gated, outside the queue's lock
     * @param nominator         kept current with the pending pods' nominations, as Kubernetes' queue keeps its nominator
     */
    public SchedulingQueue(LongSupplier clock, Duration initialBackoff, Duration maxBackoff, Duration unschedulableTimeout,
                           List<PreEnqueuePlugin> preEnqueuePlugins, GatedPodListener gatedListener, Nominator nominator) {
        this.nominator = nominator;
        this.preEnqueuePlugins = List.copyOf(preEnqueuePlugins);
        this.gatedListener = gatedListener;
        this.clock = clock;
        this.initialBackoff = initialBackoff;
        this.maxBackoff = maxBackoff;
        this.unschedulableTimeout = unschedulableTimeout;
        this.lastLeftoverFlush = clock.getAsLong();
    }

    // ---- informer side ----

    /**
     * A new pending pod (or one seen again): queued as active unless already queued or in flight, or
     * gated when a PreEnqueue plugin rejects it.
     */
    public void add(Pod pod) {
        nominator.podAdded(pod);
        Status gated;
        lock.lock();
        try {
            gated = addLocked(pod);
        } finally {
            lock.unlock();
        }
        notifyGated(pod, gated);
    }

    // returns the rejection when the pod has just become gated
    private Status addLocked(Pod pod) {
        String key = pod.key();
        if (inFlight.containsKey(key)) {
            return null;
        }
        Entry e = entries.get(key);
        if (e != null) {
            e.pod = pod;
            return regate(e);
        }
        e = new Entry(pod, clock.getAsLong(), seq++);
        entries.put(key, e);
        Status s = runPreEnqueue(pod);
        if (!s.isSuccess()) {
            moveTo(e, Where.GATED);
            return s;
        }
        moveTo(e, Where.ACTIVE);
        return null;
    }

    /**
     * A pending pod changed. If its spec, labels or annotations changed while it waited as
     * unschedulable it may fit now: back to active (or backoff). A status-only change (such as our own
     * Unschedulable condition) just refreshes the object, so writing that condition never loops.
     */
    public void update(Pod oldPod, Pod newPod) {
        // also for a pod in flight: a nomination written meanwhile must be known when it comes back
        nominator.podUpdated(oldPod, newPod);
        Status gated = null;
        lock.lock();
        try {
            String key = newPod.key();
            if (inFlight.containsKey(key)) {
                return;
            }
            Entry e = entries.get(key);
            if (e == null) {
                gated = addLocked(newPod);
                return;
            }
            boolean changed = schedulingRelevantChange(oldPod, newPod);
            int oldPriority = priority(e.pod);
            e.pod = newPod;
            Where before = e.where;
            gated = regate(e);
            if (before == Where.GATED || e.where == Where.GATED) {
                // the PreEnqueue plugins decided: still gated, newly gated, or released to active
                return;
            }
            if (e.where == Where.UNSCHEDULABLE && changed) {
                moveTo(e, isBackingOff(e) ? Where.BACKOFF : Where.ACTIVE);
            } else if (e.where == Where.ACTIVE && oldPriority != priority(newPod)) {
                moveTo(e, Where.ACTIVE);
            }
        } finally {
            lock.unlock();
            notifyGated(newPod, gated);
        }
    }

    /** The pod is gone, bound elsewhere, or no longer ours. */
    public void delete(String key) {
        nominator.deleteNominatedPodIfExists(key);
        lock.lock();
        try {
            Entry e = entries.remove(key);
            if (e != null) {
                leave(e);
                e.version++;
            }
        } finally {
            lock.unlock();
        }
    }

    /**
     * Something changed in the cluster: moves the unschedulable pods that a plugin which rejected them
     * said this event may help, to backoff (if still backing off) or active.
     */
    public void onEvent(ClusterEvent event) {
        lock.lock();
        try {
            lastEventCycle.put(event, cycle);
            if (unschedulableCount == 0) {
                return;
            }
            List<Entry> moving = new ArrayList<>();
            for (Entry e : unschedulable) {
                if (e.requeueOn.contains(event)) {
                    moving.add(e);
                }
            }
            for (Entry e : moving) {
                moveTo(e, isBackingOff(e) ? Where.BACKOFF : Where.ACTIVE);
            }
        } finally {
            lock.unlock();
        }
    }

    // ---- scheduler side ----

    /** Blocks until a pod is ready (or the queue closes: null). The pod is in flight afterwards. */
    public QueuedPod pop() throws InterruptedException {
        lock.lock();
        try {
            while (!closed) {
                long now = clock.getAsLong();
                flushBackoff(now);
                flushUnschedulableLeftovers(now);
                ActiveItem item;
                while ((item = active.poll()) != null) {
                    Entry e = item.entry();
                    if (e.version != item.version() || e.where != Where.ACTIVE) {
                        continue;
                    }
                    entries.remove(e.pod.key());
                    leave(e);
                    e.version++;
                    e.attempts++;
                    inFlight.put(e.pod.key(), e);
                    return new QueuedPod(e.pod, e.attempts, e.firstQueuedNanos, ++cycle);
                }
                long wait = TimeUnit.SECONDS.toNanos(1);
                BackoffItem next = peekBackoff();
                if (next != null) {
                    wait = Math.max(1_000_000, Math.min(wait, next.until() - now));
                }
                ready.awaitNanos(wait);
            }
            return null;
        } finally {
            lock.unlock();
        }
    }

    /** The attempt ended for good (bound, dropped). */
    public void done(String key) {
        lock.lock();
        try {
            inFlight.remove(key);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The pod fit nowhere. {@code latest} is the pod as the informer has it now (null: gone, drop it);
     * {@code requeueOn} the events that may make it fit.
     */
    public void requeueUnschedulable(QueuedPod attempt, Pod latest, Set<ClusterEvent> requeueOn) {
        Status gated = null;
        lock.lock();
        try {
            Entry e = inFlight.remove(attempt.key());
            if (e == null || gone(latest) || entries.containsKey(attempt.key())) {
                return;
            }
            e.pod = latest;
            e.requeueOn = requeueOn.isEmpty() ? EnumSet.allOf(ClusterEvent.class) : EnumSet.copyOf(requeueOn);
            e.backoffUntilNanos = clock.getAsLong() + backoffFor(e.attempts).toNanos();
            entries.put(attempt.key(), e);
            gated = gateIfRejected(e);
            if (gated != null) {
                return;
            }
            boolean missedEvent = false;
            for (ClusterEvent ev : e.requeueOn) {
                Long at = lastEventCycle.get(ev);
                if (at != null && at >= attempt.cycle()) {
                    missedEvent = true;
                    break;
                }
            }
            moveTo(e, missedEvent ? Where.BACKOFF : Where.UNSCHEDULABLE);
        } finally {
            lock.unlock();
            notifyGated(latest, gated);
        }
    }

    /** The attempt failed for a transient reason (an error, a failed binding): retry after the backoff. */
    public void requeueBackoff(QueuedPod attempt, Pod latest) {
        Status gated = null;
        lock.lock();
        try {
            Entry e = inFlight.remove(attempt.key());
            if (e == null || gone(latest) || entries.containsKey(attempt.key())) {
                return;
            }
            e.pod = latest;
            e.backoffUntilNanos = clock.getAsLong() + backoffFor(e.attempts).toNanos();
            entries.put(attempt.key(), e);
            gated = gateIfRejected(e);
            if (gated == null) {
                moveTo(e, Where.BACKOFF);
            }
        } finally {
            lock.unlock();
            notifyGated(latest, gated);
        }
    }

    /** Wakes {@link #pop()} callers and makes them return null. */
    public void close() {
        lock.lock();
        try {
            closed = true;
            ready.signalAll();
        } finally {
            lock.unlock();
        }
    }

    /** The nominated pods of the queued (and in-flight) pods. */
    public Nominator nominator() {
        return nominator;
    }

    public int activeSize() {
        return activeCount;
    }

    public int backoffSize() {
        return backoffCount;
    }

    public int unschedulableSize() {
        return unschedulableCount;
    }

    /** Pods a PreEnqueue plugin keeps from being scheduled (Kubernetes' {@code scheduler_pending_pods{queue="gated"}}). */
    public int gatedSize() {
        return gatedCount;
    }

    /** Whether the pod is queued (in any part) or in flight. */
    public boolean contains(String key) {
        lock.lock();
        try {
            return entries.containsKey(key) || inFlight.containsKey(key);
        } finally {
            lock.unlock();
        }
    }

    /** 1 s doubling per attempt, at most 10 s (by default). */
    Duration backoffFor(int attempts) {
        Duration d = initialBackoff;
        for (int i = 1; i < attempts && d.compareTo(maxBackoff) < 0; i++) {
            d = d.multipliedBy(2);
        }
        return d.compareTo(maxBackoff) > 0 ? maxBackoff : d;
    }

    // ---- internals (lock held) ----

    /** The first rejection of the PreEnqueue plugins, attributed to its plugin, or success. */
    private Status runPreEnqueue(Pod pod) {
        for (PreEnqueuePlugin p : preEnqueuePlugins) {
            Status s;
            try {
                s = p.preEnqueue(pod);
            } catch (RuntimeException ex) {
                // as Kubernetes: an error keeps the pod out of the queue too, until the pod changes
                log.error("PreEnqueue plugin {} failed on {}", p.name(), pod.key(), ex);
                s = Status.error(p.name() + " failed: " + ex);
            }
            if (s != null && !s.isSuccess()) {
                return s.by(p.name());
            }
        }
        return Status.SUCCESS;
    }

    /**
     * Asks the PreEnqueue plugins again about a queued entry: a gated pod that passes now is released
     * (to active, as it was never attempted, unless still backing off); a queued pod that fails now
     * becomes gated. Returns the rejection when the pod has just become gated.
     */
    private Status regate(Entry e) {
        if (preEnqueuePlugins.isEmpty()) {
            return null;
        }
        Status s = runPreEnqueue(e.pod);
        if (e.where == Where.GATED) {
            if (s.isSuccess()) {
                log.debug("{} passed the PreEnqueue plugins: queued", e.pod.key());
                moveTo(e, isBackingOff(e) ? Where.BACKOFF : Where.ACTIVE);
            }
            return null;
        }
        if (!s.isSuccess()) {
            moveTo(e, Where.GATED);
            return s;
        }
        return null;
    }

    // for an entry coming back from flight: gated if a plugin rejects it now, else the caller places it
    private Status gateIfRejected(Entry e) {
        if (preEnqueuePlugins.isEmpty()) {
            return null;
        }
        Status s = runPreEnqueue(e.pod);
        if (s.isSuccess()) {
            return null;
        }
        moveTo(e, Where.GATED);
        return s;
    }

    // outside the lock: the listener may write to the apiserver (asynchronously, but still)
    private void notifyGated(Pod pod, Status status) {
        if (status == null) {
            return;
        }
        log.debug("{} is gated: {}", pod.key(), status.reasons());
        try {
            gatedListener.gated(pod, status);
        } catch (RuntimeException ex) {
            log.warn("gated-pod listener failed on {}", pod.key(), ex);
        }
    }

    private boolean isBackingOff(Entry e) {
        return e.attempts > 0 && clock.getAsLong() < e.backoffUntilNanos;
    }

    private void moveTo(Entry e, Where where) {
        leave(e);
        e.version++;
        e.where = where;
        e.sinceNanos = clock.getAsLong();
        switch (where) {
            case ACTIVE -> {
                active.add(new ActiveItem(e, e.version, priority(e.pod), createdSeconds(e.pod), e.seq));
                activeCount++;
                ready.signal();
            }
            case BACKOFF -> {
                backoff.add(new BackoffItem(e, e.version, e.backoffUntilNanos));
                backoffCount++;
                ready.signal();
            }
            case UNSCHEDULABLE -> {
                unschedulable.add(e);
                unschedulableCount++;
            }
            case GATED -> gatedCount++;
        }
    }

    private void leave(Entry e) {
        if (e.where == null) {
            return;
        }
        switch (e.where) {
            case ACTIVE -> activeCount--;
            case BACKOFF -> backoffCount--;
            case UNSCHEDULABLE -> {
                unschedulable.remove(e);
                unschedulableCount--;
            }
            case GATED -> gatedCount--;
        }
        e.where = null;
    }

    private BackoffItem peekBackoff() {
        BackoffItem item;
        while ((item = backoff.peek()) != null && (item.entry().version != item.version() || item.entry().where != Where.BACKOFF)) {
            backoff.poll();
        }
        return item;
    }

    private void flushBackoff(long now) {
        BackoffItem item;
        while ((item = peekBackoff()) != null && item.until() <= now) {
            backoff.poll();
            moveTo(item.entry(), Where.ACTIVE);
        }
    }

    // pods unschedulable for longer than the timeout get another chance even if no event helped
    private void flushUnschedulableLeftovers(long now) {
        if (unschedulableCount == 0 || now - lastLeftoverFlush < TimeUnit.SECONDS.toNanos(1)) {
            return;
        }
        lastLeftoverFlush = now;
        List<Entry> moving = new ArrayList<>();
        for (Entry e : unschedulable) {
            if (now - e.sinceNanos >= unschedulableTimeout.toNanos()) {
                moving.add(e);
            }
        }
        for (Entry e : moving) {
            moveTo(e, isBackingOff(e) ? Where.BACKOFF : Where.ACTIVE);
        }
    }

    // deleted, being deleted, or bound meanwhile: nothing left to schedule
    private static boolean gone(Pod latest) {
        return latest == null || latest.metadata.deletionTimestamp != null
                || (latest.spec.nodeName != null && !latest.spec.nodeName.isEmpty());
    }

    private static int priority(Pod pod) {
        return pod.spec.priority == null ? 0 : pod.spec.priority;
    }

    private static long createdSeconds(Pod pod) {
        try {
            Instant t = Times.parse(pod.metadata.creationTimestamp);
            return t == null ? Long.MAX_VALUE : t.getEpochSecond();
        } catch (RuntimeException e) {
            return Long.MAX_VALUE;
        }
    }

    static boolean schedulingRelevantChange(Pod a, Pod b) {
        if (!Objects.equals(a.metadata.labels, b.metadata.labels) || !Objects.equals(a.metadata.annotations, b.metadata.annotations)) {
            return true;
        }
        if (a.metadata.generation != null && b.metadata.generation != null) {
            return !a.metadata.generation.equals(b.metadata.generation);
        }
        // no generation to go by (not from our apiserver): compare the specs themselves
        return !io.kube4j.json.Json.write(a.spec).equals(io.kube4j.json.Json.write(b.spec));
    }

    /** Keys of the queued pods, for diagnostics. */
    public Set<String> keys() {
        lock.lock();
        try {
            return new HashSet<>(entries.keySet());
        } finally {
            lock.unlock();
        }
    }
}
