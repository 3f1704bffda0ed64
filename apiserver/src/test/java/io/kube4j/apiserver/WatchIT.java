package io.kube4j.apiserver;

import io.kube4j.api.Container;
import io.kube4j.api.Pod;
import io.kube4j.api.WatchEvent;
import io.kube4j.api.WatchEventList;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.ListOptions;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.io.BufferedReader;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** Long-poll and streaming watches from the watch cache, 410 behind the window, and the informer's recovery. */
class WatchIT {
    static ApiServerFixture fx;
    static ApiClient api;

    @BeforeAll
    static void start() {
        // a small window, so that falling behind it is easy to provoke
        fx = new ApiServerFixture().start("--kube4j.watch-cache.capacity=40", "--kube4j.compaction.interval=1s", "--kube4j.compaction.keep-revisions=20");
        api = fx.client;
    }

    @AfterAll
    static void stop() {
        fx.close();
    }

    static Pod pod(String ns, String name, String app) {
        Pod p = new Pod();
        p.metadata.namespace = ns;
        p.metadata.name = name;
        p.metadata.labels.put("app", app);
        Container c = new Container();
        c.name = "main";
        c.image = "busybox:1.36";
        p.spec.containers.add(c);
        return p;
    }

    @Test
    void longPollReturnsEventsInRevisionOrderFilteredBySelectors() {
        String rv = api.list(Pod.class, "default").metadata.resourceVersion;
        Pod a = api.create(pod("default", "lp-a", "one"));
        api.create(pod("default", "lp-b", "two"));
        Pod a2 = Json.copy(a);
        a2.metadata.labels.put("extra", "x");
        api.update(a2);
        api.delete(Pod.class, "default", "lp-a");

        WatchEventList<Pod> all = api.poll(Pod.class, "default", ListOptions.ALL, rv, 5);
        assertThat(all.items).extracting(e -> e.type + ":" + e.object.metadata.name)
                .containsExactly("ADDED:lp-a", "ADDED:lp-b", "MODIFIED:lp-a", "DELETED:lp-a");
        List<Long> revisions = all.items.stream().map(e -> Long.parseLong(e.object.metadata.resourceVersion)).toList();
        assertThat(revisions).isSorted().doesNotHaveDuplicates();
        assertThat(Long.parseLong(all.metadata.resourceVersion)).isEqualTo(revisions.get(revisions.size() - 1));

        WatchEventList<Pod> one = api.poll(Pod.class, "default", ListOptions.labels("app=one"), rv, 5);
        assertThat(one.items).extracting(e -> e.type + ":" + e.object.metadata.name)
                .containsExactly("ADDED:lp-a", "MODIFIED:lp-a", "DELETED:lp-a");
        WatchEventList<Pod> byName = api.poll(Pod.class, "default", ListOptions.fields("metadata.name=lp-b"), rv, 5);
        assertThat(byName.items).extracting(e -> e.type + ":" + e.object.metadata.name).containsExactly("ADDED:lp-b");
    }

    @Test
    void longPollWaitsThenReturnsABookmarkRevision() {
        String rv = api.list(Pod.class, "default").metadata.resourceVersion;
        long t0 = System.nanoTime();
        WatchEventList<Pod> empty = api.poll(Pod.class, "default", ListOptions.labels("app=never"), rv, 1);
        assertThat(Duration.ofNanos(System.nanoTime() - t0)).isGreaterThanOrEqualTo(Duration.ofMillis(900));
        assertThat(empty.items).isEmpty();
        assertThat(Long.parseLong(empty.metadata.resourceVersion)).isGreaterThanOrEqualTo(Long.parseLong(rv));
    }

    @Test
    void aLabelChangeOutOfTheSelectorIsSeenAsDeleted() {
        Pod p = api.create(pod("default", "relabel", "in"));
        String rv = p.metadata.resourceVersion;
        Pod moved = Json.copy(p);
        moved.metadata.labels.put("app", "out");
        api.update(moved);
        WatchEventList<Pod> w = api.poll(Pod.class, "default", ListOptions.labels("app=in"), rv, 5);
        assertThat(w.items).extracting(e -> e.type).containsExactly("DELETED");
    }

    @Test
    void aWatcherBehindTheWindowGets410() {
        String rv = api.list(Pod.class, "default").metadata.resourceVersion;
        for (int i = 0; i < 50; i++) {
            api.create(pod("default", "flood-" + i, "flood"));
        }
        ApiException gone = null;
        try {
            api.poll(Pod.class, "default", ListOptions.ALL, rv, 1);
        } catch (ApiException e) {
            gone = e;
        }
        assertThat(gone).isNotNull();
        assertThat(gone.code()).isEqualTo(410);
        assertThat(gone.reason()).isEqualTo("Expired");
    }

    /**
     * A write the watch cache never sees (outside {@code /registry/}: another etcd client) moves etcd's revision
     * past the cache's; a consistent list (no resourceVersion) must still answer, at a revision at least that
     * new, instead of waiting for the cache and failing (CI saw 503 "the watch cache has not caught up" when
     * the master lease lived outside {@code /registry/}).
     */
    @Test
    void aConsistentListAnswersWhenEtcdMovedOnOutsideTheCache() throws Exception {
        io.kube4j.api.Namespace ns = new io.kube4j.api.Namespace();
        ns.metadata.name = "outside";
        api.create(ns);
        api.create(pod("outside", "in-cache", "o"));
        var put = fx.etcd.execInContainer("etcdctl", "put", "/outside-the-registry/x", "y", "-w", "json");
        assertThat(put.getExitCode()).as(put.getStderr()).isZero();
        long outsideRevision = Json.tree(put.getStdout()).path("header").path("revision").asLong();
        assertThat(outsideRevision).isPositive();

        io.kube4j.api.KubeList<Pod> list = api.list(Pod.class, "outside", ListOptions.ALL);

        assertThat(list.items).extracting(p -> p.metadata.name).containsExactly("in-cache");
        assertThat(Long.parseLong(list.metadata.resourceVersion)).isGreaterThanOrEqualTo(outsideRevision);
    }

    @Test
    void compactionExpiresOldContinueTokens() {
        io.kube4j.api.Namespace ns = new io.kube4j.api.Namespace();
        ns.metadata.name = "paged";
        api.create(ns);
        for (int i = 0; i < 5; i++) {
            api.create(pod("paged", "pg-" + i, "pg"));
        }
        io.kube4j.api.KubeList<Pod> first = api.list(Pod.class, "paged", new ListOptions(null, null, 2, null, null));
        for (int i = 0; i < 30; i++) {
            api.create(pod("paged", "pg-more-" + i, "pg"));
        }
        // the apiserver compacts every second, keeping 20 revisions: the first page's revision goes
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            ApiException e = null;
            try {
                api.list(Pod.class, "paged", new ListOptions(null, null, 2, first.metadata.continue_, null));
            } catch (ApiException x) {
                e = x;
            }
            assertThat(e).isNotNull();
            assertThat(e.code()).isEqualTo(410);
            assertThat(e.status().message).contains("continue parameter is too old");
        });
    }

    @Test
    void streamingWatchStartsWithSyntheticAddsAndStreamsChanges() throws Exception {
        api.create(pod("default", "st-existing", "stream"));
        List<JsonNode> events = new CopyOnWriteArrayList<>();
        InputStream in = api.stream("/api/v1/namespaces/default/pods?watch=true&labelSelector=app%3Dstream&timeoutSeconds=20");
        Thread reader = Thread.ofVirtual().start(() -> {
            try (BufferedReader r = new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8))) {
                String line;
                while ((line = r.readLine()) != null) {
                    if (!line.isBlank()) {
                        events.add(Json.tree(line));
                    }
                }
            } catch (Exception e) {
                // closed
            }
        });
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 1);
        api.create(pod("default", "st-new", "stream"));
        api.delete(Pod.class, "default", "st-existing");
        await().atMost(Duration.ofSeconds(10)).until(() -> events.size() >= 3);
        assertThat(events).extracting(e -> e.path("type").asString() + ":" + e.path("object").path("metadata").path("name").asString())
                .containsExactly("ADDED:st-existing", "ADDED:st-new", "DELETED:st-existing");
        in.close();
        reader.interrupt();
    }

    @Test
    void informerRecoversFromAnApiserverRestartAndAnExpiredWindowWithNoLostOrPhantomObjects() throws Exception {
        io.kube4j.api.Namespace ns = new io.kube4j.api.Namespace();
        ns.metadata.name = "inf";
        api.create(ns);
        for (int i = 0; i < 5; i++) {
            api.create(pod("inf", "before-" + i, "inf"));
        }
        // the informer talks to its own apiserver, which we restart while another one takes writes
        ApiServerProcess own = new ApiServerProcess(ApiServerProcess.freePort(), fx.etcd.endpoint(), "--kube4j.watch-cache.capacity=40").start();
        ApiClient ownClient = new ApiClient(own.url());
        Set<String> deletedSeen = ConcurrentHashMap.newKeySet();
        Informer<Pod> informer = new Informer<>(ownClient, Pod.class, "inf", ListOptions.ALL, 2)
                .addHandler(new ResourceEventHandler<>() {
                    @Override
                    public void onDelete(Pod obj) {
                        deletedSeen.add(obj.metadata.name);
                    }
                }).start();
        try {
            assertThat(informer.waitForSync(Duration.ofSeconds(20))).isTrue();
            assertThat(informer.store().size()).isEqualTo(5);
            own.kill();
            api.delete(Pod.class, "inf", "before-0");
            api.delete(Pod.class, "inf", "before-1");
            for (int i = 0; i < 60; i++) {
                api.create(pod("inf", "during-" + i, "inf"));
            }
            own = new ApiServerProcess(own.port(), fx.etcd.endpoint(), "--kube4j.watch-cache.capacity=40").start();
            api.create(pod("inf", "after", "inf"));

            Set<String> expected = api.list(Pod.class, "inf").items.stream().map(p -> p.metadata.name).collect(Collectors.toSet());
            await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                    assertThat(informer.store().list().stream().map(p -> p.metadata.name).collect(Collectors.toSet())).isEqualTo(expected));
            assertThat(deletedSeen).containsExactlyInAnyOrder("before-0", "before-1");
            assertThat(expected).hasSize(3 + 60 + 1);
        } finally {
            informer.stop();
            own.close();
        }
    }
}
