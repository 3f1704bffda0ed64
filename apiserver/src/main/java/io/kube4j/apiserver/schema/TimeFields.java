package io.kube4j.apiserver.schema;

import tools.jackson.databind.JsonNode;

import java.time.OffsetDateTime;
import java.time.format.DateTimeFormatter;
import java.time.format.DateTimeParseException;
import java.util.Map;
import java.util.Optional;
import java.util.Set;

/**
 * The timestamps of a request body checked as Kubernetes decodes them: kube4j's model keeps
 * {@code metav1.Time} and {@code metav1.MicroTime} fields as strings, so without this a
 * {@code creationTimestamp: "never"} or a Lease {@code renewTime: "yesterday"} would be stored. Kubernetes
 * refuses them while decoding with Go's words, {@code parsing time "never" as
 * "2006-01-02T15:04:05Z07:00": cannot parse "never" as "2006"} (Time.UnmarshalJSON with
 * {@code time.RFC3339}; MicroTime with {@code 2006-01-02T15:04:05.000000Z07:00}).
 *
 * <p>Which fields are times is a closed list of the Kubernetes API's Time and MicroTime field names,
 * walked along the typed model's shapes (so a ConfigMap's data key named {@code startTime} is not one).
 * Deviation: MicroTime accepts any RFC 3339 time, not only six fractional digits, because kube4j's
 * components and many clients write whole seconds.
 */
public final class TimeFields {
    static final String RFC3339 = "2006-01-02T15:04:05Z07:00";
    static final String RFC3339_MICRO = "2006-01-02T15:04:05.000000Z07:00";
    private static final Set<String> TIMES = Set.of("creationTimestamp", "deletionTimestamp", "time",
            "lastTransitionTime", "lastProbeTime", "lastHeartbeatTime", "lastUpdateTime", "startTime", "startedAt",
            "finishedAt", "completionTime", "lastScheduleTime", "lastSuccessfulTime", "firstTimestamp", "lastTimestamp",
            "lastScaleTime", "expirationTimestamp", "deprecatedFirstTimestamp", "deprecatedLastTimestamp");
    private static final Set<String> MICRO_TIMES = Set.of("renewTime", "acquireTime", "eventTime", "lastObservedTime");

    private TimeFields() {
    }

    /**
     * The first time field of {@code body} (an object of Java type {@code type}) that is not an RFC 3339
     * timestamp, as Go's decoding error text; empty when all parse.
     */
    public static Optional<String> firstError(JsonNode body, Class<?> type) {
        return walk(body, TypeModel.Shape.of(type));
    }

    private static Optional<String> walk(JsonNode node, TypeModel.Shape shape) {
        if (node == null || shape == null) {
            return Optional.empty();
        }
        switch (shape.kind()) {
            case OBJECT -> {
                if (!node.isObject()) {
                    return Optional.empty();
                }
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    TypeModel.Shape f = shape.field(e.getKey());
                    if (f == null) {
                        continue;
                    }
                    if (f.kind() == TypeModel.Kind.STRING && e.getValue().isString()) {
                        String layout = TIMES.contains(e.getKey()) ? RFC3339 : MICRO_TIMES.contains(e.getKey()) ? RFC3339_MICRO : null;
                        if (layout != null && !parses(e.getValue().asString())) {
                            return Optional.of(goMessage(e.getValue().asString(), layout));
                        }
                    } else {
                        Optional<String> inner = walk(e.getValue(), f);
                        if (inner.isPresent()) {
                            return inner;
                        }
                    }
                }
            }
            case LIST, MAP -> {
                if (shape.element() != null && shape.element().kind() != TypeModel.Kind.STRING) {
                    for (JsonNode v : node.isObject() ? node.values() : node) {
                        Optional<String> inner = walk(v, shape.element());
                        if (inner.isPresent()) {
                            return inner;
                        }
                    }
                }
            }
            default -> {
            }
        }
        return Optional.empty();
    }

    /** An RFC 3339 date-time with an offset; the empty string is a zero time, as Go's decoder allows for null. */
    static boolean parses(String s) {
        if (s.isEmpty()) {
            return true;
        }
        try {
            OffsetDateTime.parse(s, DateTimeFormatter.ISO_OFFSET_DATE_TIME);
            return true;
        } catch (DateTimeParseException e) {
            return false;
        }
    }

    /**
     * Go's {@code time.Parse} error: when the year already fails (the common case of a word), exactly
     * Go's text; otherwise the layout element cannot be told apart as cheaply, so the whole value is named.
     */
    static String goMessage(String value, String layout) {
        String cause = value.length() >= 4 && value.substring(0, 4).chars().allMatch(Character::isDigit)
                ? "cannot parse \"" + value + "\" as \"" + layout + "\""
                : "cannot parse \"" + value + "\" as \"2006\"";
        return "parsing time \"" + value + "\" as \"" + layout + "\": " + cause;
    }
}
