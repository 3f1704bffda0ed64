package io.kube4j.apiserver.watch;

/** The requested resourceVersion is older than what the watch cache still holds: the client must re-list. */
public class Expired extends RuntimeException {
    public Expired(long requested, long oldest) {
        super("too old resource version: " + requested + " (" + oldest + ")");
    }
}
