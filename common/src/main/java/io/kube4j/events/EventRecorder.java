package io.kube4j.events;

import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ObjectReference;
import io.kube4j.client.ApiClient;
import io.kube4j.json.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records core/v1 Events about objects (Scheduled, FailedScheduling, Pulled, SuccessfulCreate, ...).
 * Writes are asynchronous and best-effort: losing an event must never fail the work it describes.
 */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

    private final ApiClient client;
    private final String component;
    private final String host;
    private final ExecutorService writer = Executors.newVirtualThreadPerTaskExecutor();

    public EventRecorder(ApiClient client, String component, String host) {
        this.client = client;
        this.component = component;
        this.host = host;
    }

    public void normal(KubeObject about, String reason, String message) {
        record(about, "Normal", reason, message);
    }

    public void warning(KubeObject about, String reason, String message) {
        record(about, "Warning", reason, message);
    }

    public void record(KubeObject about, String type, String reason, String message) {
        Event e = build(about, type, reason, message);
        writer.submit(() -> {
            try {
                client.create(e);
            } catch (RuntimeException ex) {
                log.debug("event {} for {} not recorded: {}", reason, about.key(), ex.getMessage());
            }
        });
    }

    /** The Event as it would be written (visible for tests). */
    public Event build(KubeObject about, String type, String reason, String message) {
        Event e = new Event();
        String ns = about.metadata.namespace == null || about.metadata.namespace.isEmpty() ? "default" : about.metadata.namespace;
        e.metadata.namespace = ns;
        // Kubernetes names events <object>.<unique hex>; the suffix keeps names unique per object
        e.metadata.name = about.metadata.name + "." + Long.toHexString(System.nanoTime()) + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xfff);
        e.involvedObject = ObjectReference.to(about);
        e.reason = reason;
        e.message = message;
        e.type = type;
        e.source = new Event.EventSource();
        e.source.component = component;
        e.source.host = host;
        e.firstTimestamp = Times.now();
        e.lastTimestamp = e.firstTimestamp;
        e.count = 1;
        e.reportingComponent = component;
        e.reportingInstance = host;
        return e;
    }
}
