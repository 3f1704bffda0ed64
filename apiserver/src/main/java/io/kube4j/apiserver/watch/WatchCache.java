package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.kube4j.json.Json;
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
import java.util.List;
import java.util.Map;
import java.util.NavigableMap;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;
import java.util.function.Predicate;

/**
 * The apiserver's one view of etcd: a single etcd watch on {@code /registry/} keeps a decoded copy of
 * every object and a ring buffer of recent events. Lists and both kinds of watch are served from here,
 * so watchers never touch etcd. A watcher asking for a revision older than the buffer gets
 * {@link Expired} (410) and must re-list.
 */
public final class WatchCache implements AutoCloseable {
    private static final Logger log = LoggerFactory.getLogger(WatchCache.class);
    private static final String ROOT = "/registry/";

    /** A consistent snapshot: the objects under a prefix and the revision they are current at. */
    public record Snapshot(List<ObjectNode> items, long revision) {
    }

    /** Events for one watcher, and the revision to continue from. */
    public record Batch(List<WatchEventOut> events, long revision) {
    }

    /** An event as one watcher sees it: ADDED / MODIFIED / DELETED after its filter is applied. */
    public record WatchEventOut(String type, ObjectNode object, long revision) {
    }

    private final Storage storage;
    private final int capacity;
    private final ReentrantLock lock = new ReentrantLock();
    private final Condition changed = lock.newCondition();
    private final NavigableMap<String, ObjectNode> objects = new TreeMap<>();
    private final ArrayDeque<CacheEvent> events = new ArrayDeque<>();
    private long revision;
    // every event with a revision above this is in the buffer
    private long oldest;
    private volatile boolean ready;
    private volatile boolean closed;
    private Storage.Watch watch;

    public WatchCache(Storage storage, ApiServerProperties props, MeterRegistry meters) {
        this.storage = storage;
        this.capacity = props.watchCache().capacity();
        Gauge.builder("apiserver_watch_cache_objects", objects, Map::size).register(meters);
        Gauge.builder("apiserver_watch_cache_events", events, ArrayDeque::size).register(meters);
    }

    /** Loads everything and starts watching; retries in the background while etcd is unreachable. */
    public void start() {
        Thread.ofVirtual().name("watch-cache-init").start(() -> {
            Duration backoff = Duration.ofMillis(200);
            while (!closed && !ready) {
                try {
                    reload();
                } catch (RuntimeException e) {
                    log.warn("watch cache cannot load from etcd yet: {}", e.getMessage());
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
                }
            }
        });
    }

    public boolean isReady() {
        return ready;
    }

    public long revision() {
        lock.lock();
        try {
            return revision;
        } finally {
            lock.unlock();
        }
    }

    /**
     * Reads all of etcd under /registry/ at one revision and (re)starts the watch right after it. On a
     * reload after a broken watch, the differences become events at the new revision, so watchers that
     * are still within the window see every change.
     */
    private void reload() {
        Map<String, ObjectNode> fresh = new HashMap<>();
        long rev = 0;
        String from = null;
        // page through so one huge response never exceeds gRPC's message limit
        while (true) {
            Storage.Page page = storage.range(ROOT, from, rev, 2000);
            rev = page.revision();
            for (Storage.Stored s : page.items()) {
                fresh.put(s.key(), decode(s.value(), s.modRevision()));
            }
            if (!page.more() || page.items().isEmpty()) {
                break;
            }
            from = page.items().get(page.items().size() - 1).key() + "\0";
        }
        lock.lock();
        try {
            if (ready) {
                emitDifferences(fresh, rev);
            } else {
                objects.clear();
                objects.putAll(fresh);
                events.clear();
                oldest = rev;
            }
            revision = Math.max(revision, rev);
            ready = true;
            changed.signalAll();
        } finally {
            lock.unlock();
        }
        watchFrom(rev + 1);
        log.info("watch cache loaded {} objects at revision {}", fresh.size(), rev);
    }

    private void emitDifferences(Map<String, ObjectNode> fresh, long rev) {
        for (Map.Entry<String, ObjectNode> e : fresh.entrySet()) {
            ObjectNode old = objects.get(e.getKey());
            if (old == null || !resourceVersion(old).equals(resourceVersion(e.getValue()))) {
                append(new CacheEvent(rev, CacheEvent.Type.PUT, e.getKey(), e.getValue(), old));
                objects.put(e.getKey(), e.getValue());
            }
        }
        for (String key : new ArrayList<>(objects.keySet())) {
            if (!fresh.containsKey(key)) {
                ObjectNode last = objects.remove(key).deepCopy();
                ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(rev));
                append(new CacheEvent(rev, CacheEvent.Type.DELETE, key, last, last));
            }
        }
    }

    private static String resourceVersion(ObjectNode o) {
        return o.path("metadata").path("resourceVersion").asString("");
    }

    private void watchFrom(long fromRevision) {
        if (watch != null) {
            watch.close();
        }
        watch = storage.watch(ROOT, fromRevision, new Storage.WatchListener() {
            @Override
            public void onEvents(List<Storage.Event> events, long headerRevision) {
                onWatchEvents(events, headerRevision);
            }

            @Override
            public void onError(Throwable error) {
                onWatchError(error);
            }
        });
    }

    private void onWatchEvents(List<Storage.Event> batch, long headerRev) {
        lock.lock();
        try {
            for (Storage.Event e : batch) {
                String key = e.key();
                long rev = e.modRevision();
                if (rev <= revision && !e.isDelete() && objects.containsKey(key)
                        && Long.parseLong(resourceVersion(objects.get(key))) >= rev) {
                    continue; // already applied (a reload raced the watch)
                }
                ObjectNode prev = objects.get(key);
                if (!e.isDelete()) {
                    ObjectNode obj = decode(e.value(), rev);
                    objects.put(key, obj);
                    append(new CacheEvent(rev, CacheEvent.Type.PUT, key, obj, prev));
                } else {
                    if (prev == null) {
                        continue;
                    }
                    objects.remove(key);
                    ObjectNode last = prev.deepCopy();
                    ((ObjectNode) last.get("metadata")).put("resourceVersion", Long.toString(rev));
                    append(new CacheEvent(rev, CacheEvent.Type.DELETE, key, last, prev));
                }
                revision = Math.max(revision, rev);
            }
            // progress notifications and empty responses still tell us how far storage is
            if (batch.isEmpty() && headerRev > revision) {
                revision = headerRev;
            }
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }

    private void onWatchError(Throwable t) {
        if (closed) {
            return;
        }
        log.warn("etcd watch broke ({}); reloading the watch cache", t.toString());
        Thread.ofVirtual().name("watch-cache-reload").start(() -> {
            Duration backoff = Duration.ofMillis(200);
            while (!closed) {
                try {
                    reload();
                    return;
                } catch (RuntimeException e) {
                    sleep(backoff);
                    backoff = backoff.multipliedBy(2).compareTo(Duration.ofSeconds(5)) > 0 ? Duration.ofSeconds(5) : backoff.multipliedBy(2);
                }
            }
        });
    }

    private void append(CacheEvent e) {
        events.addLast(e);
        while (events.size() > capacity) {
            CacheEvent dropped = events.removeFirst();
            oldest = dropped.revision();
        }
    }

    static ObjectNode decode(byte[] value, long modRevision) {
        ObjectNode obj = (ObjectNode) Json.tree(value);
        ObjectNode meta = obj.has("metadata") && obj.get("metadata").isObject() ? (ObjectNode) obj.get("metadata") : obj.putObject("metadata");
        meta.put("resourceVersion", Long.toString(modRevision));
        return obj;
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
                if (ready && left < timeout.toNanos() / 2) {
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
     */
    public Batch eventsAfter(String prefix, Predicate<ObjectNode> filter, long fromRevision, int limit, Duration timeout) {
        long deadline = System.nanoTime() + timeout.toNanos();
        lock.lock();
        try {
            while (true) {
                if (!ready) {
                    throw new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "the watch cache is not ready", null);
                }
                if (fromRevision < oldest) {
                    throw new Expired(fromRevision, oldest);
                }
                List<WatchEventOut> out = new ArrayList<>();
                long upTo = revision;
                // walk back from the newest event to the watcher's position: cheap for watchers that keep up
                List<CacheEvent> newer = new ArrayList<>();
                Iterator<CacheEvent> it = events.descendingIterator();
                while (it.hasNext()) {
                    CacheEvent e = it.next();
                    if (e.revision() <= fromRevision) {
                        break;
                    }
                    newer.add(e);
                }
                Collections.reverse(newer);
                for (CacheEvent e : newer) {
                    if (out.size() >= limit && e.revision() != out.get(out.size() - 1).revision()) {
                        upTo = out.get(out.size() - 1).revision();
                        break;
                    }
                    if (!e.key().startsWith(prefix)) {
                        continue;
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
                changed.awaitNanos(left);
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new Batch(List.of(), fromRevision);
        } finally {
            lock.unlock();
        }
    }

    private static WatchEventOut project(CacheEvent e, Predicate<ObjectNode> filter) {
        boolean was = e.previous() != null && filter.test(e.previous());
        if (e.type() == CacheEvent.Type.DELETE) {
            return was ? new WatchEventOut("DELETED", e.object(), e.revision()) : null;
        }
        boolean is = filter.test(e.object());
        if (is && was) {
            return new WatchEventOut("MODIFIED", e.object(), e.revision());
        }
        if (is) {
            return new WatchEventOut("ADDED", e.object(), e.revision());
        }
        if (was) {
            return new WatchEventOut("DELETED", e.object(), e.revision());
        }
        return null;
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    @Override
    public void close() {
        closed = true;
        if (watch != null) {
            watch.close();
        }
        lock.lock();
        try {
            changed.signalAll();
        } finally {
            lock.unlock();
        }
    }
}
