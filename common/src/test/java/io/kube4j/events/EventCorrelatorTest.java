package io.kube4j.events;

import io.kube4j.api.Event;
import io.kube4j.api.ObjectReference;
import io.kube4j.api.Pod;
import io.kube4j.api.ReplicaSet;
import io.kube4j.testing.MutableClock;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.time.Instant;

import static org.assertj.core.api.Assertions.assertThat;

/** client-go's EventCorrelator (tools/record/events_cache.go): aggregator, logger and spam filter, on a moved clock. */
class EventCorrelatorTest {
    final MutableClock clock = new MutableClock(Instant.parse("2026-11-30T10:00:00Z"));

    static ReplicaSet rs() {
        ReplicaSet r = new ReplicaSet();
        r.metadata.namespace = "default";
        r.metadata.name = "web-7d9";
        r.metadata.uid = "uid-rs";
        return r;
    }

    static Pod pod(String name) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = name;
        p.metadata.uid = "uid-" + name;
        return p;
    }

    Event event(io.kube4j.api.KubeObject about, String type, String reason, String message) {
        return new EventRecorder(null, "controller-manager", "cm-1", clock, true).build(about, type, reason, message);
    }

    @Test
    void identicalEventsCountUpTheFirstOne() {
        EventCorrelator c = new EventCorrelator(clock);
        EventCorrelator.Result first = c.correlate(event(pod("a"), "Normal", "Pulled", "Container image \"busybox\" already present on machine"));
        clock.advance(Duration.ofSeconds(3));
        EventCorrelator.Result second = c.correlate(event(pod("a"), "Normal", "Pulled", "Container image \"busybox\" already present on machine"));

        assertThat(first.patch()).isFalse();
        assertThat(first.event().count).isEqualTo(1);
        assertThat(second.patch()).isTrue();
        assertThat(second.event().count).isEqualTo(2);
        assertThat(second.event().metadata.name).isEqualTo(first.event().metadata.name);
        assertThat(second.event().firstTimestamp).isEqualTo("2026-11-30T10:00:00Z");
        assertThat(second.event().lastTimestamp).isEqualTo("2026-11-30T10:00:03Z");
    }

    /** defaultAggregateMaxEvents = 10: the 10th distinct message is the first combined one; later ones count it up. */
    @Test
    void theTenthSimilarEventIsCombinedAndLaterOnesCountItUp() {
        EventCorrelator c = new EventCorrelator(clock);
        for (int i = 0; i < 9; i++) {
            EventCorrelator.Result r = c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-" + i));
            assertThat(r.skip()).isFalse();
            assertThat(r.patch()).isFalse();
            assertThat(r.event().message).isEqualTo("Created pod: web-7d9-" + i);
        }
        EventCorrelator.Result tenth = c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-9"));
        assertThat(tenth.patch()).isFalse();
        assertThat(tenth.event().message).isEqualTo("(combined from similar events): Created pod: web-7d9-9");
        assertThat(tenth.event().count).isEqualTo(1);
        assertThat(tenth.event().reason).isEqualTo("SuccessfulCreate");
        assertThat(tenth.event().involvedObject.name).isEqualTo("web-7d9");
        // named <object>.<now in nanoseconds, hex>
        assertThat(tenth.event().metadata.name).isEqualTo("web-7d9." + Long.toHexString(Instant.parse("2026-11-30T10:00:00Z").getEpochSecond() * 1_000_000_000L));

        EventCorrelator.Result eleventh = c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-10"));
        assertThat(eleventh.patch()).isTrue();
        assertThat(eleventh.event().metadata.name).isEqualTo(tenth.event().metadata.name);
        assertThat(eleventh.event().count).isEqualTo(2);
        assertThat(eleventh.event().message).isEqualTo("(combined from similar events): Created pod: web-7d9-10");
    }

    @Test
    void similarEventsSpreadOverMoreThanTenMinutesAreNotCombined() {
        EventCorrelator c = new EventCorrelator(clock);
        for (int i = 0; i < 9; i++) {
            c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-" + i));
        }
        clock.advance(Duration.ofSeconds(601));
        EventCorrelator.Result r = c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-9"));
        assertThat(r.event().message).isEqualTo("Created pod: web-7d9-9");
        // exactly 600 s after the previous one still counts as within the interval (interval > max starts afresh)
        for (int i = 10; i < 18; i++) {
            c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-" + i));
        }
        clock.advance(Duration.ofSeconds(600));
        assertThat(c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-18")).event().message)
                .startsWith("(combined from similar events): ");
    }

    @Test
    void differentReasonsTypesOrObjectsAreNotSimilar() {
        EventCorrelator c = new EventCorrelator(clock);
        for (int i = 0; i < 9; i++) {
            c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-" + i));
        }
        assertThat(c.correlate(event(rs(), "Normal", "SuccessfulDelete", "Deleted pod: web-7d9-0")).event().message).isEqualTo("Deleted pod: web-7d9-0");
        assertThat(c.correlate(event(rs(), "Warning", "SuccessfulCreate", "Created pod: web-7d9-x")).event().message).isEqualTo("Created pod: web-7d9-x");
        ReplicaSet other = rs();
        other.metadata.uid = "uid-other";
        assertThat(c.correlate(event(other, "Normal", "SuccessfulCreate", "Created pod: web-7d9-y")).event().message).isEqualTo("Created pod: web-7d9-y");
    }

    /** defaultSpamBurst 25 per source and object, refilled at defaultSpamQPS = 1/300: one more every 5 minutes. */
    @Test
    void aSourceMaySend25EventsAboutAnObjectThenOneEveryFiveMinutes() {
        EventCorrelator c = new EventCorrelator(clock);
        Pod p = pod("crashy");
        for (int i = 0; i < 25; i++) {
            assertThat(c.correlate(event(p, "Warning", "Reason" + i, "message " + i)).skip()).as("event %d", i).isFalse();
        }
        assertThat(c.correlate(event(p, "Warning", "Reason25", "message 25")).skip()).isTrue();
        // another object, or the same object from another source, has its own bucket
        assertThat(c.correlate(event(pod("other"), "Warning", "Reason25", "message 25")).skip()).isFalse();
        Event fromKubelet = event(p, "Warning", "Reason25", "message 25");
        fromKubelet.source.component = "kubelet";
        assertThat(c.correlate(fromKubelet).skip()).isFalse();

        clock.advance(Duration.ofSeconds(299));
        assertThat(c.correlate(event(p, "Warning", "Reason26", "message 26")).skip()).isTrue();
        clock.advance(Duration.ofSeconds(301));
        // 600 s after the bucket ran dry it holds two tokens (a refused event takes none)
        assertThat(c.correlate(event(p, "Warning", "Reason27", "message 27")).skip()).isFalse();
        assertThat(c.correlate(event(p, "Warning", "Reason28", "message 28")).skip()).isFalse();
        assertThat(c.correlate(event(p, "Warning", "Reason29", "message 29")).skip()).isTrue();
    }

    @Test
    void theSpamKeyIgnoresTheFieldPathAndTheEventKeyDoesNot() {
        Event a = event(pod("a"), "Normal", "Started", "Started container app");
        Event b = event(pod("a"), "Normal", "Started", "Started container app");
        b.involvedObject = copyWithFieldPath(a.involvedObject, "spec.containers{app}");
        assertThat(EventCorrelator.spamKey(a)).isEqualTo(EventCorrelator.spamKey(b));
        assertThat(EventCorrelator.eventKey(a)).isNotEqualTo(EventCorrelator.eventKey(b));
        assertThat(EventCorrelator.aggregateKey(a)).isEqualTo(EventCorrelator.aggregateKey(b));
    }

    @Test
    void withoutAggregationAndFilterOnlyIdenticalEventsCount() {
        EventCorrelator c = new EventCorrelator(clock, false);
        for (int i = 0; i < 40; i++) {
            EventCorrelator.Result r = c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-" + i));
            assertThat(r.skip()).isFalse();
            assertThat(r.event().message).isEqualTo("Created pod: web-7d9-" + i);
        }
        assertThat(c.correlate(event(rs(), "Normal", "SuccessfulCreate", "Created pod: web-7d9-0")).event().count).isEqualTo(2);
    }

    @Test
    void theBucketStartsFullAndNeverHoldsMoreThanTheBurst() {
        EventCorrelator.TokenBucket b = new EventCorrelator.TokenBucket(1.0, 2, clock.instant());
        assertThat(b.tryAccept(clock.instant())).isTrue();
        assertThat(b.tryAccept(clock.instant())).isTrue();
        assertThat(b.tryAccept(clock.instant())).isFalse();
        clock.advance(Duration.ofHours(1));
        assertThat(b.tryAccept(clock.instant())).isTrue();
        assertThat(b.tryAccept(clock.instant())).isTrue();
        assertThat(b.tryAccept(clock.instant())).isFalse();
    }

    private static ObjectReference copyWithFieldPath(ObjectReference o, String fieldPath) {
        ObjectReference c = new ObjectReference();
        c.kind = o.kind;
        c.namespace = o.namespace;
        c.name = o.name;
        c.uid = o.uid;
        c.apiVersion = o.apiVersion;
        c.resourceVersion = o.resourceVersion;
        c.fieldPath = fieldPath;
        return c;
    }
}
