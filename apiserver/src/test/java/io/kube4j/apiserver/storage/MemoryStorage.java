package io.kube4j.apiserver.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.LongConsumer;

/**
 * {@link Storage} in memory with etcd's revision rules (one global revision, bumped by every
 * transaction; modRevision per key; guards on createRevision 0 / modRevision), for unit tests of the
 * registry and the watch cache.
 *
 * <p>Like etcd it keeps history until {@link #compact}: a range at an older revision, or a watch from
 * one, works while that revision is not compacted and is {@code COMPACTED} after (a watch reports it
 * through {@link WatchListener#onError}, as etcd cancels the watch). A watch from the past first gets
 * the history, one {@code onEvents} per revision, then live changes. Live changes are delivered
 * synchronously on the writer's thread, one {@code onEvents} per transaction.
 *
 * <p>Fault injection: {@link #breakWatches} (every watch gets {@code onError} and stops, as when the
 * connection to etcd drops), {@link #setUnavailable} (every call fails {@code UNAVAILABLE} and watches
 * break, as when etcd is down), and {@link #onRange} (called before every range read, e.g. to count
 * concurrent reads or to fail one).
 */
public final class MemoryStorage implements Storage {
    private record Entry(byte[] value, long modRevision) {
    }

    /** One change of one key: the value after (null for a delete) and the entry before (null if absent). */
    private record Change(long revision, String key, byte[] value, Entry before) {
    }

    private final class Watcher implements Watch {
        final String prefix;
        final WatchListener listener;

        Watcher(String prefix, WatchListener listener) {
            this.prefix = prefix;
            this.listener = listener;
        }

        @Override
        public void close() {
            watchers.remove(this);
        }
    }

    private final TreeMap<String, Entry> data = new TreeMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    // every change at or after compactedRevision, in order
    private final List<Change> history = new ArrayList<>();
    private long revision = 1;
    private long compactedRevision;
    private volatile boolean unavailable;
    private volatile LongConsumer rangeHook = rev -> {
    };
    private final AtomicInteger watchCalls = new AtomicInteger();
    private final AtomicInteger rangeCalls = new AtomicInteger();

    @Override
    public synchronized long create(String key, byte[] value) {
        return transaction(List.of(Guard.absent(key)), List.of(Write.put(key, value)), key, StorageException.Kind.KEY_EXISTS);
    }

    @Override
    public synchronized long update(String key, byte[] value, long expectedModRevision) {
        requireGuard(key, expectedModRevision);
        return transaction(List.of(), List.of(Write.put(key, value)), key);
    }

    @Override
    public synchronized long delete(String key, long expectedModRevision) {
        requireGuard(key, expectedModRevision);
        return transaction(List.of(), List.of(Write.delete(key)), key);
    }

    private void requireGuard(String key, long expectedModRevision) {
        available(key);
        Entry e = data.get(key);
        if (e == null) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, key, "not found: " + key, null);
        }
        if (e.modRevision() != expectedModRevision) {
            throw new StorageException(StorageException.Kind.CONFLICT, key, "modified concurrently: " + key, null);
        }
    }

    private void available(String what) {
        if (unavailable) {
            throw new StorageException(StorageException.Kind.UNAVAILABLE, what, "etcd request failed: connection refused", null);
        }
    }

    @Override
    public synchronized long transaction(List<Guard> guards, List<Write> writes, String what) {
        return transaction(guards, writes, what, StorageException.Kind.CONFLICT);
    }

    private long transaction(List<Guard> guards, List<Write> writes, String what, StorageException.Kind failure) {
        available(what);
        for (Guard g : guards) {
            Entry e = data.get(g.key());
            boolean holds = g.modRevision() == 0 ? e == null : e != null && e.modRevision() == g.modRevision();
            if (!holds) {
                throw new StorageException(failure, what, "guard failed: " + g, null);
            }
        }
        revision++;
        List<Event> events = new ArrayList<>();
        for (Write w : writes) {
            if (w.value() == null) {
                Entry before = data.remove(w.key());
                if (before != null) {
                    history.add(new Change(revision, w.key(), null, before));
                    events.add(new Event(w.key(), null, revision));
                }
            } else {
                Entry before = data.put(w.key(), new Entry(w.value().clone(), revision));
                history.add(new Change(revision, w.key(), w.value().clone(), before));
                events.add(new Event(w.key(), w.value().clone(), revision));
            }
        }
        for (Watcher w : watchers) {
            List<Event> mine = events.stream().filter(e -> e.key().startsWith(w.prefix)).toList();
            if (!mine.isEmpty()) {
                w.listener.onEvents(mine, revision);
            }
        }
        return revision;
    }

    @Override
    public synchronized Optional<Stored> get(String key) {
        available(key);
        Entry e = data.get(key);
        return e == null ? Optional.empty() : Optional.of(new Stored(key, e.value().clone(), e.modRevision()));
    }

    @Override
    public Page range(String prefix, String fromKey, long atRevision, int limit) {
        rangeCalls.incrementAndGet();
        // outside the monitor, so that a hook may block without stopping writers
        rangeHook.accept(atRevision);
        synchronized (this) {
            available(prefix);
            if (atRevision > revision) {
                throw new StorageException(StorageException.Kind.UNAVAILABLE, prefix, "etcd request failed: etcdserver: mvcc: required revision is a future revision", null);
            }
            if (atRevision > 0 && atRevision < compactedRevision) {
                throw new StorageException(StorageException.Kind.COMPACTED, prefix, "etcdserver: mvcc: required revision has been compacted", null);
            }
            TreeMap<String, Entry> view = atRevision > 0 ? stateAt(atRevision) : data;
            List<Stored> items = new ArrayList<>();
            boolean more = false;
            long count = 0;
            for (Map.Entry<String, Entry> e : view.tailMap(fromKey == null ? prefix : fromKey, true).entrySet()) {
                if (!e.getKey().startsWith(prefix)) {
                    break;
                }
                count++;
                if (limit > 0 && items.size() == limit) {
                    more = true;
                    continue;
                }
                items.add(new Stored(e.getKey(), e.getValue().value().clone(), e.getValue().modRevision()));
            }
            return new Page(items, revision, more, count);
        }
    }

    /** The data as it was at {@code rev}: today's, with every later change undone. */
    private TreeMap<String, Entry> stateAt(long rev) {
        TreeMap<String, Entry> view = new TreeMap<>(data);
        for (int i = history.size() - 1; i >= 0 && history.get(i).revision() > rev; i--) {
            Change c = history.get(i);
            if (c.before() == null) {
                view.remove(c.key());
            } else {
                view.put(c.key(), c.before());
            }
        }
        return view;
    }

    @Override
    public synchronized long currentRevision() {
        available("revision");
        return revision;
    }

    /** Forgets history before {@code revision}, as etcd: reads at {@code revision} itself still work. */
    @Override
    public synchronized void compact(long revision) {
        available("compact");
        if (revision > this.revision) {
            throw new StorageException(StorageException.Kind.UNAVAILABLE, "compact", "etcdserver: mvcc: required revision is a future revision", null);
        }
        if (revision <= compactedRevision) {
            throw new StorageException(StorageException.Kind.COMPACTED, "compact", "etcdserver: mvcc: required revision has been compacted", null);
        }
        compactedRevision = revision;
        history.removeIf(c -> c.revision() < revision);
    }

    @Override
    public synchronized Watch watch(String prefix, long fromRevision, WatchListener listener) {
        watchCalls.incrementAndGet();
        Watcher w = new Watcher(prefix, listener);
        if (unavailable) {
            // as jetcd: the watch is created, and fails as soon as it tries to reach etcd
            listener.onError(new StorageException(StorageException.Kind.UNAVAILABLE, prefix, "etcd watch failed: connection refused", null));
            return w;
        }
        if (fromRevision < compactedRevision) {
            listener.onError(new StorageException(StorageException.Kind.COMPACTED, prefix, "etcdserver: mvcc: required revision has been compacted", null));
            return w;
        }
        // replay what happened from fromRevision, one response per revision, then go live
        List<Event> batch = new ArrayList<>();
        long batchRev = -1;
        for (Change c : history) {
            if (c.revision() < fromRevision || !c.key().startsWith(prefix)) {
                continue;
            }
            if (c.revision() != batchRev && !batch.isEmpty()) {
                listener.onEvents(List.copyOf(batch), batchRev);
                batch.clear();
            }
            batchRev = c.revision();
            batch.add(new Event(c.key(), c.value() == null ? null : c.value().clone(), c.revision()));
        }
        if (!batch.isEmpty()) {
            listener.onEvents(List.copyOf(batch), batchRev);
        }
        watchers.add(w);
        return w;
    }

    @Override
    public synchronized void requestProgress() {
        if (unavailable) {
            return;
        }
        for (Watcher w : watchers) {
            w.listener.onEvents(List.of(), revision);
        }
    }

    /** Progress is delivered under the same monitor as every write's events: always in order. */
    @Override
    public boolean supportsRequestProgress() {
        return true;
    }

    // ------------------------------------------------------------------ fault injection and probes

    /** Every open watch gets {@code onError(cause)} and delivers nothing more, as when the connection drops. */
    public synchronized void breakWatches(Throwable cause) {
        List<Watcher> open = new ArrayList<>(watchers);
        watchers.clear();
        for (Watcher w : open) {
            w.listener.onError(cause);
        }
    }

    /** While true, every call fails {@code UNAVAILABLE}; going down breaks every watch, as etcd stopping. */
    public void setUnavailable(boolean down) {
        unavailable = down;
        if (down) {
            breakWatches(new StorageException(StorageException.Kind.UNAVAILABLE, "/", "etcd watch failed: connection refused", null));
        }
    }

    /** Called with the requested revision before every range read, outside the storage's monitor. */
    public void onRange(LongConsumer hook) {
        this.rangeHook = hook == null ? rev -> {
        } : hook;
    }

    /** Watches open now. */
    public int openWatches() {
        return watchers.size();
    }

    /** {@link #watch} calls so far. */
    public int watchCalls() {
        return watchCalls.get();
    }

    /** {@link #range} calls so far. */
    public int rangeCalls() {
        return rangeCalls.get();
    }

    /** The revision history starts at (0: nothing compacted). */
    public synchronized long compactedRevision() {
        return compactedRevision;
    }

    /** Every change after {@code after} under {@code prefix}, in order, as a watch would deliver them. */
    public synchronized List<Event> historyAfter(String prefix, long after) {
        if (after + 1 < compactedRevision) {
            throw new StorageException(StorageException.Kind.COMPACTED, prefix, "etcdserver: mvcc: required revision has been compacted", null);
        }
        List<Event> out = new ArrayList<>();
        for (Change c : history) {
            if (c.revision() > after && c.key().startsWith(prefix)) {
                out.add(new Event(c.key(), c.value() == null ? null : c.value().clone(), c.revision()));
            }
        }
        return out;
    }

    @Override
    public void close() {
        watchers.clear();
    }
}
