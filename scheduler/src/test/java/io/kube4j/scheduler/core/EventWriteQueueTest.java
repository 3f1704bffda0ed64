package io.kube4j.scheduler.core;

import io.kube4j.api.Event;
import io.kube4j.api.KubeObject;
import io.kube4j.api.Pod;
import io.kube4j.client.ApiClient;
import io.kube4j.events.EventRecorder;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** client-go's event broadcaster: a queue of 1000 dropped when full (DropIfChannelFull), written one at a time. */
class EventWriteQueueTest {
    private EventWriteQueue queue;

    /** Records the creates; the first one waits for {@link #release}. */
    static final class Sink extends ApiClient {
        final List<String> created = new CopyOnWriteArrayList<>();
        final CountDownLatch firstStarted = new CountDownLatch(1);
        final CountDownLatch release = new CountDownLatch(1);
        final AtomicInteger inFlight = new AtomicInteger();
        final AtomicInteger maxInFlight = new AtomicInteger();

        Sink() {
            super("http://127.0.0.1:1");
        }

        @Override
        public <T extends KubeObject> T create(T obj) {
            maxInFlight.accumulateAndGet(inFlight.incrementAndGet(), Math::max);
            try {
                firstStarted.countDown();
                release.await(10, TimeUnit.SECONDS);
                created.add(((Event) obj).involvedObject.name);
                return obj;
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IllegalStateException(e);
            } finally {
                inFlight.decrementAndGet();
            }
        }
    }

    @AfterEach
    void stop() {
        queue.shutdownNow();
    }

    static Pod pod(int i) {
        Pod p = new Pod();
        p.metadata.namespace = "default";
        p.metadata.name = "pod-" + i;
        p.metadata.uid = "uid-" + i;
        return p;
    }

    @Test
    void eventsBeyondTheQueueAreDroppedAndTheOthersWrittenInOrderOneAtATime() throws Exception {
        queue = new EventWriteQueue(2);
        Sink sink = new Sink();
        EventRecorder recorder = new EventRecorder(sink, "default-scheduler", "host", Clock.systemUTC(), true, queue);

        recorder.normal(pod(0), "Scheduled", "Successfully assigned default/pod-0 to node-1");
        assertThat(sink.firstStarted.await(5, TimeUnit.SECONDS)).isTrue();
        // the writer is busy with pod-0: two wait, the other two find the queue full and are dropped, and
        // none of these calls waits for the apiserver
        for (int i = 1; i <= 4; i++) {
            recorder.normal(pod(i), "Scheduled", "Successfully assigned default/pod-" + i + " to node-1");
        }
        assertThat(queue.dropped()).isEqualTo(2);
        assertThat(sink.created).isEmpty();

        sink.release.countDown();
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.created.size() == 3);
        assertThat(sink.created).containsExactly("pod-0", "pod-1", "pod-2");
        assertThat(sink.maxInFlight.get()).isEqualTo(1);

        // room again: the next event is written
        recorder.normal(pod(5), "Scheduled", "Successfully assigned default/pod-5 to node-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> sink.created.size() == 4);
        assertThat(sink.created.get(3)).isEqualTo("pod-5");
        assertThat(queue.dropped()).isEqualTo(2);
    }

    @Test
    void holdsClientGosThousandEvents() {
        queue = new EventWriteQueue();
        assertThat(EventWriteQueue.MAX_QUEUED_EVENTS).isEqualTo(1000);
        assertThat(queue.getQueue().remainingCapacity()).isEqualTo(1000);
        assertThat(queue.getMaximumPoolSize()).isEqualTo(1);
    }
}
