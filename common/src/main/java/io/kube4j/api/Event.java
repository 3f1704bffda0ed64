package io.kube4j.api;

/** An Event (core/v1): something that happened to an object, shown by kubectl describe. */
public class Event extends KubeObject {
    public ObjectReference involvedObject;
    public String reason;
    public String message;
    public EventSource source;
    public String firstTimestamp;
    public String lastTimestamp;
    public Integer count;
    public String type;
    public String eventTime;
    public String action;
    public String reportingComponent;
    public String reportingInstance;

    public Event() {
        super("v1", "Event");
    }

    /** Which component on which host reported it. */
    public static class EventSource {
        public String component;
        public String host;
    }
}
