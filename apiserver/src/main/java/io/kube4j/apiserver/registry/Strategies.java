package io.kube4j.apiserver.registry;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The strategy of every served resource: the {@link Strategy} beans, and for a resource in
 * {@link ResourceTypes#ALL} without one, a {@link GenericStrategy} (no rules beyond ObjectMeta).
 */
@Component
public class Strategies {
    private final Map<String, Strategy> byResource = new HashMap<>();

    public Strategies(List<Strategy> strategies) {
        for (Strategy s : strategies) {
            Strategy prev = byResource.put(s.type().resource(), s);
            if (prev != null) {
                throw new IllegalStateException("two strategies for " + s.type().resource() + ": " + prev.getClass().getName() + ", " + s.getClass().getName());
            }
        }
        for (ResourceType rt : ResourceTypes.ALL) {
            byResource.putIfAbsent(rt.resource(), new GenericStrategy(rt));
        }
    }

    /**
     * The strategies of resources that come and go while the apiserver runs (custom resources, one per
     * served version), by {@link #dynamicKey}; they take precedence over {@link #byResource} so a custom
     * resource named like a built-in one (another group's {@code jobs}) is never confused with it.
     */
    private final Map<String, Strategy> dynamic = new java.util.concurrent.ConcurrentHashMap<>();

    /** Serves {@code strategy.type()} from now on (replacing an earlier strategy of the same group/version/resource). */
    public void register(Strategy strategy) {
        dynamic.put(dynamicKey(strategy.type().group(), strategy.type().version(), strategy.type().resource()), strategy);
    }

    /** Stops serving a dynamic resource. */
    public void unregister(ResourceType rt) {
        dynamic.remove(dynamicKey(rt.group(), rt.version(), rt.resource()));
    }

    /** The dynamic resource served at group/version/resource, or null. */
    public ResourceType dynamicType(String group, String version, String resource) {
        Strategy s = dynamic.get(dynamicKey(group, version, resource));
        return s == null ? null : s.type();
    }

    /** Every dynamic resource served now, in no particular order. */
    public java.util.List<ResourceType> dynamicTypes() {
        return dynamic.values().stream().map(Strategy::type).toList();
    }

    private static String dynamicKey(String group, String version, String resource) {
        return group + "/" + version + "/" + resource;
    }

    /** The strategy of {@code rt}. */
    public Strategy of(ResourceType rt) {
        Strategy d = dynamic.get(dynamicKey(rt.group(), rt.version(), rt.resource()));
        if (d != null) {
            return d;
        }
        Strategy s = byResource.get(rt.resource());
        if (s == null) {
            throw new IllegalArgumentException("no strategy for " + rt.resource());
        }
        return s;
    }

    /** A kind with no rules of its own. */
    public record GenericStrategy(ResourceType type) implements Strategy {
    }
}
