package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;

import java.util.List;
import java.util.Optional;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;

/**
 * One apiserver's connection to a shared {@link MemoryStorage}, which a test can cut (a network
 * partition: every call fails UNAVAILABLE and this connection's watches break, while the test keeps
 * writing to, and compacting, the storage itself), make jetcd-like noise on (an error reported on a
 * watch that then goes on delivering, as jetcd's auto-resume does), and observe (concurrent range reads;
 * a gate for snapshot pages, an error for the next read).
 */
final class PartitionedStorage implements Storage {
    final MemoryStorage etcd;
    private volatile boolean cut;
    private final List<Link> links = new CopyOnWriteArrayList<>();
    private final AtomicInteger rangesInFlight = new AtomicInteger();
    final AtomicInteger maxRangesInFlight = new AtomicInteger();
    final AtomicInteger snapshotPages = new AtomicInteger();
    final AtomicReference<CountDownLatch> rangeGate = new AtomicReference<>();
    final AtomicReference<Error> rangeError = new AtomicReference<>();
    final AtomicInteger progressRequests = new AtomicInteger();
    /** False: as etcd before 3.4.31, whose requested progress may overtake events. */
    volatile boolean progressInOrder = true;

    PartitionedStorage(MemoryStorage etcd) {
        this.etcd = etcd;
    }

    /** A watch through this connection: forwards until the partition breaks it. */
    private final class Link implements WatchListener {
        final WatchListener target;
        volatile boolean dead;
        volatile Watch inner;

        Link(WatchListener target) {
            this.target = target;
        }

        @Override
        public void onEvents(List<Event> events, long headerRevision) {
            if (!dead) {
                target.onEvents(events, headerRevision);
            }
        }

        @Override
        public void onError(Throwable error) {
            if (!dead) {
                dead = true;
                target.onError(error);
            }
        }
    }

    /** The partition starts: calls fail and every watch through this connection reports an error. */
    void cut() {
        cut = true;
        for (Link l : links) {
            l.onError(unavailable());
        }
    }

    void heal() {
        cut = false;
    }

    /**
     * As jetcd while etcd flaps: each open watch reports {@code n} errors and keeps delivering (jetcd
     * resumes on its own 500 ms later).
     */
    void reportErrorsAndKeepDelivering(int n) {
        for (Link l : links) {
            if (!l.dead) {
                for (int i = 0; i < n; i++) {
                    l.target.onError(new StorageException(StorageException.Kind.UNAVAILABLE, "/registry/", "io.grpc.StatusRuntimeException: UNAVAILABLE: io exception", null));
                }
            }
        }
    }

    private static StorageException unavailable() {
        return new StorageException(StorageException.Kind.UNAVAILABLE, "/registry/", "etcd request failed: UNAVAILABLE: io exception", null);
    }

    private void check() {
        if (cut) {
            throw unavailable();
        }
    }

    @Override
    public long create(String key, byte[] value) {
        check();
        return etcd.create(key, value);
    }

    @Override
    public long update(String key, byte[] value, long expectedModRevision) {
        check();
        return etcd.update(key, value, expectedModRevision);
    }

    @Override
    public long delete(String key, long expectedModRevision) {
        check();
        return etcd.delete(key, expectedModRevision);
    }

    @Override
    public long transaction(List<Guard> guards, List<Write> writes, String what) {
        check();
        return etcd.transaction(guards, writes, what);
    }

    @Override
    public Optional<Stored> get(String key) {
        check();
        return etcd.get(key);
    }

    @Override
    public Page range(String prefix, String fromKey, long revision, int limit) {
        int now = rangesInFlight.incrementAndGet();
        maxRangesInFlight.accumulateAndGet(now, Math::max);
        try {
            CountDownLatch gate = rangeGate.get();
            // only the pages of a snapshot wait, not the cache's one-key probe of its history
            if (gate != null && limit == WatchCache.PAGE_SIZE) {
                try {
                    if (!gate.await(30, TimeUnit.SECONDS)) {
                        throw new IllegalStateException("range gate never opened");
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw new StorageException(StorageException.Kind.UNAVAILABLE, prefix, "interrupted", e);
                }
            }
            Error error = rangeError.getAndSet(null);
            if (error != null) {
                throw error;
            }
            check();
            if (limit == WatchCache.PAGE_SIZE) {
                snapshotPages.incrementAndGet();
            }
            return etcd.range(prefix, fromKey, revision, limit);
        } finally {
            rangesInFlight.decrementAndGet();
        }
    }

    @Override
    public long currentRevision() {
        check();
        return etcd.currentRevision();
    }

    @Override
    public void compact(long revision) {
        check();
        etcd.compact(revision);
    }

    @Override
    public Watch watch(String prefix, long fromRevision, WatchListener listener) {
        Link link = new Link(listener);
        if (cut) {
            link.onError(unavailable());
            return () -> link.dead = true;
        }
        links.add(link);
        link.inner = etcd.watch(prefix, fromRevision, link);
        return () -> {
            link.dead = true;
            links.remove(link);
            link.inner.close();
        };
    }

    @Override
    public void requestProgress() {
        progressRequests.incrementAndGet();
        if (!cut) {
            etcd.requestProgress();
        }
    }

    @Override
    public boolean supportsRequestProgress() {
        return progressInOrder && etcd.supportsRequestProgress();
    }

    /** Hands a made-up watch response to every open watch, as etcd would send it. */
    void deliver(List<Event> events, long headerRevision) {
        for (Link l : links) {
            l.onEvents(events, headerRevision);
        }
    }

    /** Watches open through this connection. */
    int openWatches() {
        return (int) links.stream().filter(l -> !l.dead).count();
    }

    @Override
    public void close() {
    }
}
