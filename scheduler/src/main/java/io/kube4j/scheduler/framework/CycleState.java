package io.kube4j.scheduler.framework;

import java.util.HashMap;
import java.util.Map;

/**
 * Data of one scheduling cycle (one pod), shared between the extension points of a plugin: what
 * PreFilter computes once, Filter reads per node. Only the scheduling thread touches it.
 * Preemption works on {@linkplain #copy() copies}: it adds and removes pods on a copy of a node and
 * tells the plugins through their {@link PreFilterExtensions}, which update their copied data.
 */
public final class CycleState {
    /**
     * Plugin data that changes when preemption simulates adding or removing pods (Kubernetes'
     * {@code StateData}): copied deeply by {@link CycleState#copy()}. Data that is never changed after
     * it is written need not implement it; it is shared between copies.
     */
    public interface StateData {
        /** A copy whose changes do not show in this one. */
        StateData copy();
    }

    private final Snapshot snapshot;
    private final Map<String, Object> data;

    public CycleState(Snapshot snapshot) {
        this.snapshot = snapshot;
        this.data = new HashMap<>();
    }

    private CycleState(CycleState o) {
        this.snapshot = o.snapshot;
        this.data = new HashMap<>(o.data.size());
        for (Map.Entry<String, Object> e : o.data.entrySet()) {
            Object v = e.getValue();
            data.put(e.getKey(), v instanceof StateData sd ? sd.copy() : v);
        }
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

    /** A copy for a simulation (Kubernetes' {@code CycleState.Clone}): {@link StateData} values are copied deeply. */
    public CycleState copy() {
        return new CycleState(this);
    }
}
