package io.kube4j.events;

import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.ObjectReference;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Times;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import io.kube4j.json.Json;
import tools.jackson.databind.node.ObjectNode;

import java.time.Clock;
import java.util.HashMap;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * Records core/v1 Events about objects (Scheduled, FailedScheduling, Pulled, SuccessfulCreate, ...).
 * Writes are asynchronous and best-effort: losing an event must never fail the work it describes.
 * Every event goes through an {@link EventCorrelator} first, as client-go's recorder does
 * ({@code tools/record/event.go recordToSink}): identical events count up one Event, similar ones are
 * combined beyond 10, and a source's events about one object are rate limited (burst 25, then one per
 * 5 minutes). The system property {@code kube4j.events.correlate=false} keeps only the counting of identical
 * events (the behaviour before the aggregator and spam filter; for measurements).
 */
public final class EventRecorder {
    private static final Logger log = LoggerFactory.getLogger(EventRecorder.class);

    private final ApiClient client;
    private final String component;
    private final String host;
    private final Clock clock;
    private final EventCorrelator correlator;
    private final ExecutorService writer;
    private final boolean aggregateAndFilter;
    // the write in flight per event name, so that a patch never overtakes the create it counts on
    private final Map<String, CompletableFuture<Void>> writes = new HashMap<>();

    public EventRecorder(ApiClient client, String component, String host) {
        this(client, component, host, Clock.systemUTC(), !"false".equalsIgnoreCase(System.getProperty("kube4j.events.correlate", "true")));
    }

    /**
     * @param clock              the time events carry and the correlator's windows are measured on
     * @param aggregateAndFilter false turns the aggregator and the spam filter off (identical events still count up)
     */
    public EventRecorder(ApiClient client, String component, String host, Clock clock, boolean aggregateAndFilter) {
        this(client, component, host, clock, aggregateAndFilter, Executors.newVirtualThreadPerTaskExecutor());
    }

    /**
     * As {@link #EventRecorder(ApiClient, String, String, Clock, boolean)}, writing through {@code writer}: a bounded
     * executor that rejects when full gives client-go's broadcaster behaviour (a queue of 1000 events, dropped when
     * full, {@code watch.DropIfChannelFull}); an event the writer rejects is lost (logged at debug), never retried.
     * The default writer is a virtual thread per write.
     */
    public EventRecorder(ApiClient client, String component, String host, Clock clock, boolean aggregateAndFilter, ExecutorService writer) {
        this.writer = writer;
        this.client = client;
        this.component = component;
        this.host = host;
        this.clock = clock;
        this.correlator = new EventCorrelator(clock, aggregateAndFilter);
        this.aggregateAndFilter = aggregateAndFilter;
    }

    /**
     * A recorder for another {@code source.component} on the same client, host, clock and writer, with its own
     * correlator: as each Kubernetes controller makes its own recorder ({@code NewRecorder(scheme, EventSource{Component:
     * "deployment-controller"})}) on one client.
     */
    public EventRecorder forComponent(String component) {
        return component.equals(this.component) ? this : new EventRecorder(client, component, host, clock, aggregateAndFilter, writer);
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
     * does; the earlier event gone (404 on the patch) means it is created again under its name with its count,
     * as client-go's recordEvent does. Similar events are combined and spam is dropped ({@link EventCorrelator}).
     * Writes for one event name stay in order.
     */
    public void record(KubeObject about, String type, String reason, String message) {
        EventCorrelator.Result r = correlator.correlate(build(about, type, reason, message));
        if (r.skip()) {
            log.debug("event {} for {} dropped by the spam filter", reason, about.key());
            return;
        }
        Event e = r.event();
        String chain = e.metadata.namespace + "/" + e.metadata.name;
        synchronized (writes) {
            CompletableFuture<Void> previous = writes.getOrDefault(chain, CompletableFuture.completedFuture(null));
            CompletableFuture<Void> next = previous.thenRunAsync(() -> write(e, r.patch(), about), writer);
            writes.put(chain, next);
            next.whenComplete((v, ex) -> {
                if (ex != null) {
                    log.debug("event {} for {} dropped: {}", reason, about.key(), ex.toString());
                }
                synchronized (writes) {
                    writes.remove(chain, next);
                }
            });
        }
    }

    private void write(Event e, boolean patch, KubeObject about) {
        try {
            if (patch) {
                try {
                    ObjectNode body = Json.mapper().createObjectNode();
                    body.put("count", e.count);
                    body.put("lastTimestamp", e.lastTimestamp);
                    body.put("message", e.message);
                    // client-go's sink patches with a strategic merge patch of exactly these three fields (eventObserve)
                    client.patch(Event.class, e.metadata.namespace, e.metadata.name, "application/strategic-merge-patch+json", Json.write(body));
                    return;
                } catch (ApiException notPatched) {
                    if (!notPatched.isNotFound()) {
                        throw notPatched;
                    }
                    // client-go creates the event anew when the old one is gone
                }
            }
            // client-go then calls UpdateState with the server's copy for its resourceVersion; the name and count it
            // would record are the ones the correlator already holds (and a later occurrence may have moved them since)
            client.create(e);
        } catch (RuntimeException ex) {
            log.debug("event {} for {} not recorded: {}", e.reason, about.key(), ex.getMessage());
        }
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
        e.firstTimestamp = Times.format(clock.instant());
        e.lastTimestamp = e.firstTimestamp;
        e.count = 1;
        e.reportingComponent = component;
        e.reportingInstance = host;
        return e;
    }
}
