package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.Strategy;
import org.springframework.stereotype.Component;

import java.util.Set;

/** Events (core/v1): their field labels. Kubernetes: {@code pkg/registry/core/event/strategy.go} (ToSelectableFields). */
@Component
public class EventStrategy implements Strategy {
    @Override
    public ResourceType type() {
        return ResourceTypes.EVENTS;
    }

    @Override
    public Set<String> fieldLabels() {
        return Set.of("involvedObject.kind", "involvedObject.namespace", "involvedObject.name", "involvedObject.uid",
                "involvedObject.apiVersion", "involvedObject.resourceVersion", "involvedObject.fieldPath",
                "reason", "reportingComponent", "source", "type", "metadata.namespace", "metadata.name");
    }

    @Override
    public String unsupportedFieldLabel(String label) {
        return Strategy.coreUnsupportedFieldLabel(label);
    }
}
