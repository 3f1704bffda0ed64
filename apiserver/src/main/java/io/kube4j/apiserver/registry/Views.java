package io.kube4j.apiserver.registry;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import org.springframework.stereotype.Component;

import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The {@link VersionConverter} of every served view ({@code ResourceTypes.VIEWS}); each view must have one,
 * converting to the stored kind of the same resource name.
 */
@Component
public class Views {
    private final Map<ResourceType, VersionConverter> byServed = new HashMap<>();

    public Views(List<VersionConverter> converters) {
        for (VersionConverter c : converters) {
            if (byServed.put(c.served(), c) != null) {
                throw new IllegalStateException("two converters for " + c.served().apiVersion() + " " + c.served().resource());
            }
            if (!c.stored().resource().equals(c.served().resource()) || !ResourceTypes.ALL.contains(c.stored())) {
                throw new IllegalStateException(c.served().apiVersion() + " " + c.served().resource() + " must convert to a stored kind of the same resource");
            }
        }
        for (ResourceType view : ResourceTypes.VIEWS) {
            if (!byServed.containsKey(view)) {
                throw new IllegalStateException("no converter for " + view.apiVersion() + " " + view.resource());
            }
        }
    }

    /** The converter of {@code rt} when it is a view, else empty (a stored kind is served as it is). */
    public Optional<VersionConverter> of(ResourceType rt) {
        return Optional.ofNullable(byServed.get(rt));
    }
}
