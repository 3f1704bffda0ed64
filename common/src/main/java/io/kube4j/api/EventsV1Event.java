package io.kube4j.api;

/**
 * An Event as {@code events.k8s.io/v1} serves it: the same stored object as the core/v1 {@link Event}, with
 * Kubernetes' field names of that version ({@code regarding}, {@code note}, {@code reportingController},
 * {@code deprecated*}). Kubernetes: {@code k8s.io/api/events/v1/types.go}; the apiserver converts between
 * the two ({@code pkg/apis/events/v1/conversion.go}).
 */
public class EventsV1Event extends KubeObject {
    public String eventTime;
    public EventSeries series;
    public String reportingController;
    public String reportingInstance;
    public String action;
    public String reason;
    public ObjectReference regarding;
    public ObjectReference related;
    public String note;
    public String type;
    public Event.EventSource deprecatedSource;
    public String deprecatedFirstTimestamp;
    public String deprecatedLastTimestamp;
    public Integer deprecatedCount;

    public EventsV1Event() {
        super("events.k8s.io/v1", "Event");
    }

    /** How often an event recurred: the count and when it was last seen (MicroTime). */
    public static class EventSeries {
        public int count;
        public String lastObservedTime;
    }
}
