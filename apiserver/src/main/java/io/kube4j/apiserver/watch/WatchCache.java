package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import tools.jackson.databind.node.ObjectNode;

import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The apiserver's one view of etcd: a single etcd watch on {@code /registry/} keeps a decoded copy of
 * every object and a ring buffer of recent events. Lists and both kinds of watch are served from here,
 * so watchers never touch etcd.
 *
 * <p>The cache is a state machine ({@link WatchCacheState}) driven by one thread of its own:
 * <ul>
 *   <li>Storage's watch threads (jetcd's event loop) only put what they receive on a bounded queue and
 *       return; they never wait for the cache's lock. If the queue is full, the watch is dropped and
 *       re-established from the last applied revision + 1, which loses nothing.</li>
 *   <li>When the watch breaks, the cache re-establishes it from the last revision it applied + 1, one
 *       attempt at a time with backoff: no reload at all while etcd still has that history.</li>
 *   <li>Only when that revision has been compacted does it read one snapshot, page by page at one
 *       revision S (only objects whose modRevision changed are decoded again), and swap it in at once.
 *       It then has no history before S, so a watcher behind S gets 410 "too old resource version" and
 *       re-lists; no synthetic event is ever made up. This is Kubernetes' behaviour:
 *       {@code watchCache.Replace} empties the event buffer and a watch from before the list's
 *       resourceVersion is refused ({@code staging/src/k8s.io/apiserver/pkg/storage/cacher/watch_cache.go}).</li>
 * </ul>
 * Every event has a higher revision than the one before: the stream a watcher gets equals etcd's
 * history, or the watcher gets {@link Expired}.
 */
public final class WatchCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WatchCache.class);
    private static final String ROOT = "/registry/";
    /** Keys per range request while loading: bounds the undecoded bytes held at once. */
    static final int PAGE_SIZE = 500;
    /** Watch responses that may wait for the cache's thread before the watch is dropped and resumed. */
    static final int DEFAULT_QUEUE_CAPACITY = 10_000;
    private static final long INITIAL_BACKOFF_MS = 200;
    private static final long MAX_BACKOFF_MS = 5_000;
    /**
     * A new watch that has reported no error for this long counts as running (its first response counts
     * earlier). Not a progress request: etcd before 3.4.31 answers those before the replayed history.
     */
    private static final long WATCH_STABLE_MS = 1_000;
    /**
     * How many of the newest events keep their decoded objects (and, once a watcher asked, their shared
     * JSON): watchers that keep up read only these. Older events are compacted to their JSON bytes alone
     * (a decoded tree is several times bigger), which a watcher resuming from further back decodes for
     * itself.
     */
    static final int ENCODED_EVENTS = 1024;
    /** The key prefix of pods, the only kind with a trigger (spec.nodeName) as in Kubernetes. */
    private static final String PODS = ROOT + "pods/";

    /** A consistent snapshot: the objects under a prefix and the revision they are current at. */
    public record Snapshot(List<ObjectNode> items, long revision) {
    }

    /** Events for one watcher, and the revision to continue from. */
    public record Batch(List<WatchEventOut> events, long revision) {
    }

    /**
     * An event as one watcher sees it: ADDED / MODIFIED / DELETED after its filter is applied.
     * {@code encoded} is the object's shared JSON (the same instance for every watcher of the event).
     */
    public record WatchEventOut(String type, ObjectNode object, long revision, CachingObject encoded) {
        /** An event with an object of its own, encoded on demand. */
        public WatchEventOut(String type, ObjectNode object, long revision) {
            this(type, object, revision, new CachingObject(object));
        }
    }

    /** What storage's watch threads hand to the cache's thread. */
    private sealed interface Signal permits Delivered, Failed {
        long watchId();
    }

    private record Delivered(long watchId, List<Storage.Event> events, long headerRevision) implements Signal {
    }

    private record Failed(long watchId, Throwable error) implements Signal {
    }

    private final Storage storage;
    private final int capacity;
    private final long capacityBytes;
    private final Duration livenessTimeout;
    // how long the idle cache thread waits for a signal: well inside the liveness timeout
    private final long pollMillis;
    private final BlockingQueue<Signal> queue;
    private final MeterRegistry meters;
    private final Counter initializations;
    private final boolean watcherIndex;

    // --- the served state, guarded by lock; written only by the cache's thread
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private NavigableMap<String, ObjectNode> objects = new TreeMap<>();
    private final ArrayDeque<CacheEvent> events = new ArrayDeque<>();
    private long revision;
    // the newest revision of an event applied (revision may be further on, from a progress notification)
    private long lastEventRevision;
    // every event with a revision above this is in the buffer
    private long oldest;
    private volatile boolean ready;
    private volatile boolean closed;
    // the newest events, whose objects are still decoded trees, oldest first (see ENCODED_EVENTS)
    private final ArrayDeque<CacheEvent> recent = new ArrayDeque<>();
    // the encoding of each key's current object while an event of the buffer holds it: the next event of
    // the key shares it as its previous object instead of holding a second copy
    private final Map<String, CachingObject> latest = new HashMap<>();
    // the JSON bytes held by compacted events (each version counted once, with the event that made it)
    private long historyBytes;
    // long-poll and streaming watchers waiting for an event they can match, by slot (see slot()) and by
    // the revision they wait after; only events for their slot (or a reload, or the buffer moving past
    // them) wake them, instead of every event waking every watcher
    private final Map<String, Set<Waiter>> waiting = new HashMap<>();
    private final TreeMap<Long, Set<Waiter>> waitingByFrom = new TreeMap<>();
    private long wakeups;

    // --- the state machine, moved by the cache's thread (and close())
    private final Object stateLock = new Object();
    private volatile WatchCacheState state = WatchCacheState.LOADING;
    private volatile Thread thread;
    private volatile Storage.Watch watch;
    private volatile Listener listener;
    private long watchSeq;
    private boolean answered;
    private long watchStartedNanos;
    private long backoffMs = INITIAL_BACKOFF_MS;

    // --- liveness
    private volatile long heartbeatNanos = System.nanoTime();
    private volatile long progressNanos = System.nanoTime();
    private volatile String fatal;

    public WatchCache(Storage storage, ApiServerProperties props, MeterRegistry meters) {
        this(storage, props, meters, DEFAULT_QUEUE_CAPACITY);
    }

    /** As the public constructor, with the queue between storage's watch threads and the cache sized for a test. */
    WatchCache(Storage storage, ApiServerProperties props, MeterRegistry meters, int queueCapacity) {
        this.storage = storage;
        this.capacity = props.watchCache().capacity();
        this.capacityBytes = props.watchCache().capacityBytes().toBytes();
        this.livenessTimeout = props.watchCache().livenessTimeout();
        this.pollMillis = Math.max(10, Math.min(1000, livenessTimeout.toMillis() / 4));
        this.queue = new LinkedBlockingQueue<>(queueCapacity);
        this.meters = meters;
        this.watcherIndex = props.watchCache().watcherIndex();
        Gauge.builder("apiserver_watch_cache_objects", this, WatchCache::objectCount).register(meters);
        Gauge.builder("apiserver_watch_cache_events", this, WatchCache::eventCount).register(meters);
        Gauge.builder("apiserver_watch_cache_history_bytes", this, c -> c.historyBytes)
                .description("JSON bytes held by the watch cache's compacted events (kube4j.watch-cache.capacity-bytes bounds them)").register(meters);
        Gauge.builder("apiserver_watch_cache_queue_length", queue, BlockingQueue::size)
                .description("etcd watch responses waiting for the watch cache's thread").register(meters);
        for (WatchCacheState s : WatchCacheState.values()) {
            Gauge.builder("apiserver_watch_cache_state", this, c -> c.state == s ? 1 : 0)
                    .description("1 for the state the watch cache is in").tag("state", s.name()).register(meters);
        }
        // Kubernetes' name (cacher/metrics): how many times a snapshot was listed and installed
        this.initializations = Counter.builder("apiserver_watch_cache_initializations_total")
                .description("snapshots read from etcd and installed (first load and reloads after compaction)").register(meters);
    }

    /** Starts the cache's thread: it loads everything, watches, and recovers from storage failures by itself. */
    public void start() {
        Thread t = Thread.ofPlatform().daemon().name("watch-cache").unstarted(this::run);
        thread = t;
        t.start();
    }

    /** True once a snapshot has been installed: the cache serves a consistent state (possibly behind etcd). */
    public boolean isReady() {
        return ready;
    }

    /** The state the cache is in now. */
    public WatchCacheState state() {
        return state;
    }

    /**
     * The etcd revision the served state is current at: the newest event applied, or further when etcd
     * reported progress. A list's resourceVersion, and where a watch without one starts.
     */
    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Why this process can no longer serve and should be restarted, for {@code /livez}; empty when it
     * can. Reasons: an {@link OutOfMemoryError} reached the cache's thread; that thread stopped or has
     * not run for {@code kube4j.watch-cache.liveness-timeout}; or the cache has been out of
     * {@link WatchCacheState#SYNCED} that long without loading a single page or event.
     */
    public Optional<String> livenessProblem() {
        String f = fatal;
        if (f != null) {
            return Optional.of(f);
        }
        Thread t = thread;
        if (closed || t == null) {
            return Optional.empty();
        }
        if (!t.isAlive()) {
            return Optional.of("the watch cache's thread has stopped");
        }
        long now = System.nanoTime();
        long timeout = livenessTimeout.toNanos();
        if (now - heartbeatNanos > timeout) {
            return Optional.of("the watch cache's thread has not run for " + seconds(now - heartbeatNanos));
        }
        WatchCacheState s = state;
        if (s != WatchCacheState.SYNCED && now - progressNanos > timeout) {
            return Optional.of("the watch cache has been " + s + " for " + seconds(now - progressNanos)
                    + " without loading anything from etcd");
        }
        return Optional.empty();
    }

    private static String seconds(long nanos) {
        return String.format(java.util.Locale.ROOT, "%.1f s", nanos / 1e9);
    }

    // ------------------------------------------------------------------ the cache's thread

    private void run() {
        try {
            while (!closed) {
                heartbeat();
                if (watch == null) {
                    boolean ok = switch (state) {
                        case LOADING, RELOADING -> loadSnapshot();
                        case RECONNECTING, SYNCED -> resumeWatch();
                        case CLOSED -> true;
                    };
                    if (!ok) {
                        backoff();
                    }
                } else {
                    awaitSignal();
                }
            }
        } catch (OutOfMemoryError e) {
            // the heap is exhausted: nothing this process holds can be trusted to recover; say so on /livez
            fatal = "OutOfMemoryError in the watch cache: " + e.getMessage();
            log.error("watch cache stopped: {}", fatal, e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (RuntimeException | Error e) {
            if (!closed) {
                fatal = "the watch cache's thread failed: " + e;
                log.error("watch cache stopped", e);
            }
        }
    }

    private void heartbeat() {
        heartbeatNanos = System.nanoTime();
        if (state == WatchCacheState.SYNCED) {
            progressNanos = heartbeatNanos;
        }
    }

    private void progress() {
        heartbeatNanos = System.nanoTime();
        progressNanos = heartbeatNanos;
    }

    private void backoff() throws InterruptedException {
        long until = System.nanoTime() + TimeUnit.MILLISECONDS.toNanos(backoffMs);
        // in short steps so that the heartbeat stays fresh and close() is seen
        while (!closed && System.nanoTime() < until) {
            Thread.sleep(Math.min(200, Math.max(1, TimeUnit.NANOSECONDS.toMillis(until - System.nanoTime()))));
            heartbeatNanos = System.nanoTime();
        }
        backoffMs = Math.min(backoffMs * 2, MAX_BACKOFF_MS);
    }

    /**
     * LOADING / RELOADING: reads everything under /registry/ at one revision S, page by page, decoding
     * only objects whose modRevision differs from the cached copy; installs it in one step; watches from
     * S + 1. False (retry after backoff) when storage failed on the way.
     */
    private boolean loadSnapshot() {
        WatchCacheState phase = state;
        NavigableMap<String, ObjectNode> current = objects; // only this thread replaces or mutates it
        NavigableMap<String, ObjectNode> fresh = new TreeMap<>();
        long at = 0;
        String from = null;
        int decoded = 0;
        int kept = 0;
        long started = System.nanoTime();
        try {
            while (!closed) {
                Storage.Page page = storage.range(ROOT, from, at, PAGE_SIZE);
                if (at == 0) {
                    // the first page fixes S; every further page is read at S (a page's header revision is etcd's head)
                    at = page.revision();
                }
                for (Storage.Stored s : page.items()) {
                    ObjectNode old = current.get(s.key());
                    if (old != null && modRevision(old) == s.modRevision()) {
                        fresh.put(s.key(), old);
                        kept++;
                    } else {
                        ObjectNode obj = decodeOrNull(s.key(), s.value(), s.modRevision());
                        if (obj != null) {
                            fresh.put(s.key(), obj);
                        }
                        decoded++;
                    }
                }
                progress();
                if (!page.more() || page.items().isEmpty()) {
                    break;
                }
                from = page.items().get(page.items().size() - 1).key() + "\0";
            }
        } catch (RuntimeException e) {
            log.warn("watch cache cannot read a snapshot from etcd ({}): {}", phase, e.getMessage());
            return false;
        }
        if (closed) {
            return true;
        }
        int removed = 0;
        for (String key : current.keySet()) {
            if (!fresh.containsKey(key)) {
                removed++;
            }
        }
        lock.lock();
        try {
            objects = fresh;
            events.clear();
            recent.clear();
            latest.clear();
            historyBytes = 0;
            oldest = at;
            revision = at;
            lastEventRevision = at;
            ready = true;
            changed.signalAll();
            // every waiting watcher checks again: those behind the snapshot get 410
            wakeAll();
        } finally {
            lock.unlock();
        }
        initializations.increment();
        log.info("watch cache {} {} objects at revision {} in {} ms ({} decoded, {} unchanged, {} gone); watchers behind {} must re-list",
                phase == WatchCacheState.LOADING ? "loaded" : "reloaded", fresh.size(), at,
                TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started), decoded, kept, removed, at);
        try {
            startWatch(at + 1);
        } catch (RuntimeException e) {
            // the snapshot is installed: from now on only the watch has to be re-established
            transition(WatchCacheState.RECONNECTING, "watch from " + (at + 1) + " failed: " + e.getMessage());
            return false;
        }
        return true;
    }

    /**
     * RECONNECTING: asks etcd whether it still has the history after the cache's revision; if so,
     * watches from revision + 1 (no reload), else moves to RELOADING. False when etcd did not answer.
     */
    private boolean resumeWatch() {
        long from;
        lock.lock();
        try {
            from = revision + 1;
        } finally {
            lock.unlock();
        }
        try {
            long head = storage.currentRevision();
            if (head < from - 1) {
                transition(WatchCacheState.RELOADING, "etcd's revision " + head + " is behind the cache's " + (from - 1) + " (etcd restored?)");
                return true;
            }
            if (head >= from) {
                // a range at `from` fails with COMPACTED exactly when a watch from `from` would
                storage.range(ROOT, null, from, 1);
            }
            startWatch(from);
            return true;
        } catch (StorageException e) {
            if (e.kind() == StorageException.Kind.COMPACTED) {
                transition(WatchCacheState.RELOADING, "revision " + from + " has been compacted");
                return true;
            }
            log.debug("watch cache cannot resume from {} yet: {}", from, e.getMessage());
            return false;
        } catch (RuntimeException e) {
            log.warn("watch cache cannot resume from {} yet: {}", from, e.toString());
            return false;
        }
    }

    private void startWatch(long from) {
        Listener l = new Listener(++watchSeq);
        listener = l;
        answered = false;
        watchStartedNanos = System.nanoTime();
        try {
            watch = storage.watch(ROOT, from, l);
        } catch (RuntimeException e) {
            l.stopped = true;
            listener = null;
            throw e;
        }
        requestProgress();
    }

    private void requestProgress() {
        try {
            // the new watch's first answer proves it runs, even when nothing under /registry/ changes
            if (storage.supportsRequestProgress()) {
                storage.requestProgress();
            }
        } catch (RuntimeException e) {
            log.debug("progress request failed: {}", e.toString());
        }
    }

    private void closeWatch() {
        Listener l = listener;
        if (l != null) {
            l.stopped = true;
        }
        listener = null;
        Storage.Watch w = watch;
        watch = null;
        if (w != null) {
            try {
                w.close();
            } catch (RuntimeException e) {
                log.debug("closing the etcd watch failed: {}", e.toString());
            }
        }
    }

    /** Takes the next signal from storage's watch threads (waiting at most {@code pollMillis}) and acts on it. */
    private void awaitSignal() throws InterruptedException {
        Signal s = queue.poll(answered ? pollMillis : Math.min(pollMillis, 50), TimeUnit.MILLISECONDS);
        heartbeat();
        Listener l = listener;
        if (l == null) {
            return;
        }
        // signals of watches already given up are ignored: the running watch resumes after what was applied
        if (s != null && s.watchId() == l.id) {
            switch (s) {
                case Delivered d -> {
                    apply(d.events(), d.headerRevision());
                    if (!answered) {
                        answered = true;
                        backoffMs = INITIAL_BACKOFF_MS;
                        transition(WatchCacheState.SYNCED, "etcd watch running" + (d.events().isEmpty() ? "" : ", " + d.events().size() + " events"));
                    }
                }
                case Failed f -> {
                    watchFailed(f.error().toString());
                    return;
                }
            }
        }
        if (l.overflowed && queue.isEmpty()) {
            // everything this watch queued before it overflowed has been applied
            watchFailed("more than " + (queue.remainingCapacity() + queue.size()) + " watch responses waited for the cache");
            return;
        }
        if (!answered && System.nanoTime() - watchStartedNanos > TimeUnit.MILLISECONDS.toNanos(WATCH_STABLE_MS)) {
            answered = true;
            backoffMs = INITIAL_BACKOFF_MS;
            transition(WatchCacheState.SYNCED, "etcd watch open for " + WATCH_STABLE_MS + " ms without error");
        }
    }

    private void watchFailed(String why) throws InterruptedException {
        boolean hadAnswered = answered;
        closeWatch();
        if (state != WatchCacheState.RECONNECTING) {
            transition(WatchCacheState.RECONNECTING, "etcd watch broke: " + why);
        } else {
            log.debug("etcd watch broke again while reconnecting: {}", why);
        }
        if (!hadAnswered) {
            backoff();
        }
    }

    /**
     * Applies one watch response: every event above the cache's revision, in order (a revision is never
     * split across responses, so anything at or below it was applied before and is skipped). An empty
     * response is a progress notification: etcd has sent everything up to its header revision.
     */
    private void apply(List<Storage.Event> batch, long headerRevision) {
        long applied = lastEventRevision; // only this thread writes it
        List<ObjectNode> decoded = new ArrayList<>(batch.size());
        // decode outside the lock: readers wait only for the map updates
        for (Storage.Event e : batch) {
            decoded.add(e.isDelete() || e.modRevision() <= applied ? null : decodeOrNull(e.key(), e.value(), e.modRevision()));
        }
        lock.lock();
        try {
            long last = applied;
            long oldestBefore = oldest;
            for (int i = 0; i < batch.size(); i++) {
                Storage.Event e = batch.get(i);
                long rev = e.modRevision();
                if (rev <= applied) {
                    continue;
                }
                if (rev <= revision) {
                    // a progress notification claimed this revision before its event came: etcd's ordering
                    // bug (fixed in 3.4.31 / 3.5.13). Applied all the same, so the cache stays equal to etcd.
                    log.error("etcd reported progress to {} before sending the event at {} for {}", revision, rev, e.key());
                }
                String key = e.key();
                ObjectNode prev = objects.get(key);
                if (!e.isDelete()) {
                    ObjectNode obj = decoded.get(i);
                    if (obj != null) {
                        objects.put(key, obj);
                        CachingObject enc = new CachingObject(obj);
                        wakeFor(append(event(rev, CacheEvent.Type.PUT, key, enc, prev, latest.put(key, enc))));
                    }
                } else if (prev != null) {
                    objects.remove(key);
                    ObjectNode last0 = prev.deepCopy();
                    ((ObjectNode) last0.get("metadata")).put("resourceVersion", Long.toString(rev));
                    wakeFor(append(event(rev, CacheEvent.Type.DELETE, key, new CachingObject(last0), prev, latest.remove(key))));
                }
                last = Math.max(last, rev);
            }
            lastEventRevision = last;
            if (batch.isEmpty()) {
                last = Math.max(last, headerRevision);
            }
            revision = Math.max(revision, last);
            if (oldest > oldestBefore) {
                // the buffer moved past watchers waiting after an older revision: they get 410 now, as
                // when every event woke every watcher
                List<Waiter> behind = new ArrayList<>();
                waitingByFrom.headMap(oldest, false).values().forEach(behind::addAll);
                behind.forEach(this::wake);
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        progress();
    }

    private void transition(WatchCacheState to, String why) {
        synchronized (stateLock) {
            WatchCacheState from = state;
            if (from == to || from == WatchCacheState.CLOSED) {
                return;
            }
            if (!from.canMoveTo(to)) {
                throw new IllegalStateException("watch cache cannot move from " + from + " to " + to);
            }
            // counted before the state is visible, so that whoever sees the state sees the count
            Counter.builder("apiserver_watch_cache_transitions_total").description("watch cache state changes")
                    .tag("from", from.name()).tag("to", to.name()).register(meters).increment();
            if (from == WatchCacheState.SYNCED || to == WatchCacheState.SYNCED) {
                // an unsynced period starts now
                progressNanos = System.nanoTime();
            }
            state = to;
            if (to == WatchCacheState.SYNCED || to == WatchCacheState.CLOSED) {
                log.info("watch cache {} -> {}: {}", from, to, why);
            } else {
                log.warn("watch cache {} -> {}: {}", from, to, why);
            }
        }
    }

    /** Receives one watch's responses on storage's thread: only queues them, never waits. */
    private final class Listener implements Storage.WatchListener {
        final long id;
        volatile boolean stopped;
        volatile boolean overflowed;

        Listener(long id) {
            this.id = id;
        }

        @Override
        public void onEvents(List<Storage.Event> batch, long headerRevision) {
            offer(new Delivered(id, batch, headerRevision));
        }

        @Override
        public void onError(Throwable error) {
            offer(new Failed(id, error));
            // whatever this watch says after an error is not used: the cache resumes after what it applied
            stopped = true;
        }

        private void offer(Signal s) {
            if (stopped || overflowed) {
                return;
            }
            if (!queue.offer(s)) {
                // drop the rest of this watch instead of blocking storage's thread; the cache resumes
                // from the last revision it applied, so nothing is lost
                overflowed = true;
            }
        }
    }

    // ------------------------------------------------------------------ serving

    /**
     * A new event of {@code key}. Its previous object is the encoding the key's last event made
     * ({@code prior}, from {@link #latest}) when that is the object being replaced, so that both events
     * share one copy; otherwise (the previous version came from a snapshot) one of its own. A prior that
     * was kept as a tree only because it was current is compacted now that it is not.
     */
    private CacheEvent event(long rev, CacheEvent.Type type, String key, CachingObject enc, ObjectNode prev, CachingObject prior) {
        String now = trigger(key, enc.tree());
        if (prev == null) {
            return new CacheEvent(rev, type, key, enc, null, false, now, null);
        }
        String before = trigger(key, prev);
        if (prior != null && (prior.compacted() || prior.tree() == prev)) {
            if (prior.old && !prior.compacted()) {
                // counted with the event that made it, which is still in the buffer (latest held it)
                historyBytes += prior.compact();
            }
            return new CacheEvent(rev, type, key, enc, prior, false, now, before);
        }
        return new CacheEvent(rev, type, key, enc, new CachingObject(prev), true, now, before);
    }

    /**
     * Adds {@code e} to the buffer; compacts the event that leaves the recent window (see
     * {@link #ENCODED_EVENTS}); drops the oldest events while more than {@code capacity} are held or their
     * bytes exceed {@code capacityBytes} (the recent window is never dropped for bytes).
     */
    private CacheEvent append(CacheEvent e) {
        events.addLast(e);
        recent.addLast(e);
        if (recent.size() > ENCODED_EVENTS) {
            compact(recent.removeFirst());
        }
        while (events.size() > capacity || (historyBytes > capacityBytes && events.size() > recent.size())) {
            CacheEvent dropped = events.removeFirst();
            oldest = dropped.revision();
            if (dropped.encoded().compacted()) {
                historyBytes -= dropped.encoded().json().length;
            }
            if (dropped.priorOwned() && dropped.prior().compacted()) {
                historyBytes -= dropped.prior().json().length;
            }
            // the key's next event (if any) holds the version itself from now on
            latest.remove(dropped.key(), dropped.encoded());
            if (recent.peekFirst() == dropped) {
                recent.removeFirst();
            }
        }
        return e;
    }

    /**
     * Keeps only the JSON bytes of an event leaving the recent window: its previous object always (it is
     * no longer current), its object unless it is still the key's current one, which the object map holds
     * as a tree anyway (it is compacted when it is replaced, see {@link #event}).
     */
    private void compact(CacheEvent e) {
        if (e.prior() != null && e.priorOwned() && !e.prior().compacted()) {
            historyBytes += e.prior().compact();
        } else if (e.prior() != null && !e.prior().compacted()) {
            // shared with the key's earlier event, counted there
            e.prior().compact();
        }
        if (!e.encoded().compacted()) {
            if (latest.get(e.key()) != e.encoded()) {
                historyBytes += e.encoded().compact();
            } else {
                e.encoded().old = true;
            }
        }
    }

    // ------------------------------------------------------------------ waiting watchers (under lock)

    /** One watcher blocked in {@link #eventsAfter} until an event it may match comes. */
    private static final class Waiter {
        final String slot;
        final long from;
        final Condition woken;
        boolean signalled;

        Waiter(String slot, long from, Condition woken) {
            this.slot = slot;
            this.from = from;
            this.woken = woken;
        }
    }

    /**
     * Where a watcher waits: its prefix (cut back to a whole path segment, as events are matched by
     * their keys' segments), and for pods with an exact {@code spec.nodeName} selector that node name,
     * Kubernetes' watcher trigger ({@code NodeNameTriggerFunc}, pkg/registry/core/pod/storage, indexed by
     * the cacher's {@code triggerWatchers}). The trigger is only a narrowing of who gets woken: the
     * watcher's own filter still decides what it receives.
     */
    private static String slot(String prefix, String nodeName) {
        String p = prefix.endsWith("/") ? prefix : prefix.substring(0, prefix.lastIndexOf('/') + 1);
        return nodeName != null && p.startsWith(PODS) ? p + '\0' + nodeName : p;
    }

    /** A pod's trigger value: its spec.nodeName ("" when unscheduled); null for every other kind. */
    static String trigger(String key, ObjectNode object) {
        return object != null && key.startsWith(PODS) ? object.path("spec").path("nodeName").asString("") : null;
    }

    private void register(Waiter w) {
        waiting.computeIfAbsent(w.slot, k -> new LinkedHashSet<>()).add(w);
        waitingByFrom.computeIfAbsent(w.from, k -> new LinkedHashSet<>()).add(w);
    }

    private void unregister(Waiter w) {
        Set<Waiter> s = waiting.get(w.slot);
        if (s != null && s.remove(w) && s.isEmpty()) {
            waiting.remove(w.slot);
        }
        Set<Waiter> f = waitingByFrom.get(w.from);
        if (f != null && f.remove(w) && f.isEmpty()) {
            waitingByFrom.remove(w.from);
        }
    }

    private void wake(Waiter w) {
        wakeups++;
        w.signalled = true;
        w.woken.signal();
        unregister(w);
    }

    private void wakeSlot(String slot) {
        Set<Waiter> s = waiting.get(slot);
        if (s != null) {
            new ArrayList<>(s).forEach(this::wake);
        }
    }

    /**
     * Wakes the watchers that {@code e} may concern: those watching a prefix of its key with no trigger,
     * and those whose trigger is the object's node name before or after the change (a pod that leaves a
     * node is DELETED for that node's watcher).
     */
    private void wakeFor(CacheEvent e) {
        if (waiting.isEmpty()) {
            return;
        }
        String key = e.key();
        String now = trigger(key, e.object());
        String before = trigger(key, e.previous());
        for (int i = key.indexOf('/', 1); i >= 0; i = key.indexOf('/', i + 1)) {
            String p = key.substring(0, i + 1);
            wakeSlot(p);
            if (now != null) {
                wakeSlot(p + '\0' + now);
            }
            if (before != null && !before.equals(now)) {
                wakeSlot(p + '\0' + before);
            }
        }
    }

    private void wakeAll() {
        List<Waiter> all = new ArrayList<>();
        waiting.values().forEach(all::addAll);
        all.forEach(this::wake);
    }

    private static long modRevision(ObjectNode o) {
        try {
            return Long.parseLong(o.path("metadata").path("resourceVersion").asString(""));
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    private static ObjectNode decodeOrNull(String key, byte[] value, long modRevision) {
        try {
            return decode(value, modRevision);
        } catch (RuntimeException e) {
            // one undecodable value must not stop the cache for every other object
            log.error("watch cache skips {} at revision {}: not a JSON object ({})", key, modRevision, e.getMessage());
            return null;
        }
    }

    static ObjectNode decode(byte[] value, long modRevision) {
        // compact trees: the cache holds one per stored object for as long as it is current
        ObjectNode obj = CompactNodes.decode(value);
        ObjectNode meta = obj.has("metadata") && obj.get("metadata").isObject() ? (ObjectNode) obj.get("metadata") : obj.putObject("metadata");
        meta.put("resourceVersion", Long.toString(modRevision));
        return obj;
    }

    private int objectCount() {
        lock.lock();
        try {
            return objects.size();
        } finally {
            lock.unlock();
        }
    }

    private int eventCount() {
        lock.lock();
        try {
            return events.size();
        } finally {
            lock.unlock();
        }
    }

    /**
     * Waits until the cache has seen etcd revision {@code rev} (a consistent read), up to
     * {@code timeout}; throws 503-mapped {@link StorageException} if it cannot catch up.
     */
    public void waitUntilFresh(long rev, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (!ready || revision < rev) {
                long left = deadline - System.nanoTime();
                if (left <= 0) {
                    throw new StorageException(StorageException.Kind.UNAVAILABLE, ROOT,
                            "the watch cache has not caught up with etcd (at " + revision + ", need " + rev + ")", null);
                }
                if (ready && left < timeout.toNanos() / 2 && storage.supportsRequestProgress()) {
                    // nothing under /registry/ moved for a while: ask etcd how far the watch has got
                    storage.requestProgress();
                }
                changed.awaitNanos(Math.min(left, TimeUnit.MILLISECONDS.toNanos(100)));
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "interrupted", e);
        } finally {
            lock.unlock();
        }
    }

    /** The current objects under {@code prefix} that pass {@code filter}, sorted by key. */
    public Snapshot snapshot(String prefix, Predicate<ObjectNode> filter) {
        lock.lock();
        try {
            List<ObjectNode> items = new ArrayList<>();
            for (ObjectNode o : objects.subMap(prefix, true, prefix + Character.MAX_VALUE, false).values()) {
                if (filter.test(o)) {
                    items.add(o);
                }
            }
            return new Snapshot(items, revision);
        } finally {
            lock.unlock();
        }
    }

    /** The cached object at {@code key}, or null. */
    public ObjectNode get(String key) {
        lock.lock();
        try {
            return objects.get(key);
        } finally {
            lock.unlock();
        }
    }

    /**
     * The events under {@code prefix} after {@code fromRevision} as seen through {@code filter}: an
     * object that starts matching is ADDED, one that stops matching is DELETED. Waits up to
     * {@code timeout} for the first one. Never splits the events of one revision across batches.
     *
     * @throws Expired when events after {@code fromRevision} are no longer all held (the ring buffer
     *                 moved on, or a reload after compaction left no history before its snapshot)
     */
    public Batch eventsAfter(String prefix, Predicate<ObjectNode> filter, long fromRevision, int limit, Duration timeout) {
        return eventsAfter(prefix, filter, null, fromRevision, limit, timeout);
    }

    /**
     * As {@link #eventsAfter(String, Predicate, long, int, Duration)}, for a watcher whose filter only
     * admits pods with {@code spec.nodeName} equal to {@code nodeName} (a kubelet's
     * {@code fieldSelector=spec.nodeName=<node>}; null when it does not): while it waits, only events of
     * pods on that node (before or after the change) wake it, not every write. Ignored for other kinds.
     */
    public Batch eventsAfter(String prefix, Predicate<ObjectNode> filter, String nodeName, long fromRevision, int limit, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        boolean scan = true;
        try {
            while (true) {
                List<CacheEvent> newer = new ArrayList<>();
                long upTo;
                lock.lock();
                try {
                    if (!ready) {
                        throw new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "the watch cache is not ready", null);
                    }
                    if (fromRevision < oldest) {
                        throw new Expired(fromRevision, oldest);
                    }
                    if (!scan) {
                        // waited until the timeout (or close) without being woken: no event after fromRevision
                        // was for this watcher's slot, so none can pass its filter; nothing to scan
                        return new Batch(List.of(), Math.max(revision, fromRevision));
                    }
                    upTo = revision;
                    // walk back from the newest event to the watcher's position: cheap for watchers that keep up
                    Iterator<CacheEvent> it = events.descendingIterator();
                    while (it.hasNext()) {
                        CacheEvent e = it.next();
                        if (e.revision() <= fromRevision) {
                            break;
                        }
                        if (e.key().startsWith(prefix) && mayConcern(e, nodeName)) {
                            newer.add(e);
                        }
                    }
                } finally {
                    lock.unlock();
                }
                // the filter runs outside the lock: cached events are immutable, and neither the cache's thread
                // nor other watchers wait for this watcher's selector matching
                Collections.reverse(newer);
                List<WatchEventOut> out = new ArrayList<>();
                for (CacheEvent e : newer) {
                    if (out.size() >= limit && e.revision() != out.get(out.size() - 1).revision()) {
                        upTo = out.get(out.size() - 1).revision();
                        break;
                    }
                    WatchEventOut w = project(e, filter);
                    if (w != null) {
                        out.add(w);
                    }
                }
                long left = deadline - System.nanoTime();
                if (!out.isEmpty() || left <= 0 || closed) {
                    return new Batch(out, Math.max(upTo, fromRevision));
                }
                fromRevision = Math.max(fromRevision, upTo);
                lock.lock();
                try {
                    CacheEvent newest = events.peekLast();
                    if (fromRevision < oldest || (newest != null && newest.revision() > fromRevision)) {
                        // events came (or a reload) while this watcher matched outside the lock: look again
                        continue;
                    }
                    if (!watcherIndex) {
                        // kube4j.watch-cache.watcher-index=false: every event wakes every watcher (the old way)
                        changed.awaitNanos(left);
                        continue;
                    }
                    Waiter w = new Waiter(slot(prefix, nodeName), fromRevision, lock.newCondition());
                    register(w);
                    try {
                        while (!w.signalled && !closed && (left = deadline - System.nanoTime()) > 0) {
                            w.woken.awaitNanos(left);
                        }
                    } finally {
                        unregister(w);
                    }
                    scan = w.signalled;
                } finally {
                    lock.unlock();
                }
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Batch(List.of(), fromRevision);
        }
    }

    /**
     * False when {@code e} is a pod's event that neither was nor is on {@code nodeName} (the exact
     * {@code spec.nodeName} the watcher's selector requires): its filter could not pass it, so it is
     * skipped without looking at (or, once compacted, decoding) the objects.
     */
    private static boolean mayConcern(CacheEvent e, String nodeName) {
        return nodeName == null || e.trigger() == null || nodeName.equals(e.trigger()) || nodeName.equals(e.priorTrigger());
    }

    private static WatchEventOut project(CacheEvent e, Predicate<ObjectNode> filter) {
        // read once: a compacted event decodes on every call
        ObjectNode previous = e.previous();
        boolean was = previous != null && filter.test(previous);
        if (e.type() == CacheEvent.Type.DELETE) {
            return was ? new WatchEventOut("DELETED", e.object(), e.revision(), e.encoded()) : null;
        }
        ObjectNode object = e.object();
        boolean is = filter.test(object);
        if (is && was) {
            return new WatchEventOut("MODIFIED", object, e.revision(), e.encoded());
        }
        if (is) {
            return new WatchEventOut("ADDED", object, e.revision(), e.encoded());
        }
        if (was) {
            // no longer matching: a DELETED with the previous object at the event's resourceVersion, as
            // Kubernetes' cacheWatcher.convertToWatchEvent. Rare, so encoded for this watcher alone (its
            // setCachingObjects does not wrap an update's previous object either)
            ObjectNode gone = previous.deepCopy();
            ((ObjectNode) gone.get("metadata")).put("resourceVersion", Long.toString(e.revision()));
            return new WatchEventOut("DELETED", gone, e.revision());
        }
        return null;
    }

    /** For tests: the lock readers and the cache's thread share (holding it stalls the cache's thread). */
    ReentrantLock lockForTests() {
        return lock;
    }

    /** For tests: how many waiting watchers have been woken so far. */
    long wakeupsForTests() {
        lock.lock();
        try {
            return wakeups;
        } finally {
            lock.unlock();
        }
    }

    /** For tests: how many watchers wait now. */
    int waitingForTests() {
        lock.lock();
        try {
            return waiting.values().stream().mapToInt(Set::size).sum();
        } finally {
            lock.unlock();
        }
    }

    /** For tests: a copy of the cached objects by key. */
    Map<String, ObjectNode> objectsForTests() {
        lock.lock();
        try {
            return new TreeMap<>(objects);
        } finally {
            lock.unlock();
        }
    }

    /** Stops the cache's thread and its etcd watch; waiting watchers return at once. The state becomes CLOSED. */
    @Override
    public void close() {
        closed = true;
        synchronized (stateLock) {
            if (state != WatchCacheState.CLOSED) {
                transition(WatchCacheState.CLOSED, "shut down");
            }
        }
        closeWatch();
        Thread t = thread;
        if (t != null) {
            t.interrupt();
        }
        lock.lock();
        try {
            changed.signalAll();
            wakeAll();
        } finally {
            lock.unlock();
        }
    }
}
