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

    /** The strategy of {@code rt}. */
    public Strategy of(ResourceType rt) {
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
