package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.storage.Storage;
import io.kube4j.apiserver.storage.StorageException;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.springframework.boot.context.properties.bind.Binder;
import org.springframework.core.env.MapPropertySource;
import org.springframework.core.env.StandardEnvironment;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.function.BooleanSupplier;

import static io.kube4j.apiserver.watch.WatchCacheState.CLOSED;
import static io.kube4j.apiserver.watch.WatchCacheState.LOADING;
import static io.kube4j.apiserver.watch.WatchCacheState.RECONNECTING;
import static io.kube4j.apiserver.watch.WatchCacheState.RELOADING;
import static io.kube4j.apiserver.watch.WatchCacheState.SYNCED;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The watch cache's state machine on {@link MemoryStorage} with faults: broken watches, etcd down, a
 * partition during which history is compacted, floods of watch errors, a full hand-over queue, a stalled
 * cache thread, an OutOfMemoryError. The property every test comes back to: what a watcher gets equals
 * the storage's history, or it gets 410 and re-lists to the storage's state.
 */
class WatchCacheTest {
    private static final String ROOT = "/registry/";

    final SimpleMeterRegistry meters = new SimpleMeterRegistry();
    final MemoryStorage etcd = new MemoryStorage();
    final PartitionedStorage link = new PartitionedStorage(etcd);
    WatchCache cache;

    @AfterEach
    void tearDown() {
        if (cache != null) {
            cache.close();
        }
    }

    static ApiServerProperties props(String... keyValues) {
        Map<String, Object> m = new HashMap<>();
        for (int i = 0; i < keyValues.length; i += 2) {
            m.put(keyValues[i], keyValues[i + 1]);
        }
        StandardEnvironment env = new StandardEnvironment();
        env.getPropertySources().addFirst(new MapPropertySource("test", m));
        return Binder.get(env).bindOrCreate("kube4j", ApiServerProperties.class);
    }

    WatchCache start(ApiServerProperties props, int queueCapacity) {
        cache = new WatchCache(link, props, meters, queueCapacity);
        cache.start();
        return cache;
    }

    WatchCache startSynced() {
        start(props(), WatchCache.DEFAULT_QUEUE_CAPACITY);
        await("SYNCED", () -> cache.state() == SYNCED);
        return cache;
    }

    static byte[] object(String name, int value) {
        return ("{\"apiVersion\":\"v1\",\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"" + name + "\"},\"data\":{\"v\":\"" + value + "\"}}")
                .getBytes(StandardCharsets.UTF_8);
    }

    static String key(String name) {
        return "/registry/configmaps/default/" + name;
    }

    static void await(String what, BooleanSupplier condition) {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (!condition.getAsBoolean()) {
            if (System.nanoTime() > deadline) {
                throw new AssertionError("timed out waiting for " + what);
            }
            try {
                Thread.sleep(5);
            } catch (InterruptedException e) {
                throw new AssertionError(e);
            }
        }
    }

    void awaitCaughtUp() {
        await("SYNCED at the storage's head", () -> cache.state() == SYNCED && cache.revision() == etcd.currentRevision());
    }

    double counter(String name, String... tags) {
        Counter c = meters.find(name).tags(tags).counter();
        return c == null ? 0 : c.count();
    }

    double moves(WatchCacheState from, WatchCacheState to) {
        return counter("apiserver_watch_cache_transitions_total", "from", from.name(), "to", to.name());
    }

    double initializations() {
        return counter("apiserver_watch_cache_initializations_total");
    }

    /** The cache holds exactly the storage's keys, each at the storage's modRevision. */
    void assertCacheEqualsStorage() {
        Map<String, Long> want = new TreeMap<>();
        for (Storage.Stored s : etcd.range(ROOT, null, 0, 0).items()) {
            want.put(s.key(), s.modRevision());
        }
        Map<String, Long> got = new TreeMap<>();
        cache.objectsForTests().forEach((k, o) -> got.put(k, Long.parseLong(o.path("metadata").path("resourceVersion").asString())));
        assertThat(got).isEqualTo(want);
    }

    /** What a watcher of everything must see after {@code after}: the storage's history as watch events. */
    List<String> historyAsWatchEvents(long after) {
        Map<String, Boolean> exists = new HashMap<>();
        for (Storage.Stored s : etcd.range(ROOT, null, after, 0).items()) {
            exists.put(s.key(), true);
        }
        List<String> out = new ArrayList<>();
        for (Storage.Event e : etcd.historyAfter(ROOT, after)) {
            String type = e.isDelete() ? "DELETED" : exists.containsKey(e.key()) ? "MODIFIED" : "ADDED";
            if (e.isDelete()) {
                exists.remove(e.key());
            } else {
                exists.put(e.key(), true);
            }
            out.add(type + " " + e.key() + " " + e.modRevision());
        }
        return out;
    }

    /** Everything a watcher of everything gets after {@code from}, as long-poll batches, up to the cache's revision. */
    List<String> watchAll(long from) {
        List<String> out = new ArrayList<>();
        long at = from;
        while (at < cache.revision()) {
            WatchCache.Batch b = cache.eventsAfter(ROOT, o -> true, at, 7, Duration.ofMillis(50));
            for (WatchCache.WatchEventOut e : b.events()) {
                out.add(e.type() + " " + ROOT + "configmaps/default/" + e.object().path("metadata").path("name").asString() + " " + e.revision());
            }
            at = b.revision();
        }
        return out;
    }

    // ------------------------------------------------------------------ the state machine itself

    @Test
    void onlyTheDocumentedMovesAreAllowed() {
        Map<WatchCacheState, Set<WatchCacheState>> allowed = new LinkedHashMap<>();
        allowed.put(LOADING, EnumSet.of(SYNCED, RECONNECTING, CLOSED));
        allowed.put(SYNCED, EnumSet.of(RECONNECTING, CLOSED));
        allowed.put(RECONNECTING, EnumSet.of(SYNCED, RELOADING, CLOSED));
        allowed.put(RELOADING, EnumSet.of(SYNCED, RECONNECTING, CLOSED));
        allowed.put(CLOSED, EnumSet.noneOf(WatchCacheState.class));
        for (WatchCacheState from : WatchCacheState.values()) {
            for (WatchCacheState to : WatchCacheState.values()) {
                assertThat(from.canMoveTo(to)).as(from + " -> " + to).isEqualTo(allowed.get(from).contains(to));
            }
        }
        // in particular: a broken watch never goes straight to a reload, it first tries to resume
        assertThat(SYNCED.canMoveTo(RELOADING)).isFalse();
    }

    @Test
    void loadsThenFollowsTheWatchAndExposesItsStateAsAGauge() {
        etcd.create(key("a"), object("a", 1));
        etcd.create(key("b"), object("b", 1));
        start(props(), WatchCache.DEFAULT_QUEUE_CAPACITY);
        await("SYNCED", () -> cache.state() == SYNCED);
        assertThat(moves(LOADING, SYNCED)).isEqualTo(1);
        assertThat(meters.find("apiserver_watch_cache_state").tag("state", "SYNCED").gauge().value()).isEqualTo(1);
        assertThat(meters.find("apiserver_watch_cache_state").tag("state", "LOADING").gauge().value()).isZero();
        long rv = cache.revision();
        long written = etcd.update(key("a"), object("a", 2), etcd.get(key("a")).orElseThrow().modRevision());
        WatchCache.Batch b = cache.eventsAfter(ROOT, o -> true, rv, 100, Duration.ofSeconds(5));
        assertThat(b.events()).extracting(WatchCache.WatchEventOut::type, WatchCache.WatchEventOut::revision)
                .containsExactly(org.assertj.core.groups.Tuple.tuple("MODIFIED", written));
        assertCacheEqualsStorage();
        assertThat(cache.livenessProblem()).isEmpty();
        cache.close();
        assertThat(cache.state()).isEqualTo(CLOSED);
        Gauge closed = meters.find("apiserver_watch_cache_state").tag("state", "CLOSED").gauge();
        assertThat(closed.value()).isEqualTo(1);
    }

    // ------------------------------------------------------------------ broken watch: resume, no reload

    @Test
    void aBrokenWatchResumesFromTheNextRevisionWithoutAReloadAndWatchersSeeExactlyTheHistory() {
        etcd.create(key("kept"), object("kept", 1));
        startSynced();
        long from = cache.revision();
        etcd.breakWatches(new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "connection reset", null));
        // written while the cache has no watch: it must get them from etcd's history, not from a reload
        for (int i = 0; i < 30; i++) {
            etcd.create(key("n" + i), object("n" + i, i));
        }
        long kept = etcd.get(key("kept")).orElseThrow().modRevision();
        etcd.update(key("kept"), object("kept", 2), kept);
        etcd.delete(key("n3"), etcd.get(key("n3")).orElseThrow().modRevision());
        awaitCaughtUp();

        assertThat(moves(SYNCED, RECONNECTING)).isEqualTo(1);
        assertThat(moves(RECONNECTING, SYNCED)).isEqualTo(1);
        assertThat(moves(RECONNECTING, RELOADING)).isZero();
        assertThat(initializations()).as("snapshots read").isEqualTo(1);
        assertThat(watchAll(from)).isEqualTo(historyAsWatchEvents(from)).hasSize(32);
        assertCacheEqualsStorage();
        assertThat(etcd.openWatches()).isEqualTo(1);
    }

    @Test
    void whileEtcdIsDownTheCacheWaitsWithBackoffAndNeverReloadsOrOpensWatches() throws Exception {
        etcd.create(key("a"), object("a", 1));
        startSynced();
        long from = cache.revision();
        int rangesBefore = etcd.rangeCalls();
        int watchesBefore = etcd.watchCalls();
        etcd.setUnavailable(true);
        await("RECONNECTING", () -> cache.state() == RECONNECTING);
        Thread.sleep(3000);
        // etcd answers nothing: no watch is even tried (the cheap revision probe fails first), nothing is read
        assertThat(etcd.watchCalls() - watchesBefore).isZero();
        assertThat(etcd.rangeCalls() - rangesBefore).isZero();
        assertThat(cache.get(key("a"))).as("the last consistent state is still served").isNotNull();
        etcd.setUnavailable(false);
        etcd.create(key("b"), object("b", 1));
        awaitCaughtUp();
        assertThat(etcd.watchCalls() - watchesBefore).isEqualTo(1);
        assertThat(initializations()).isEqualTo(1);
        assertThat(watchAll(from)).isEqualTo(historyAsWatchEvents(from)).hasSize(1);
        assertThat(etcd.openWatches()).isEqualTo(1);
    }

    @Test
    void aFloodOfWatchErrorsGivesOneReconnectNotOneReloadEach() {
        for (int i = 0; i < 10; i++) {
            etcd.create(key("o" + i), object("o" + i, i));
        }
        startSynced();
        long from = cache.revision();
        int watchesBefore = etcd.watchCalls();
        // what jetcd does while etcd flaps for 25 s: an error every 0.5 s on a watch that keeps going
        link.reportErrorsAndKeepDelivering(50);
        for (int i = 0; i < 5; i++) {
            etcd.create(key("p" + i), object("p" + i, i));
        }
        awaitCaughtUp();
        assertThat(moves(SYNCED, RECONNECTING)).isEqualTo(1);
        assertThat(etcd.watchCalls() - watchesBefore).isEqualTo(1);
        assertThat(initializations()).isEqualTo(1);
        assertThat(link.openWatches()).isEqualTo(1);
        assertThat(watchAll(from)).isEqualTo(historyAsWatchEvents(from));
        assertCacheEqualsStorage();
    }

    @Test
    void anEtcdWhoseProgressMayOvertakeEventsIsNeverAskedForProgress() throws Exception {
        link.progressInOrder = false;
        etcd.create(key("a"), object("a", 1));
        startSynced();
        long from = cache.revision();
        etcd.breakWatches(new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "reset", null));
        etcd.create(key("b"), object("b", 1));
        awaitCaughtUp();
        // a consistent read still works: every write under /registry/ reaches the cache as an event
        cache.waitUntilFresh(etcd.currentRevision(), Duration.ofSeconds(5));
        assertThat(link.progressRequests.get()).isZero();
        assertThat(watchAll(from)).isEqualTo(historyAsWatchEvents(from));
    }

    @Test
    void anEventBehindAProgressNotificationIsStillApplied() {
        startSynced();
        long at = cache.revision();
        // as etcd 3.4.23 can: progress to at+5 first, then the event at at+3
        link.deliver(List.of(), at + 5);
        link.deliver(List.of(new Storage.Event(key("late"), object("late", 1), at + 3)), at + 5);
        await("the late event applied", () -> cache.get(key("late")) != null);
        assertThat(cache.get(key("late")).path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(at + 3));
        assertThat(cache.revision()).isEqualTo(at + 5);
    }

    // ------------------------------------------------------------------ compacted: one reload, 410 for watchers behind

    @Test
    void aCompactedRevisionReloadsOnceFromOneSnapshotAndWatchersBehindItGet410() {
        for (int i = 0; i < 1200; i++) {
            etcd.create(key(String.format("o%04d", i)), object("o" + i, i));
        }
        startSynced();
        long watcherAt = cache.revision();
        ObjectNode untouched = cache.get(key("o0500"));

        link.cut();
        await("RECONNECTING", () -> cache.state() == RECONNECTING);
        // another apiserver goes on writing, and compacts, while this one is cut off
        etcd.create(key("new"), object("new", 1));
        etcd.update(key("o0001"), object("o1", 99), etcd.get(key("o0001")).orElseThrow().modRevision());
        etcd.delete(key("o0002"), etcd.get(key("o0002")).orElseThrow().modRevision());
        etcd.compact(etcd.currentRevision());
        link.heal();
        awaitCaughtUp();
        long snapshotAt = cache.revision();

        assertThat(moves(RECONNECTING, RELOADING)).isEqualTo(1);
        assertThat(moves(RELOADING, SYNCED)).isEqualTo(1);
        assertThat(initializations()).isEqualTo(2);
        assertThat(link.snapshotPages.get()).as("1200 objects in pages of 500, twice").isEqualTo(6);
        assertCacheEqualsStorage();
        // only changed objects were decoded again: an untouched one is the very same instance
        assertThat(cache.get(key("o0500"))).isSameAs(untouched);

        // the watcher behind the snapshot cannot be proven continuous: 410, as Kubernetes' "too old resource version"
        assertThatThrownBy(() -> cache.eventsAfter(ROOT, o -> true, watcherAt, 100, Duration.ZERO))
                .isInstanceOf(Expired.class)
                .hasMessage("too old resource version: " + watcherAt + " (" + snapshotAt + ")");
        // after re-listing at the snapshot's revision it continues, with nothing older than the snapshot
        long written = etcd.create(key("after"), object("after", 1));
        WatchCache.Batch b = cache.eventsAfter(ROOT, o -> true, snapshotAt, 100, Duration.ofSeconds(5));
        assertThat(b.events()).extracting(WatchCache.WatchEventOut::revision).containsExactly(written);
    }

    @Test
    void reloadsNeverRunConcurrentlyAndErrorsDuringOneDoNotStartMore() throws Exception {
        for (int i = 0; i < 1100; i++) {
            etcd.create(key(String.format("o%04d", i)), object("o" + i, i));
        }
        startSynced();
        link.cut();
        await("RECONNECTING", () -> cache.state() == RECONNECTING);
        // two writes: compacting at the second removes the first, the one the cache would resume from
        etcd.create(key("x"), object("x", 1));
        etcd.create(key("y"), object("y", 1));
        etcd.compact(etcd.currentRevision());
        CountDownLatch gate = new CountDownLatch(1);
        link.rangeGate.set(gate);
        link.heal();
        // the revision probe itself is a range: wait until the cache is in the reload's first page
        await("RELOADING", () -> cache.state() == RELOADING);
        for (int i = 0; i < 50; i++) {
            link.reportErrorsAndKeepDelivering(1);
            etcd.breakWatches(new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "reset", null));
        }
        Thread.sleep(200);
        link.rangeGate.set(null);
        gate.countDown();
        awaitCaughtUp();
        assertThat(link.maxRangesInFlight.get()).isEqualTo(1);
        assertThat(initializations()).isEqualTo(2);
        assertCacheEqualsStorage();
    }

    // ------------------------------------------------------------------ hand-over queue

    @Test
    void storageThreadsNeverWaitForTheCacheAndAFullQueueLosesNothing() throws Exception {
        etcd.create(key("a"), object("a", 1));
        start(props(), 4);
        await("SYNCED", () -> cache.state() == SYNCED);
        long from = cache.revision();
        // hold the cache's lock: its thread stalls at the first event it applies
        cache.lockForTests().lock();
        AtomicBoolean done = new AtomicBoolean();
        Thread writer = Thread.ofPlatform().start(() -> {
            for (int i = 0; i < 100; i++) {
                etcd.create(key("w" + i), object("w" + i, i));
            }
            done.set(true);
        });
        try {
            // MemoryStorage delivers on the writer's thread, as jetcd on its event loop: it must not block
            writer.join(5000);
            assertThat(done).as("100 writes delivered to the watch while the cache was stalled").isTrue();
        } finally {
            cache.lockForTests().unlock();
        }
        awaitCaughtUp();
        // each time the queue overflows the watch is dropped and resumed from the last applied revision
        // (with 4 places and a replay of one response per revision, many times)
        assertThat(moves(SYNCED, RECONNECTING)).as("the overflowing watch was dropped and resumed").isGreaterThanOrEqualTo(1);
        assertThat(moves(RECONNECTING, RELOADING)).isZero();
        assertThat(initializations()).isEqualTo(1);
        assertThat(watchAll(from)).isEqualTo(historyAsWatchEvents(from)).hasSize(100);
        assertCacheEqualsStorage();
    }

    // ------------------------------------------------------------------ liveness

    @Test
    void livenessFailsWhenTheCacheCannotLoadForTheLivenessTimeoutAndRecovers() throws Exception {
        etcd.setUnavailable(true);
        start(props("kube4j.watch-cache.liveness-timeout", "600ms"), WatchCache.DEFAULT_QUEUE_CAPACITY);
        Thread.sleep(100);
        assertThat(cache.livenessProblem()).isEmpty();
        Thread.sleep(900);
        assertThat(cache.state()).isEqualTo(LOADING);
        assertThat(cache.livenessProblem()).hasValueSatisfying(p -> assertThat(p).contains("LOADING"));
        etcd.setUnavailable(false);
        await("SYNCED", () -> cache.state() == SYNCED);
        assertThat(cache.livenessProblem()).isEmpty();
        // and the same once synced: an outage longer than the timeout fails liveness, a shorter one does not
        etcd.setUnavailable(true);
        await("RECONNECTING", () -> cache.state() == RECONNECTING);
        assertThat(cache.livenessProblem()).isEmpty();
        await("liveness failing", () -> cache.livenessProblem().isPresent());
        assertThat(cache.livenessProblem().orElseThrow()).contains("RECONNECTING");
        etcd.setUnavailable(false);
        await("SYNCED", () -> cache.state() == SYNCED);
        assertThat(cache.livenessProblem()).isEmpty();
    }

    @Test
    void livenessFailsWhenTheCacheThreadStalls() throws Exception {
        start(props("kube4j.watch-cache.liveness-timeout", "500ms"), WatchCache.DEFAULT_QUEUE_CAPACITY);
        await("SYNCED", () -> cache.state() == SYNCED);
        cache.lockForTests().lock();
        try {
            etcd.create(key("a"), object("a", 1));
            Thread.sleep(1200);
            assertThat(cache.livenessProblem()).hasValueSatisfying(p -> assertThat(p).contains("has not run"));
        } finally {
            cache.lockForTests().unlock();
        }
        await("live again", () -> cache.livenessProblem().isEmpty());
    }

    @Test
    void anOutOfMemoryErrorInTheCacheFailsLiveness() {
        link.rangeError.set(new OutOfMemoryError("Java heap space"));
        start(props(), WatchCache.DEFAULT_QUEUE_CAPACITY);
        await("liveness failing", () -> cache.livenessProblem().isPresent());
        assertThat(cache.livenessProblem().orElseThrow()).contains("OutOfMemoryError").contains("Java heap space");
    }

    // ------------------------------------------------------------------ everything at once

    /** One watcher's record: segments, each a list at some revision followed by the events it got. */
    static final class Recorder {
        record Segment(long listedAt, Map<String, Long> listed, List<String> events, AtomicLong upTo) {
        }

        final List<Segment> segments = new ArrayList<>();
        int expired;
    }

    @Test
    void underRandomFaultsEveryWatcherSeesTheHistoryOrGets410AndReListsToTheTruth() throws Exception {
        Random random = new Random(42);
        startSynced();
        AtomicBoolean stop = new AtomicBoolean();
        AtomicBoolean writerStop = new AtomicBoolean();
        // ground truth: the single writer's changes, in revision order
        List<String[]> truth = java.util.Collections.synchronizedList(new ArrayList<>());
        long start = etcd.currentRevision();
        Thread writer = Thread.ofPlatform().start(() -> {
            Random r = new Random(7);
            Map<String, Long> live = new HashMap<>();
            for (int i = 0; i < 50_000 && !writerStop.get(); i++) {
                String name = "k" + r.nextInt(60);
                String k = key(name);
                Long at = live.get(k);
                long rev;
                String type;
                if (at == null) {
                    rev = etcd.create(k, object(name, i));
                    type = "ADDED";
                    live.put(k, rev);
                } else if (r.nextInt(4) == 0) {
                    rev = etcd.delete(k, at);
                    type = "DELETED";
                    live.remove(k);
                } else {
                    rev = etcd.update(k, object(name, i), at);
                    type = "MODIFIED";
                    live.put(k, rev);
                }
                truth.add(new String[]{type, k, Long.toString(rev)});
                if (i % 10 == 0) {
                    try {
                        Thread.sleep(1);
                    } catch (InterruptedException e) {
                        return;
                    }
                }
            }
        });
        List<Recorder> recorders = List.of(new Recorder(), new Recorder());
        List<Thread> watchers = new ArrayList<>();
        for (Recorder rec : recorders) {
            watchers.add(Thread.ofPlatform().start(() -> follow(rec, stop)));
        }
        int faults = 0;
        for (; faults < 40; faults++) {
            Thread.sleep(30 + random.nextInt(60));
            switch (random.nextInt(4)) {
                case 0 -> etcd.breakWatches(new StorageException(StorageException.Kind.UNAVAILABLE, ROOT, "reset", null));
                case 1 -> link.reportErrorsAndKeepDelivering(1 + random.nextInt(5));
                case 2 -> {
                    link.cut();
                    Thread.sleep(random.nextInt(100));
                    long head = etcd.currentRevision();
                    if (random.nextBoolean() && head > etcd.compactedRevision()) {
                        etcd.compact(head);
                    }
                    link.heal();
                }
                default -> {
                    link.cut();
                    Thread.sleep(random.nextInt(50));
                    link.heal();
                }
            }
        }
        writerStop.set(true);
        writer.join(10_000);
        awaitCaughtUp();
        long head = etcd.currentRevision();
        await("watchers at the head", () -> recorders.stream().allMatch(r -> !r.segments.isEmpty() && last(r).upTo().get() >= head));
        stop.set(true);
        for (Thread t : watchers) {
            t.join(10_000);
        }
        assertCacheEqualsStorage();

        int events = 0;
        int expired = 0;
        for (Recorder rec : recorders) {
            expired += rec.expired;
            long previous = 0;
            for (Recorder.Segment s : rec.segments) {
                assertThat(s.listedAt()).as("a re-list never goes back in time").isGreaterThanOrEqualTo(previous);
                assertThat(s.listed()).as("list at " + s.listedAt()).isEqualTo(truthStateAt(truth, s.listedAt()));
                assertThat(s.events()).as("events after " + s.listedAt()).isEqualTo(truthEvents(truth, s.listedAt(), s.upTo().get()));
                previous = s.upTo().get();
                events += s.events().size();
            }
        }
        System.out.printf("chaos: %d writes from revision %d to %d, %d faults, %d reloads, %d watcher events checked, %d times 410%n",
                truth.size(), start, head, faults, (int) initializations() - 1, events, expired);
        assertThat(truth.size()).as("writes during the faults").isGreaterThan(500);
    }

    private static Recorder.Segment last(Recorder r) {
        synchronized (r) {
            return r.segments.get(r.segments.size() - 1);
        }
    }

    /** A long-poll client: list, then watch from the list's revision; on 410 list again. */
    private void follow(Recorder rec, AtomicBoolean stop) {
        while (!stop.get()) {
            WatchCache.Snapshot snap = cache.snapshot(ROOT + "configmaps/", o -> true);
            Map<String, Long> listed = new TreeMap<>();
            for (ObjectNode o : snap.items()) {
                listed.put(key(o.path("metadata").path("name").asString()), Long.parseLong(o.path("metadata").path("resourceVersion").asString()));
            }
            Recorder.Segment seg = new Recorder.Segment(snap.revision(), listed, java.util.Collections.synchronizedList(new ArrayList<>()), new AtomicLong(snap.revision()));
            synchronized (rec) {
                rec.segments.add(seg);
            }
            long at = snap.revision();
            try {
                while (!stop.get()) {
                    WatchCache.Batch b = cache.eventsAfter(ROOT + "configmaps/", o -> true, at, 50, Duration.ofMillis(100));
                    for (WatchCache.WatchEventOut e : b.events()) {
                        seg.events().add(e.type() + " " + key(e.object().path("metadata").path("name").asString()) + " " + e.revision());
                    }
                    at = b.revision();
                    seg.upTo().set(at);
                }
            } catch (Expired e) {
                rec.expired++;
            }
        }
    }

    /** The writer's objects as of {@code rev}: key → modRevision. */
    private static Map<String, Long> truthStateAt(List<String[]> truth, long rev) {
        Map<String, Long> state = new TreeMap<>();
        synchronized (truth) {
            for (String[] t : truth) {
                long r = Long.parseLong(t[2]);
                if (r > rev) {
                    break;
                }
                if (t[0].equals("DELETED")) {
                    state.remove(t[1]);
                } else {
                    state.put(t[1], r);
                }
            }
        }
        return state;
    }

    private static List<String> truthEvents(List<String[]> truth, long after, long upTo) {
        List<String> out = new ArrayList<>();
        synchronized (truth) {
            for (String[] t : truth) {
                long r = Long.parseLong(t[2]);
                if (r > after && r <= upTo) {
                    out.add(t[0] + " " + t[1] + " " + r);
                }
            }
        }
        return out;
    }
}
