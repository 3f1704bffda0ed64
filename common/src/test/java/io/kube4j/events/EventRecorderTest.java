package io.kube4j.events;

import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** client-go's EventLogger (tools/record/events_cache.go): identical events become one event whose count goes up. */
class EventRecorderTest {

    /** Creates and patches, as they reach the apiserver. */
    static final class Sink extends ApiClient {
        final List<String> calls = new CopyOnWriteArrayList<>();
        volatile boolean refusePatches;

        Sink() {
            super("http://127.0.0.1:1");
        }

        @Override
        public <T extends KubeObject> T create(T obj) {
            Event e = (Event) obj;
            calls.add("create " + e.metadata.name + " count=" + e.count + " " + e.reason + ": " + e.message);
            return obj;
        }

        @Override
        public <T extends KubeObject> T patch(Class<T> type, String namespace, String name, String contentType, String body) {
            if (refusePatches) {
                throw new ApiException(404, io.kube4j.api.Status.failure(404, "NotFound", "not found"), "404", null);
            }
            calls.add("patch " + name + " count=" + Json.tree(body).path("count").asInt());
            return null;
        }
    }

    static Pod pod() {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "web";
        p.metadata.uid = "uid-web";
        return p;
    }

    @Test
    void aRepeatedEventCountsUpOnTheFirstOneAndADifferentMessageIsItsOwnEvent() {
        Sink sink = new Sink();
        EventRecorder recorder = new EventRecorder(sink, "kubelet", "node-1");
        Pod pod = pod();
        recorder.warning(pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500");
        recorder.warning(pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500");
        recorder.warning(pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 500");
        recorder.warning(pod, "Unhealthy", "Readiness probe failed: HTTP probe failed with statuscode: 503");

        await().atMost(Duration.ofSeconds(5)).until(() -> sink.calls.size() == 4);
        List<String> first = sink.calls.stream().filter(c -> c.contains("web.") && !c.contains("503")).toList();
        String name = sink.calls.stream().filter(c -> c.startsWith("create") && c.contains("500")).findFirst().orElseThrow().split(" ")[1];
        assertThat(sink.calls.stream().filter(c -> c.contains(" " + name + " ")).toList())
                .containsExactly("create " + name + " count=1 Unhealthy: Readiness probe failed: HTTP probe failed with statuscode: 500",
                        "patch " + name + " count=2", "patch " + name + " count=3");
        assertThat(first).hasSize(3);
        assertThat(sink.calls).filteredOn(c -> c.startsWith("create")).hasSize(2);
    }

    /** client-go's recordEvent: a patch answered 404 (the event expired) creates the event again, with its name and count. */
    @Test
    void anEventThatIsGoneIsCreatedAgainWithItsCount() {
        Sink sink = new Sink();
        EventRecorder recorder = new EventRecorder(sink, "kubelet", "node-1");
        recorder.normal(pod(), "Pulled", "Container image \"busybox\" already present on machine");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.calls.size() == 1);
        sink.refusePatches = true;
        recorder.normal(pod(), "Pulled", "Container image \"busybox\" already present on machine");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.calls.size() == 2);
        String name = sink.calls.get(0).split(" ")[1];
        assertThat(sink.calls.get(1)).isEqualTo("create " + name + " count=2 Pulled: Container image \"busybox\" already present on machine");
    }

    /** The spam filter drops what a source says about one object beyond 25 events (no write at all). */
    @Test
    void eventsBeyondTheBurstAboutOneObjectAreNotWritten() throws InterruptedException {
        Sink sink = new Sink();
        EventRecorder recorder = new EventRecorder(sink, "kubelet", "node-1");
        for (int i = 0; i < 30; i++) {
            recorder.warning(pod(), "BackOff" + i, "Back-off restarting failed container app " + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.calls.size() >= 25);
        Thread.sleep(200);
        assertThat(sink.calls).hasSize(25).allMatch(c -> c.startsWith("create "));
    }

    /** With kube4j's switch off (measurements), the aggregator and spam filter do nothing. */
    @Test
    void withoutCorrelationEveryDistinctEventIsWritten() throws InterruptedException {
        Sink sink = new Sink();
        EventRecorder recorder = new EventRecorder(sink, "kubelet", "node-1", java.time.Clock.systemUTC(), false);
        for (int i = 0; i < 30; i++) {
            recorder.warning(pod(), "BackOff" + i, "Back-off restarting failed container app " + i);
        }
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.calls.size() >= 30);
        Thread.sleep(200);
        assertThat(sink.calls).hasSize(30);
    }
}
