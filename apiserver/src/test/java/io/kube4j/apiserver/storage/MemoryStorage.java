package io.kube4j.apiserver.storage;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * {@link Storage} in memory with etcd's revision rules (one global revision, bumped by every
 * transaction; modRevision per key; guards on createRevision 0 / modRevision), for unit tests of the
 * registry and the watch cache. Watches are delivered synchronously on the writer's thread. Keeps no
 * history: a range at an old revision, or a watch from a revision already written, is COMPACTED.
 */
public final class MemoryStorage implements Storage {
    private record Entry(byte[] value, long modRevision) {
    }

    private record Watcher(String prefix, WatchListener listener) {
    }

    private final TreeMap<String, Entry> data = new TreeMap<>();
    private final List<Watcher> watchers = new CopyOnWriteArrayList<>();
    private long revision = 1;

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
        Entry e = data.get(key);
        if (e == null) {
            throw new StorageException(StorageException.Kind.NOT_FOUND, key, "not found: " + key, null);
        }
        if (e.modRevision() != expectedModRevision) {
            throw new StorageException(StorageException.Kind.CONFLICT, key, "modified concurrently: " + key, null);
        }
    }

    @Override
    public synchronized long transaction(List<Guard> guards, List<Write> writes, String what) {
        return transaction(guards, writes, what, StorageException.Kind.CONFLICT);
    }

    private long transaction(List<Guard> guards, List<Write> writes, String what, StorageException.Kind failure) {
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
                if (data.remove(w.key()) != null) {
                    events.add(new Event(w.key(), null, revision));
                }
            } else {
                data.put(w.key(), new Entry(w.value().clone(), revision));
                events.add(new Event(w.key(), w.value().clone(), revision));
            }
        }
        for (Watcher w : watchers) {
            List<Event> mine = events.stream().filter(e -> e.key().startsWith(w.prefix())).toList();
            if (!mine.isEmpty()) {
                w.listener().onEvents(mine, revision);
            }
        }
        return revision;
    }

    @Override
    public synchronized Optional<Stored> get(String key) {
        Entry e = data.get(key);
        return e == null ? Optional.empty() : Optional.of(new Stored(key, e.value().clone(), e.modRevision()));
    }

    @Override
    public synchronized Page range(String prefix, String fromKey, long atRevision, int limit) {
        if (atRevision > 0 && atRevision != revision) {
            throw new StorageException(StorageException.Kind.COMPACTED, prefix, "required revision has been compacted", null);
        }
        List<Stored> items = new ArrayList<>();
        boolean more = false;
        for (Map.Entry<String, Entry> e : data.tailMap(fromKey == null ? prefix : fromKey, true).entrySet()) {
            if (!e.getKey().startsWith(prefix)) {
                break;
            }
            if (limit > 0 && items.size() == limit) {
                more = true;
                break;
            }
            items.add(new Stored(e.getKey(), e.getValue().value().clone(), e.getValue().modRevision()));
        }
        return new Page(items, revision, more);
    }

    @Override
    public synchronized long currentRevision() {
        return revision;
    }

    @Override
    public void compact(long revision) {
    }

    @Override
    public synchronized Watch watch(String prefix, long fromRevision, WatchListener listener) {
        if (fromRevision <= revision) {
            throw new StorageException(StorageException.Kind.COMPACTED, prefix, "required revision has been compacted", null);
        }
        Watcher w = new Watcher(prefix, listener);
        watchers.add(w);
        return () -> watchers.remove(w);
    }

    @Override
    public void requestProgress() {
        long rev;
        synchronized (this) {
            rev = revision;
        }
        for (Watcher w : watchers) {
            w.listener().onEvents(List.of(), rev);
        }
    }

    @Override
    public void close() {
        watchers.clear();
    }
}
