package io.kube4j.events;

import io.kube4j.api.Event;
import io.kube4j.api.ObjectReference;
import io.kube4j.json.Times;

import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.Map;
import java.util.Set;

/**
 * client-go's {@code EventCorrelator} ({@code staging/src/k8s.io/client-go/tools/record/events_cache.go}): what an
 * event recorder does with an event before it reaches the apiserver, in client-go's order:
 * <ol>
 *   <li>the {@link #aggregate aggregator}: events that differ only in their message (same source, object, type,
 *   reason, reporting controller and instance: {@code EventAggregatorByReasonFunc}) are counted per key; from the
 *   10th distinct message within 600 s of the previous one ({@code defaultAggregateMaxEvents},
 *   {@code defaultAggregateIntervalInSeconds}) they become one event with the message
 *   {@code "(combined from similar events): " + message}, kept under the aggregate key so later ones count it up;</li>
 *   <li>the logger ({@code eventLogger.eventObserve}): an event whose key was seen before takes the earlier one's
 *   name and first timestamp and {@code count + 1}, and is written as a patch;</li>
 *   <li>the spam filter ({@code EventSourceObjectSpamFilter}): a token bucket per source and object
 *   ({@code getSpamKey}), burst 25 and refilled at 1/300 per second ({@code defaultSpamBurst}, {@code defaultSpamQPS});
 *   an event finding the bucket empty is dropped ({@link Result#skip()}).</li>
 * </ol>
 * Each cache keeps the 4096 most recently used keys ({@code maxLruCacheEntries}). Thread-safe; the clock is injected
 * (tests move it).
 */
public final class EventCorrelator {
    /** client-go's {@code maxLruCacheEntries}. */
    public static final int MAX_LRU_CACHE_ENTRIES = 4096;
    /** client-go's {@code defaultAggregateMaxEvents}: distinct messages before similar events are combined. */
    public static final int DEFAULT_AGGREGATE_MAX_EVENTS = 10;
    /** client-go's {@code defaultAggregateIntervalInSeconds}. */
    public static final Duration DEFAULT_AGGREGATE_INTERVAL = Duration.ofSeconds(600);
    /** client-go's {@code defaultSpamBurst}: events a source may send about one object at once. */
    public static final int DEFAULT_SPAM_BURST = 25;
    /** client-go's {@code defaultSpamQPS}: one more event about an object every 5 minutes. */
    public static final double DEFAULT_SPAM_QPS = 1.0 / 300.0;
    /** client-go's {@code EventAggregatorByReasonMessageFunc} prefix. */
    public static final String COMBINED_PREFIX = "(combined from similar events): ";

    /**
     * What to do with an event: {@code skip} drops it; otherwise write {@code event}, as a create when
     * {@code patch} is false, else as a patch of its {@code count}, {@code lastTimestamp} and {@code message} onto the
     * existing event of the same name.
     */
    public record Result(Event event, boolean patch, boolean skip) {
    }

    private record AggregateRecord(Set<String> localKeys, Instant lastTimestamp) {
    }

    private record EventLog(int count, String firstTimestamp, String name) {
    }

    private final Clock clock;
    private final boolean aggregateAndFilter;
    private final Map<String, AggregateRecord> aggregates = lru();
    private final Map<String, EventLog> observed = lru();
    private final Map<String, TokenBucket> spam = lru();

    /** client-go's {@code NewEventCorrelator(clock)}: aggregation, counting and the spam filter with their defaults. */
    public EventCorrelator(Clock clock) {
        this(clock, true);
    }

    /**
     * @param aggregateAndFilter false keeps only the counting of identical events (the logger) and turns the
     *                           aggregator and the spam filter off: the behaviour before them, for measurements
     */
    public EventCorrelator(Clock clock, boolean aggregateAndFilter) {
        this.clock = clock;
        this.aggregateAndFilter = aggregateAndFilter;
    }

    private static <V> Map<String, V> lru() {
        return new LinkedHashMap<>(16, 0.75f, true) {
            @Override
            protected boolean removeEldestEntry(Map.Entry<String, V> eldest) {
                return size() > MAX_LRU_CACHE_ENTRIES;
            }
        };
    }

    /**
     * client-go's {@code EventCorrelate}: aggregates, observes (counts) and filters {@code event}, which is not
     * modified. The counting state is updated even for an event the spam filter then drops, as in client-go.
     */
    public synchronized Result correlate(Event event) {
        Event candidate = event;
        String key = eventKey(event);
        if (aggregateAndFilter) {
            Aggregated a = aggregate(event);
            candidate = a.event();
            key = a.cacheKey();
        }
        Event observed = observe(candidate, key);
        if (aggregateAndFilter && filtered(observed)) {
            return new Result(null, false, true);
        }
        return new Result(observed, observed.count != null && observed.count > 1, false);
    }

    private record Aggregated(Event event, String cacheKey) {
    }

    // EventAggregator.EventAggregate
    private Aggregated aggregate(Event e) {
        Instant now = clock.instant();
        String aggregateKey = aggregateKey(e);
        String localKey = e.message == null ? "" : e.message;
        AggregateRecord record = aggregates.get(aggregateKey);
        if (record == null || Duration.between(record.lastTimestamp(), now).compareTo(DEFAULT_AGGREGATE_INTERVAL) > 0) {
            record = new AggregateRecord(new LinkedHashSet<>(), now);
        }
        record.localKeys().add(localKey);
        record = new AggregateRecord(record.localKeys(), now);
        aggregates.put(aggregateKey, record);
        if (record.localKeys().size() < DEFAULT_AGGREGATE_MAX_EVENTS) {
            return new Aggregated(e, eventKey(e));
        }
        // the set does not grow beyond the maximum (client-go pops any one)
        Iterator<String> it = record.localKeys().iterator();
        it.next();
        it.remove();
        Event combined = new Event();
        combined.metadata.namespace = e.metadata.namespace;
        combined.metadata.name = e.involvedObject.name + "." + Long.toHexString(now.getEpochSecond() * 1_000_000_000L + now.getNano());
        String ts = Times.format(now);
        combined.count = 1;
        combined.firstTimestamp = ts;
        combined.lastTimestamp = ts;
        combined.involvedObject = e.involvedObject;
        combined.message = COMBINED_PREFIX + e.message;
        combined.type = e.type;
        combined.reason = e.reason;
        combined.source = e.source;
        // client-go's copy leaves the reporting fields empty; the v1 API defaults them from source on create
        combined.reportingComponent = e.reportingComponent;
        combined.reportingInstance = e.reportingInstance;
        return new Aggregated(combined, aggregateKey);
    }

    // eventLogger.eventObserve
    private Event observe(Event e, String key) {
        Event out = copy(e);
        EventLog last = observed.get(key);
        if (last != null && last.count() > 0) {
            out.metadata.name = last.name();
            out.firstTimestamp = last.firstTimestamp();
            out.count = last.count() + 1;
        }
        observed.put(key, new EventLog(out.count == null ? 1 : out.count, out.firstTimestamp, out.metadata.name));
        return out;
    }

    // EventSourceObjectSpamFilter.Filter: true drops the event
    private boolean filtered(Event e) {
        TokenBucket bucket = spam.computeIfAbsent(spamKey(e), k -> new TokenBucket(DEFAULT_SPAM_QPS, DEFAULT_SPAM_BURST, clock.instant()));
        return !bucket.tryAccept(clock.instant());
    }

    /** client-go's {@code getEventKey}: source, involved object (with fieldPath), type, reason and message. */
    static String eventKey(Event e) {
        ObjectReference o = e.involvedObject;
        return join(source(e).component, source(e).host, o.kind, o.namespace, o.name, o.fieldPath, o.uid, o.apiVersion,
                e.type, e.reason, e.message);
    }

    /** client-go's {@code getSpamKey}: source and involved object (without fieldPath). */
    static String spamKey(Event e) {
        ObjectReference o = e.involvedObject;
        return join(source(e).component, source(e).host, o.kind, o.namespace, o.name, o.uid, o.apiVersion);
    }

    /** client-go's {@code EventAggregatorByReasonFunc} aggregate key: {@link #spamKey}'s fields, type, reason, reporter. */
    static String aggregateKey(Event e) {
        ObjectReference o = e.involvedObject;
        return join(source(e).component, source(e).host, o.kind, o.namespace, o.name, o.uid, o.apiVersion,
                e.type, e.reason, e.reportingComponent, e.reportingInstance);
    }

    private static Event.EventSource source(Event e) {
        return e.source == null ? new Event.EventSource() : e.source;
    }

    // client-go joins with "" (fields run together); a separator keeps ("ab","c") and ("a","bc") apart
    private static String join(String... parts) {
        StringBuilder b = new StringBuilder();
        for (String p : parts) {
            b.append(p == null ? "" : p).append('\u0000');
        }
        return b.toString();
    }

    private static Event copy(Event e) {
        Event c = new Event();
        c.metadata.namespace = e.metadata.namespace;
        c.metadata.name = e.metadata.name;
        c.involvedObject = e.involvedObject;
        c.reason = e.reason;
        c.message = e.message;
        c.source = e.source;
        c.firstTimestamp = e.firstTimestamp;
        c.lastTimestamp = e.lastTimestamp;
        c.count = e.count;
        c.type = e.type;
        c.eventTime = e.eventTime;
        c.action = e.action;
        c.reportingComponent = e.reportingComponent;
        c.reportingInstance = e.reportingInstance;
        return c;
    }

    /**
     * client-go's {@code NewTokenBucketRateLimiterWithClock} as the spam filter uses it ({@code TryAccept}): starts
     * full with {@code burst} tokens, refills continuously at {@code qps} per second up to {@code burst}.
     */
    static final class TokenBucket {
        private final double qps;
        private final int burst;
        private double tokens;
        private Instant last;

        TokenBucket(double qps, int burst, Instant now) {
            this.qps = qps;
            this.burst = burst;
            this.tokens = burst;
            this.last = now;
        }

        boolean tryAccept(Instant now) {
            if (now.isAfter(last)) {
                double elapsed = Duration.between(last, now).toNanos() / 1e9;
                tokens = Math.min(burst, tokens + elapsed * qps);
                last = now;
            }
            if (tokens >= 1) {
                tokens -= 1;
                return true;
            }
            return false;
        }
    }
}
