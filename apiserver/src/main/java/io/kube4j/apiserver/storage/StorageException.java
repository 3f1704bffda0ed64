package io.kube4j.apiserver.storage;

/** A storage operation that could not be done; the web layer maps each kind to a Status. */
public class StorageException extends RuntimeException {
    /** Why it failed. */
    public enum Kind {
        KEY_EXISTS, CONFLICT, NOT_FOUND, UNAVAILABLE, COMPACTED, TIMEOUT,
        /** etcd refused the request as larger than its --max-request-bytes (1.5 MiB by default). */
        TOO_LARGE,
        /** A read at a revision etcd has not reached ("mvcc: required revision is a future revision"). */
        FUTURE_REVISION
    }

    private final Kind kind;
    private final String key;

    public StorageException(Kind kind, String key, String message, Throwable cause) {
        super(message, cause);
        this.kind = kind;
        this.key = key;
    }

    public Kind kind() {
        return kind;
    }

    public String key() {
        return key;
    }
}
