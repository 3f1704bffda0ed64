package io.kube4j.apiserver.watch;

import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import static io.kube4j.apiserver.watch.WatchCacheState.SYNCED;
import static io.kube4j.apiserver.watch.WatchCacheTest.await;
import static io.kube4j.apiserver.watch.WatchCacheTest.props;
import static org.assertj.core.api.Assertions.assertThat;

/**
 * Watch fan-out: each event's object is encoded once and shared by every watcher (Kubernetes'
 * cachingObject), and a waiting watcher is woken only by events of its prefix and, for a kubelet's
 * {@code spec.nodeName} selector, of its node (Kubernetes' watcher triggers), with 410 and timeouts as before.
 */
class WatchFanOutTest {
    private static final String PODS = "/registry/pods/";
    final MemoryStorage etcd = new MemoryStorage();
    WatchCache cache;

    @AfterEach
    void tearDown() {
        if (cache != null) {
            cache.close();
        }
    }

    void startSynced(String... properties) {
        cache = new WatchCache(etcd, props(properties), new SimpleMeterRegistry());
        cache.start();
        await("SYNCED", () -> cache.state() == SYNCED);
    }

    static byte[] pod(String name, String node) {
        return ("{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"" + name + "\",\"namespace\":\"default\",\"labels\":{\"app\":\"web\"}},"
                + "\"spec\":{\"nodeName\":\"" + node + "\"}}").getBytes(StandardCharsets.UTF_8);
    }

    static String key(String ns, String name) {
        return PODS + ns + "/" + name;
    }

    static Predicate<ObjectNode> onNode(String node) {
        return o -> node.equals(o.path("spec").path("nodeName").asString(""));
    }

    void awaitAt(long rev) {
        await("cache at " + rev, () -> cache.revision() >= rev);
    }

    /** A kubelet-like long-poll on another thread; returns once it waits in the cache. */
    CompletableFuture<WatchCache.Batch> waitingWatcher(String prefix, String node, long from, Duration timeout) {
        int before = cache.waitingForTests();
        CompletableFuture<WatchCache.Batch> f = CompletableFuture.supplyAsync(
                () -> cache.eventsAfter(prefix, onNode(node), node, from, 100, timeout), r -> Thread.ofPlatform().start(r));
        await("the watcher waits", () -> cache.waitingForTests() > before);
        return f;
    }

    @Test
    void eachEventIsEncodedOnceAndSharedByEveryWatcher() {
        startSynced();
        long from = cache.revision();
        long rev = etcd.create(key("default", "a"), pod("a", "n1"));
        awaitAt(rev);
        WatchCache.WatchEventOut all = cache.eventsAfter(PODS, o -> true, from, 100, Duration.ZERO).events().getFirst();
        WatchCache.WatchEventOut kubelet = cache.eventsAfter(PODS, onNode("n1"), "n1", from, 100, Duration.ZERO).events().getFirst();
        WatchCache.WatchEventOut labelled = cache.eventsAfter(PODS + "default/", o -> o.path("metadata").path("labels").has("app"), from, 100, Duration.ZERO)
                .events().getFirst();
        assertThat(kubelet.encoded()).isSameAs(all.encoded()).isSameAs(labelled.encoded());
        byte[] bytes = all.encoded().json();
        assertThat(kubelet.encoded().json()).as("encoded once, the same array for every watcher").isSameAs(bytes);
        assertThat(new String(bytes, StandardCharsets.UTF_8)).isEqualTo(new String(Json.writeBytes(all.object()), StandardCharsets.UTF_8))
                .contains("\"resourceVersion\":\"" + rev + "\"");
    }

    @Test
    void anEventLeavingTheRecentWindowKeepsOnlyItsBytesAndAResumingWatcherStillGetsIt() {
        startSynced();
        long from = cache.revision();
        long created = etcd.create(key("default", "p0"), pod("p0", "n1"));
        // moved to another node: for a kubelet of n1 a DELETED, which needs the previous object
        long moved = etcd.update(key("default", "p0"), pod("p0", "n2"), created);
        awaitAt(moved);
        WatchCache.WatchEventOut first = cache.eventsAfter(PODS, o -> true, from, 1, Duration.ZERO).events().getFirst();
        CachingObject encoded = first.encoded();
        byte[] bytes = encoded.json();
        assertThat(encoded.tree()).as("a recent event holds its decoded object").isNotNull();
        long last = 0;
        for (int i = 1; i <= WatchCache.ENCODED_EVENTS; i++) {
            last = etcd.create(key("default", "p" + i), pod("p" + i, "n1"));
        }
        awaitAt(last);
        assertThat(encoded.compacted()).as("only bytes after " + WatchCache.ENCODED_EVENTS + " newer events").isTrue();
        assertThat(encoded.tree()).isNull();
        assertThat(encoded.json()).as("the bytes kept are the ones watchers shared").isSameAs(bytes);
        // a watcher resuming from before both events gets what it would have got while they were recent
        WatchCache.Batch all = cache.eventsAfter(PODS, o -> true, from, 2, Duration.ZERO);
        assertThat(all.events()).extracting(WatchCache.WatchEventOut::type).containsExactly("ADDED", "MODIFIED");
        assertThat(all.events().getFirst().encoded()).isSameAs(encoded);
        assertThat(Json.writeBytes(all.events().getFirst().object())).isEqualTo(bytes);
        assertThat(all.events().get(1).object().path("spec").path("nodeName").asString()).isEqualTo("n2");
        WatchCache.Batch kubelet = cache.eventsAfter(PODS, onNode("n1"), "n1", from, 2, Duration.ZERO);
        assertThat(kubelet.events()).extracting(WatchCache.WatchEventOut::type).containsExactly("ADDED", "DELETED");
        ObjectNode gone = kubelet.events().get(1).object();
        assertThat(gone.path("spec").path("nodeName").asString()).as("the previous object, decoded from its bytes").isEqualTo("n1");
        assertThat(gone.path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(moved));
    }

    @Test
    void aKubeletResumingFromFarBackDecodesOnlyItsOwnNodesCompactedEvents() {
        startSynced();
        long from = cache.revision();
        long mine = etcd.create(key("default", "mine"), pod("mine", "n1"));
        long other = etcd.create(key("default", "other"), pod("other", "n2"));
        long last = 0;
        for (int i = 0; i < WatchCache.ENCODED_EVENTS; i++) {
            last = etcd.create(key("default", "f" + i), pod("f" + i, "n3"));
        }
        awaitAt(last);
        List<WatchCache.WatchEventOut> all = cache.eventsAfter(PODS, o -> true, from, 2, Duration.ZERO).events();
        CachingObject mineEncoded = all.get(0).encoded();
        CachingObject otherEncoded = all.get(1).encoded();
        // still current, so kept as trees: replaced, they become history and are compacted
        long mine2 = etcd.update(key("default", "mine"), pod("mine", "n1"), mine);
        etcd.update(key("default", "other"), pod("other", "n2"), other);
        for (int i = 0; i < WatchCache.ENCODED_EVENTS; i++) {
            last = etcd.create(key("default", "g" + i), pod("g" + i, "n3"));
        }
        awaitAt(last);
        assertThat(mineEncoded.compacted()).isTrue();
        assertThat(otherEncoded.compacted()).isTrue();
        WatchCache.Batch kubelet = cache.eventsAfter(PODS, onNode("n1"), "n1", from, 100, Duration.ZERO);
        assertThat(kubelet.events()).extracting(WatchCache.WatchEventOut::type).containsExactly("ADDED", "MODIFIED");
        assertThat(kubelet.events()).extracting(WatchCache.WatchEventOut::revision).containsExactly(mine, mine2);
        assertThat(mineEncoded.decodedAgain()).as("its own node's old event is decoded to be filtered").isTrue();
        assertThat(otherEncoded.decodedAgain()).as("another node's old event is skipped by its trigger").isFalse();
    }

    @Test
    void theHistoryIsBoundedByBytesBeyondTheRecentWindow() {
        // one pod updated over and over: every version but the current one is held by the history alone.
        // About 170 bytes a version: 30 KB hold ~180 compacted versions besides the recent window
        startSynced("kube4j.watch-cache.capacity-bytes", "30KB");
        long from = cache.revision();
        long last = etcd.create(key("default", "b"), pod("b", "n0"));
        for (int i = 1; i <= WatchCache.ENCODED_EVENTS + 1000; i++) {
            last = etcd.update(key("default", "b"), pod("b", "n" + i), last);
        }
        awaitAt(last);
        try {
            cache.eventsAfter(PODS, o -> true, from, 1, Duration.ZERO);
            throw new AssertionError("expected 410: the oldest events were dropped for their bytes");
        } catch (Expired e) {
            assertThat(e.getMessage()).startsWith("too old resource version: " + from);
        }
        // the count bound (20,000) alone would have kept all of them
        WatchCache.Batch kept = cache.eventsAfter(PODS, o -> true, last - WatchCache.ENCODED_EVENTS - 100, 100_000, Duration.ZERO);
        assertThat(kept.events()).as("the recent window and 100 compacted versions are still served").hasSize(WatchCache.ENCODED_EVENTS + 100);
        assertThat(kept.events().getFirst().object().path("spec").path("nodeName").asString())
                .isEqualTo("n" + (WatchCache.ENCODED_EVENTS + 1000 - WatchCache.ENCODED_EVENTS - 99));
    }

    @Test
    void aKubeletsWatcherIsWokenOnlyByPodsOnItsNode() throws Exception {
        startSynced();
        long from = cache.revision();
        CompletableFuture<WatchCache.Batch> kubelet = waitingWatcher(PODS, "n1", from, Duration.ofSeconds(20));
        long woken = cache.wakeupsForTests();
        long rev = 0;
        for (int i = 0; i < 20; i++) {
            rev = etcd.create(key("default", "other" + i), pod("other" + i, "n2"));
        }
        rev = etcd.create("/registry/configmaps/default/c", "{\"kind\":\"ConfigMap\",\"metadata\":{\"name\":\"c\"}}".getBytes(StandardCharsets.UTF_8));
        awaitAt(rev);
        assertThat(cache.wakeupsForTests()).as("no wake-up for other nodes' pods or other kinds").isEqualTo(woken);
        assertThat(kubelet).isNotDone();
        long mine = etcd.create(key("default", "mine"), pod("mine", "n1"));
        WatchCache.Batch batch = kubelet.get(5, TimeUnit.SECONDS);
        assertThat(batch.events()).extracting(WatchCache.WatchEventOut::type, e -> e.object().path("metadata").path("name").asString())
                .containsExactly(org.assertj.core.groups.Tuple.tuple("ADDED", "mine"));
        assertThat(batch.revision()).isEqualTo(mine);
        assertThat(cache.wakeupsForTests()).isEqualTo(woken + 1);
    }

    @Test
    void aNamespacedWatcherIsNotWokenByOtherNamespaces() throws Exception {
        startSynced();
        long from = cache.revision();
        CompletableFuture<WatchCache.Batch> w = CompletableFuture.supplyAsync(
                () -> cache.eventsAfter(PODS + "ns1/", o -> true, from, 100, Duration.ofSeconds(20)), r -> Thread.ofPlatform().start(r));
        await("the watcher waits", () -> cache.waitingForTests() == 1);
        long woken = cache.wakeupsForTests();
        long rev = etcd.create(key("ns2", "a"), pod("a", "n1"));
        awaitAt(rev);
        assertThat(cache.wakeupsForTests()).isEqualTo(woken);
        long mine = etcd.create(key("ns1", "b"), pod("b", "n1"));
        assertThat(w.get(5, TimeUnit.SECONDS).events()).extracting(WatchCache.WatchEventOut::revision).containsExactly(mine);
    }

    @Test
    void aPodThatStopsMatchingIsDeletedWithItsPreviousObjectAtTheEventsResourceVersion() throws Exception {
        startSynced();
        long created = etcd.create(key("default", "p"), pod("p", "n1"));
        awaitAt(created);
        CompletableFuture<WatchCache.Batch> kubelet = waitingWatcher(PODS, "n1", created, Duration.ofSeconds(20));
        // the trigger of the object before the change wakes n1's watcher
        long moved = etcd.update(key("default", "p"), pod("p", "n2"), created);
        WatchCache.Batch batch = kubelet.get(5, TimeUnit.SECONDS);
        assertThat(batch.events()).hasSize(1);
        WatchCache.WatchEventOut e = batch.events().getFirst();
        assertThat(e.type()).isEqualTo("DELETED");
        // Kubernetes' cacheWatcher.convertToWatchEvent: the previous object, with the event's resourceVersion
        assertThat(e.object().path("spec").path("nodeName").asString()).isEqualTo("n1");
        assertThat(e.object().path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(moved));
        // the cached previous object is not touched
        assertThat(cache.eventsAfter(PODS, onNode("n2"), "n2", created, 100, Duration.ZERO).events().getFirst().object()
                .path("spec").path("nodeName").asString()).isEqualTo("n2");
    }

    @Test
    void aWatcherNobodyWokeReturnsEmptyAtItsTimeoutWithTheNewestRevision() throws Exception {
        startSynced();
        long from = cache.revision();
        CompletableFuture<WatchCache.Batch> kubelet = waitingWatcher(PODS, "n1", from, Duration.ofMillis(800));
        long rev = etcd.create(key("default", "x"), pod("x", "n2"));
        awaitAt(rev);
        WatchCache.Batch batch = kubelet.get(5, TimeUnit.SECONDS);
        assertThat(batch.events()).isEmpty();
        assertThat(batch.revision()).isEqualTo(rev);
    }

    @Test
    void aWaitingWatcherTheBufferMovesPastGets410AtOnce() throws Exception {
        startSynced("kube4j.watch-cache.capacity", "5");
        long from = cache.revision();
        CompletableFuture<WatchCache.Batch> kubelet = waitingWatcher(PODS, "n1", from, Duration.ofSeconds(60));
        long started = System.nanoTime();
        for (int i = 0; i < 10; i++) {
            etcd.create(key("default", "y" + i), pod("y" + i, "n2"));
        }
        try {
            kubelet.get(10, TimeUnit.SECONDS);
            throw new AssertionError("expected 410");
        } catch (ExecutionException e) {
            assertThat(e.getCause()).isInstanceOf(Expired.class).hasMessageStartingWith("too old resource version: " + from);
        }
        assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(10));
    }

    @Test
    void withoutTheIndexEveryWatcherStillGetsItsEvents() throws Exception {
        startSynced("kube4j.watch-cache.watcher-index", "false");
        long from = cache.revision();
        CompletableFuture<WatchCache.Batch> kubelet = CompletableFuture.supplyAsync(
                () -> cache.eventsAfter(PODS, onNode("n1"), "n1", from, 100, Duration.ofSeconds(20)), r -> Thread.ofPlatform().start(r));
        etcd.create(key("default", "o"), pod("o", "n2"));
        long mine = etcd.create(key("default", "m"), pod("m", "n1"));
        assertThat(kubelet.get(5, TimeUnit.SECONDS).events()).extracting(WatchCache.WatchEventOut::revision).containsExactly(mine);
        assertThat(cache.wakeupsForTests()).as("no index in use").isZero();
    }

    @Test
    void closeWakesEveryWaitingWatcher() throws Exception {
        startSynced();
        CompletableFuture<WatchCache.Batch> kubelet = waitingWatcher(PODS, "n1", cache.revision(), Duration.ofSeconds(60));
        cache.close();
        assertThat(kubelet.get(5, TimeUnit.SECONDS).events()).isEmpty();
        assertThat(cache.waitingForTests()).isZero();
    }
}
