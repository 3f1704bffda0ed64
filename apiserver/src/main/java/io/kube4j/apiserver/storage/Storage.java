package io.kube4j.apiserver.storage;

import java.util.List;
import java.util.Optional;

/**
 * kube4j's key-value storage, in its own terms: byte values under string keys, each write a
 * transaction guarded by a revision, a global revision that is every object's resourceVersion, and a
 * watch from a revision. {@link EtcdStorage} is the real one (jetcd); tests may use an in-memory one.
 * Nothing above this interface sees an etcd type.
 *
 * <p>Every method may throw {@link StorageException}: {@code KEY_EXISTS} (create of an existing key),
 * {@code CONFLICT} (the guard's revision moved), {@code NOT_FOUND}, {@code UNAVAILABLE} (storage
 * unreachable or an unconfirmed read), {@code TIMEOUT} (a write not confirmed in time: it may still
 * land), {@code COMPACTED} (a read or watch at a revision no longer kept).
 *
 * <p>Kubernetes' counterpart: {@code staging/src/k8s.io/apiserver/pkg/storage/interfaces.go} (storage.Interface).
 */
public interface Storage extends AutoCloseable {

    /** A stored value and the revision it was last written at. */
    record Stored(String key, byte[] value, long modRevision) {
    }

    /**
     * One page of a range read, at one revision; {@code more} when keys beyond the limit exist;
     * {@code count} the number of keys in the whole range from the start key, limit or not (etcd's
     * RangeResponse.count), which Kubernetes turns into a list's remainingItemCount.
     */
    record Page(List<Stored> items, long revision, boolean more, long count) {
    }

    /** A condition of a transaction: the key was never created, or was last written at {@code modRevision}. */
    record Guard(String key, long modRevision) {
        /** The key must not exist. */
        public static Guard absent(String key) {
            return new Guard(key, 0);
        }

        /** The key must have been last written at {@code modRevision}. */
        public static Guard unchangedSince(String key, long modRevision) {
            return new Guard(key, modRevision);
        }
    }

    /** One write of a transaction: a put (value non-null) or a delete (value null). */
    record Write(String key, byte[] value) {
        public static Write put(String key, byte[] value) {
            return new Write(key, value);
        }

        public static Write delete(String key) {
            return new Write(key, null);
        }
    }

    /** A change seen by a watch: a put (value set, previous possibly null) or a delete (value null). */
    record Event(String key, byte[] value, long modRevision) {
        public boolean isDelete() {
            return value == null;
        }
    }

    /** Receives a watch's changes in revision order, on one thread at a time. */
    interface WatchListener {
        /**
         * A batch of changes, all newer than what was delivered before; {@code headerRevision} is how far
         * storage has got (a batch may be empty: a progress notification).
         */
        void onEvents(List<Event> events, long headerRevision);

        /** The watch broke (storage lost, revision compacted): no more events come from it. */
        void onError(Throwable error);
    }

    /** A running watch. */
    interface Watch extends AutoCloseable {
        @Override
        void close();
    }

    /** Creates {@code key}; {@code KEY_EXISTS} if it is there. Returns the write's revision. */
    long create(String key, byte[] value);

    /** Replaces {@code key} if it was last written at {@code expectedModRevision}; {@code CONFLICT} or {@code NOT_FOUND} otherwise. */
    long update(String key, byte[] value, long expectedModRevision);

    /** Deletes {@code key} if it was last written at {@code expectedModRevision}. Returns the delete's revision. */
    long delete(String key, long expectedModRevision);

    /** Applies {@code writes} atomically if every guard holds ({@code CONFLICT} otherwise). {@code what} names it in errors. */
    long transaction(List<Guard> guards, List<Write> writes, String what);

    /** The value at {@code key} now, if any. */
    Optional<Stored> get(String key);

    /**
     * Keys under {@code prefix} in key order, starting at {@code fromKey} (inclusive; null: the prefix's
     * start), at {@code revision} (0: now), at most {@code limit} (0: all).
     */
    Page range(String prefix, String fromKey, long revision, int limit);

    /** The store's current revision. */
    long currentRevision();

    /**
     * The highest revision of a write this process made (0: none, or a store that does not track it), so
     * that a reader of the watch cache can wait for its own writes (read-your-writes within one apiserver).
     */
    default long lastWriteRevision() {
        return 0;
    }

    /** Forgets history before {@code revision}. */
    void compact(long revision);

    /** Watches every key under {@code prefix} from {@code fromRevision} (inclusive). */
    Watch watch(String prefix, long fromRevision, WatchListener listener);

    /** Asks the running watches to report how far storage has got (an empty {@link WatchListener#onEvents}). */
    void requestProgress();

    /**
     * Whether {@link #requestProgress} answers in order with a watch's events, so that its revision may be
     * trusted as "every event up to here has been delivered". etcd before 3.4.31 / 3.5.13 may answer before
     * events it has not sent yet (etcd issues 15220 and 17507). False until known. Kubernetes' counterpart:
     * {@code RequestWatchProgress} in {@code staging/src/k8s.io/apiserver/pkg/storage/feature/feature_support_checker.go}.
     */
    boolean supportsRequestProgress();

    @Override
    void close();
}
