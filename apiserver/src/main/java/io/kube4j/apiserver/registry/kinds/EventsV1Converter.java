package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.registry.VersionConverter;
import org.springframework.stereotype.Component;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.Map;

/**
 * events.k8s.io/v1 Event to and from the stored core/v1 Event: {@code regarding}/{@code involvedObject},
 * {@code note}/{@code message}, {@code reportingController}/{@code reportingComponent},
 * {@code deprecatedSource}/{@code source}, {@code deprecatedFirstTimestamp}/{@code firstTimestamp},
 * {@code deprecatedLastTimestamp}/{@code lastTimestamp}, {@code deprecatedCount}/{@code count}; the other
 * fields (eventTime, series, related, action, reason, type, reportingInstance) have the same name in both.
 * Kubernetes: {@code pkg/apis/events/v1/conversion.go} and the internal Event, whose ReportingController
 * core/v1 spells {@code reportingComponent}.
 */
@Component
public class EventsV1Converter implements VersionConverter {
    /** events.k8s.io/v1 field name to core/v1 field name, for the fields that differ. */
    static final Map<String, String> SERVED_TO_STORED = Map.of(
            "regarding", "involvedObject",
            "note", "message",
            "reportingController", "reportingComponent",
            "deprecatedSource", "source",
            "deprecatedFirstTimestamp", "firstTimestamp",
            "deprecatedLastTimestamp", "lastTimestamp",
            "deprecatedCount", "count");

    @Override
    public ResourceType served() {
        return ResourceTypes.EVENTS_V1;
    }

    @Override
    public ResourceType stored() {
        return ResourceTypes.EVENTS;
    }

    @Override
    public ObjectNode toServed(ObjectNode stored) {
        return rename(stored, served(), true);
    }

    @Override
    public ObjectNode toStored(ObjectNode served) {
        return rename(served, stored(), false);
    }

    /** A copy with apiVersion and kind of {@code to} and the differing fields renamed, field order kept. */
    private static ObjectNode rename(ObjectNode in, ResourceType to, boolean toServed) {
        ObjectNode out = in.objectNode();
        out.put("apiVersion", to.apiVersion());
        out.put("kind", to.kind());
        for (Map.Entry<String, JsonNode> e : in.properties()) {
            String name = e.getKey();
            if (name.equals("apiVersion") || name.equals("kind")) {
                continue;
            }
            out.set(toServed ? storedToServed(name) : SERVED_TO_STORED.getOrDefault(name, name), e.getValue().deepCopy());
        }
        return out;
    }

    private static String storedToServed(String name) {
        for (Map.Entry<String, String> e : SERVED_TO_STORED.entrySet()) {
            if (e.getValue().equals(name)) {
                return e.getKey();
            }
        }
        return name;
    }
}
