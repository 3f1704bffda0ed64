package io.kube4j.scheduler.framework;

import io.kube4j.quantity.Quantity;

import java.util.HashMap;
import java.util.Map;

/**
 * An amount of resources as plain numbers, parsed from Quantities once per pod or node so that the
 * per-node arithmetic of a scheduling cycle is on longs: cpu in millicores, memory in bytes, and any
 * other named resource (ephemeral-storage, nvidia.com/gpu, ...) in whole units ({@code pods} excluded:
 * it is the number of pods, counted separately).
 */
public final class Resource {
    public static final String CPU = "cpu";
    public static final String MEMORY = "memory";
    public static final String PODS = "pods";

    private long milliCpu;
    private long memory;
    // null until some pod or node names another resource: most never do
    private Map<String, Long> scalars;

    public Resource() {
    }

    public Resource(long milliCpu, long memory) {
        this.milliCpu = milliCpu;
        this.memory = memory;
    }

    /** Parses a resource list ({@code cpu: 500m, memory: 1Gi, ...}); {@code pods} is ignored. Throws on a bad quantity. */
    public static Resource of(Map<String, Quantity> list) {
        Resource r = new Resource();
        if (list == null) {
            return r;
        }
        for (Map.Entry<String, Quantity> e : list.entrySet()) {
            if (e.getValue() == null) {
                continue;
            }
            switch (e.getKey()) {
                case CPU -> r.milliCpu = e.getValue().milliValue();
                case MEMORY -> r.memory = e.getValue().value();
                case PODS -> {
                }
                default -> r.setScalar(e.getKey(), e.getValue().value());
            }
        }
        return r;
    }

    public long milliCpu() {
        return milliCpu;
    }

    public long memory() {
        return memory;
    }

    /** The amount of another named resource (0 when absent). */
    public long scalar(String name) {
        return scalars == null ? 0 : scalars.getOrDefault(name, 0L);
    }

    public Map<String, Long> scalars() {
        return scalars == null ? Map.of() : scalars;
    }

    void setScalar(String name, long value) {
        if (scalars == null) {
            scalars = new HashMap<>();
        }
        scalars.put(name, value);
    }

    /** Adds {@code other} to this one (in place). */
    public void add(Resource other) {
        milliCpu += other.milliCpu;
        memory += other.memory;
        for (Map.Entry<String, Long> e : other.scalars().entrySet()) {
            setScalar(e.getKey(), scalar(e.getKey()) + e.getValue());
        }
    }

    /** Subtracts {@code other} from this one (in place). */
    public void subtract(Resource other) {
        milliCpu -= other.milliCpu;
        memory -= other.memory;
        for (Map.Entry<String, Long> e : other.scalars().entrySet()) {
            setScalar(e.getKey(), scalar(e.getKey()) - e.getValue());
        }
    }

    /** Raises each amount to at least {@code other}'s (init containers run one at a time: the largest counts). */
    public void setMax(Resource other) {
        milliCpu = Math.max(milliCpu, other.milliCpu);
        memory = Math.max(memory, other.memory);
        for (Map.Entry<String, Long> e : other.scalars().entrySet()) {
            setScalar(e.getKey(), Math.max(scalar(e.getKey()), e.getValue()));
        }
    }

    public Resource copy() {
        Resource r = new Resource(milliCpu, memory);
        if (scalars != null) {
            r.scalars = new HashMap<>(scalars);
        }
        return r;
    }

    @Override
    public String toString() {
        return "cpu=" + milliCpu + "m memory=" + memory + (scalars == null ? "" : " " + scalars);
    }
}
