package io.kube4j.scheduler.framework;

import java.util.HashMap;
import java.util.Map;

/**
 * Data of one scheduling cycle (one pod), shared between the extension points of a plugin: what
 * PreFilter computes once, Filter reads per node. Only the scheduling thread touches it.
 */
public final class CycleState {
    private final Snapshot snapshot;
    private final Map<String, Object> data = new HashMap<>();

    public CycleState(Snapshot snapshot) {
        this.snapshot = snapshot;
    }

    /** The cluster as this cycle sees it. */
    public Snapshot snapshot() {
        return snapshot;
    }

    public void write(String key, Object value) {
        data.put(key, value);
    }

    /** The value under {@code key}, or null. */
    @SuppressWarnings("unchecked")
    public <T> T read(String key) {
        return (T) data.get(key);
    }
}
