package io.kube4j.events;

import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ObjectReference;
import io.kube4j.client.ApiClient;
import io.kube4j.json.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
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
    // client-go's EventLogger cache: the last event per key, least recently used dropped beyond 4096 (maxLruCacheEntries)
    private final Map<String, Event> seen = new LinkedHashMap<>(16, 0.75f, true) {
        @Override
        protected boolean removeEldestEntry(Map.Entry<String, Event> eldest) {
            return size() > MAX_CACHED;
        }
    };
    // the write in flight per key, so that a patch never overtakes the create it counts on
    private final Map<String, CompletableFuture<Void>> writes = new HashMap<>();
    private static final int MAX_CACHED = 4096;

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

    /**
     * Records an event. An event identical to one recorded before (same object, type, reason, message and
     * source: client-go's getEventKey) is not created again: the earlier one's {@code count} goes up by one and
     * its {@code lastTimestamp} moves, through a PATCH, as client-go's EventLogger (tools/record/events_cache.go)
     * does; the earlier event gone (or the patch refused) means a new one. Writes for one key stay in order.
     */
    public void record(KubeObject about, String type, String reason, String message) {
        Event e = build(about, type, reason, message);
        String key = key(e);
        Event toWrite;
        synchronized (seen) {
            Event last = seen.get(key);
            if (last != null) {
                e.metadata.name = last.metadata.name;
                e.firstTimestamp = last.firstTimestamp;
                e.count = last.count + 1;
            }
            seen.put(key, e);
            toWrite = e;
            CompletableFuture<Void> previous = writes.getOrDefault(key, CompletableFuture.completedFuture(null));
            CompletableFuture<Void> next = previous.thenRunAsync(() -> write(toWrite, about), writer);
            writes.put(key, next);
            next.whenComplete((v, ex) -> {
                synchronized (seen) {
                    writes.remove(key, next);
                }
            });
        }
    }

    private void write(Event e, KubeObject about) {
        try {
            if (e.count != null && e.count > 1) {
                try {
                    ObjectNode patch = Json.mapper().createObjectNode();
                    patch.put("count", e.count);
                    patch.put("lastTimestamp", e.lastTimestamp);
                    patch.put("message", e.message);
                    client.patch(Event.class, e.metadata.namespace, e.metadata.name, "application/merge-patch+json", Json.write(patch));
                    return;
                } catch (RuntimeException notPatched) {
                    // client-go creates the event anew when the old one is gone
                    e.metadata.name = newName(about);
                    e.count = 1;
                    e.firstTimestamp = e.lastTimestamp;
                }
            }
            client.create(e);
        } catch (RuntimeException ex) {
            log.debug("event {} for {} not recorded: {}", e.reason, about.key(), ex.getMessage());
        }
    }

    /** client-go's getEventKey: source, involved object, type, reason and message. */
    private static String key(Event e) {
        ObjectReference o = e.involvedObject;
        return String.join("\u0000", String.valueOf(e.source.component), String.valueOf(e.source.host), String.valueOf(o.kind),
                String.valueOf(o.namespace), String.valueOf(o.name), String.valueOf(o.fieldPath), String.valueOf(o.uid),
                String.valueOf(o.apiVersion), e.type, e.reason, e.message);
    }

    private static String newName(KubeObject about) {
        // Kubernetes names events <object>.<unique hex>; the suffix keeps names unique per object
        return about.metadata.name + "." + Long.toHexString(System.nanoTime()) + Long.toHexString(Double.doubleToLongBits(Math.random()) & 0xfff);
    }

    /** The Event as it would be written (visible for tests). */
    public Event build(KubeObject about, String type, String reason, String message) {
        Event e = new Event();
        String ns = about.metadata.namespace == null || about.metadata.namespace.isEmpty() ? "default" : about.metadata.namespace;
        e.metadata.namespace = ns;
        e.metadata.name = newName(about);
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
