package io.kube4j.api;

/** One change seen by a watch: ADDED, MODIFIED, DELETED, BOOKMARK or ERROR. */
public class WatchEvent<T> {
    public String type;
    public T object;

    public WatchEvent() {
    }

    public WatchEvent(String type, T object) {
        this.type = type;
        this.object = object;
    }
}
