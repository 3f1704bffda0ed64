package io.kube4j.scheduler.queue;

import io.kube4j.api.Pod;
import io.kube4j.json.Json;
import io.kube4j.scheduler.framework.ClusterEvent;
import io.kube4j.scheduler.framework.Status;
import io.kube4j.scheduler.plugins.schedulinggates.SchedulingGates;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.ArrayList;
import java.util.EnumSet;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import static io.kube4j.scheduler.testing.PodBuilder.pod;
import static org.assertj.core.api.Assertions.assertThat;

class SchedulingQueueTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);
    private final List<String> gatedReports = new ArrayList<>();
    private final SchedulingQueue queue = new SchedulingQueue(now::get, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60),
            List.of(new SchedulingGates()), (pod, status) -> gatedReports.add(pod.metadata.name + ": " + status.reasons()));

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void popsHighestPriorityFirstThenOldest() throws Exception {
        queue.add(pod("young").created("2026-01-01T00:00:10Z").build());
        queue.add(pod("old").created("2026-01-01T00:00:00Z").build());
        queue.add(pod("important").priority(100).created("2026-01-01T00:00:20Z").build());
        assertThat(queue.pop().pod().metadata.name).isEqualTo("important");
        assertThat(queue.pop().pod().metadata.name).isEqualTo("old");
        assertThat(queue.pop().pod().metadata.name).isEqualTo("young");
    }

    @Test
    void addingAQueuedPodAgainDoesNotDuplicateIt() throws Exception {
        queue.add(pod("p").build());
        queue.add(pod("p").build());
        assertThat(queue.activeSize()).isEqualTo(1);
        queue.pop();
        assertThat(queue.activeSize()).isZero();
    }

    @Test
    void inFlightPodsAreNotQueuedAgain() throws Exception {
        queue.add(pod("p").build());
        QueuedPod attempt = queue.pop();
        queue.add(pod("p").build());
        assertThat(queue.activeSize()).isZero();
        queue.done(attempt.key());
        assertThat(queue.contains("default/p")).isFalse();
    }

    @Test
    void backoffDoublesFromOneSecondToTen() {
        assertThat(queue.backoffFor(1)).isEqualTo(Duration.ofSeconds(1));
        assertThat(queue.backoffFor(2)).isEqualTo(Duration.ofSeconds(2));
        assertThat(queue.backoffFor(4)).isEqualTo(Duration.ofSeconds(8));
        assertThat(queue.backoffFor(5)).isEqualTo(Duration.ofSeconds(10));
        assertThat(queue.backoffFor(30)).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void failedPodWaitsOutItsBackoff() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        queue.requeueBackoff(queue.pop(), p);
        assertThat(queue.backoffSize()).isEqualTo(1);
        queue.add(pod("other").build());
        assertThat(queue.pop().pod().metadata.name).as("the backed-off pod is not ready yet").isEqualTo("other");
        advance(Duration.ofMillis(1001));
        QueuedPod again = queue.pop();
        assertThat(again.pod().metadata.name).isEqualTo("p");
        assertThat(again.attempts()).isEqualTo(2);
    }

    @Test
    void unschedulablePodMovesOnlyOnAnEventItsPluginsCareAbout() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        queue.requeueUnschedulable(queue.pop(), p, EnumSet.of(ClusterEvent.NODE_ADDED));
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        queue.onEvent(ClusterEvent.ASSIGNED_POD_ADDED);
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        advance(Duration.ofSeconds(2));
        queue.onEvent(ClusterEvent.NODE_ADDED);
        assertThat(queue.unschedulableSize()).isZero();
        assertThat(queue.activeSize()).isEqualTo(1);
    }

    @Test
    void anEventDuringBackoffMovesThePodToBackoffNotActive() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        queue.requeueUnschedulable(queue.pop(), p, EnumSet.of(ClusterEvent.NODE_ADDED));
        queue.onEvent(ClusterEvent.NODE_ADDED);
        assertThat(queue.backoffSize()).isEqualTo(1);
        assertThat(queue.activeSize()).isZero();
    }

    @Test
    void aPodThatMissedARelevantEventWhileInFlightGoesToBackoff() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        QueuedPod attempt = queue.pop();
        queue.onEvent(ClusterEvent.NODE_ADDED);
        queue.requeueUnschedulable(attempt, p, EnumSet.of(ClusterEvent.NODE_ADDED));
        assertThat(queue.unschedulableSize()).isZero();
        assertThat(queue.backoffSize()).isEqualTo(1);
    }

    @Test
    void unschedulablePodsAreRetriedAfterSixtySecondsAnyway() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        queue.requeueUnschedulable(queue.pop(), p, EnumSet.of(ClusterEvent.NODE_ADDED));
        queue.add(pod("trigger").build());
        queue.pop();
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        advance(Duration.ofSeconds(61));
        QueuedPod again = queue.pop();
        assertThat(again.pod().metadata.name).isEqualTo("p");
    }

    @Test
    void statusOnlyUpdatesLeaveAnUnschedulablePodWhereItIs() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        queue.requeueUnschedulable(queue.pop(), p, EnumSet.of(ClusterEvent.NODE_ADDED));
        Pod withCondition = Json.copy(p);
        withCondition.status.phase = "Pending";
        queue.update(p, withCondition);
        assertThat(queue.unschedulableSize()).isEqualTo(1);
        Pod relabelled = Json.copy(p);
        relabelled.metadata.labels.put("fixed", "yes");
        advance(Duration.ofSeconds(2));
        queue.update(withCondition, relabelled);
        assertThat(queue.activeSize()).isEqualTo(1);
        assertThat(queue.pop().pod().metadata.labels).containsEntry("fixed", "yes");
    }

    @Test
    void deletedPodsLeaveTheQueue() throws Exception {
        queue.add(pod("p").build());
        queue.add(pod("q").build());
        queue.delete("default/p");
        assertThat(queue.activeSize()).isEqualTo(1);
        assertThat(queue.pop().pod().metadata.name).isEqualTo("q");
    }

    @Test
    void podsBoundOrDeletedMeanwhileAreNotRequeued() throws Exception {
        Pod p = pod("p").build();
        queue.add(p);
        QueuedPod attempt = queue.pop();
        queue.requeueBackoff(attempt, pod("p").nodeName("n1").build());
        assertThat(queue.contains("default/p")).isFalse();
        queue.add(p);
        queue.requeueUnschedulable(queue.pop(), null, EnumSet.allOf(ClusterEvent.class));
        assertThat(queue.contains("default/p")).isFalse();
    }

    @Test
    void closeReleasesAWaitingPop() throws Exception {
        SchedulingQueue real = new SchedulingQueue();
        Thread t = Thread.ofVirtual().start(() -> {
            try {
                assertThat(real.pop()).isNull();
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        Thread.sleep(50);
        real.close();
        assertThat(t.join(java.time.Duration.ofSeconds(5))).isTrue();
    }

    @Test
    void popWaitsForABackoffToExpireWithoutAnotherEvent() throws Exception {
        SchedulingQueue real = new SchedulingQueue(System::nanoTime, Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ofSeconds(60));
        Pod p = pod("p").build();
        real.add(p);
        real.requeueBackoff(real.pop(), p);
        long start = System.nanoTime();
        assertThat(real.pop().pod().metadata.name).isEqualTo("p");
        assertThat(TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - start)).isBetween(50L, 1500L);
    }

    @Test
    void aGatedPodIsNeverPoppedAndIsReportedOnce() throws Exception {
        queue.add(pod("gated").gate("example.com/quota").created("2026-01-01T00:00:00Z").build());
        queue.add(pod("free").created("2026-01-01T00:00:10Z").build());

        assertThat(queue.gatedSize()).isEqualTo(1);
        assertThat(queue.activeSize()).isEqualTo(1);
        assertThat(queue.pop().pod().metadata.name).as("the older pod is gated, so the younger comes first").isEqualTo("free");
        assertThat(queue.activeSize()).isZero();
        assertThat(queue.contains("default/gated")).isTrue();
        assertThat(gatedReports).containsExactly("gated: [waiting for scheduling gates: [example.com/quota]]");
    }

    @Test
    void clusterEventsAndTheUnschedulableTimeoutLeaveAGatedPodGated() {
        Pod gated = pod("gated").gate("g").build();
        queue.add(gated);

        for (ClusterEvent e : ClusterEvent.values()) {
            queue.onEvent(e);
        }
        advance(Duration.ofMinutes(10));
        Pod statusOnly = Json.copy(gated);
        statusOnly.status.phase = "Pending";
        queue.update(gated, statusOnly);

        assertThat(queue.gatedSize()).isEqualTo(1);
        assertThat(queue.activeSize()).isZero();
        assertThat(queue.backoffSize()).isZero();
        assertThat(gatedReports).as("a status update of a pod that stays gated is not reported again").hasSize(1);
    }

    @Test
    void removingTheLastGateQueuesThePodAsActive() throws Exception {
        Pod twoGates = pod("p").gate("a").gate("b").build();
        queue.add(twoGates);
        Pod oneGate = pod("p").gate("b").build();
        oneGate.metadata.generation = 2L;
        queue.update(twoGates, oneGate);
        assertThat(queue.gatedSize()).as("one gate left").isEqualTo(1);

        Pod noGates = pod("p").build();
        noGates.metadata.generation = 3L;
        queue.update(oneGate, noGates);

        assertThat(queue.gatedSize()).isZero();
        assertThat(queue.activeSize()).isEqualTo(1);
        QueuedPod attempt = queue.pop();
        assertThat(attempt.pod().spec.schedulingGates).isEmpty();
        assertThat(attempt.attempts()).isEqualTo(1);
        assertThat(gatedReports).hasSize(1);
    }

    @Test
    void aDeletedGatedPodLeavesTheQueue() {
        queue.add(pod("p").gate("a").build());
        queue.delete("default/p");
        assertThat(queue.gatedSize()).isZero();
        assertThat(queue.contains("default/p")).isFalse();
    }

    @Test
    void aPreEnqueueErrorKeepsThePodOutUntilItChanges() throws Exception {
        List<Status> seen = new ArrayList<>();
        boolean[] broken = {true};
        SchedulingQueue q = new SchedulingQueue(now::get, Duration.ofSeconds(1), Duration.ofSeconds(10), Duration.ofSeconds(60),
                List.of(new io.kube4j.scheduler.framework.PreEnqueuePlugin() {
                    @Override
                    public String name() {
                        return "Flaky";
                    }

                    @Override
                    public Status preEnqueue(Pod pod) {
                        if (broken[0]) {
                            throw new IllegalStateException("boom");
                        }
                        return Status.SUCCESS;
                    }
                }), (pod, status) -> seen.add(status));
        Pod p = pod("p").build();
        q.add(p);
        assertThat(q.gatedSize()).isEqualTo(1);
        assertThat(seen).singleElement().satisfies(s -> {
            assertThat(s.code()).isEqualTo(Status.Code.ERROR);
            assertThat(s.plugin()).isEqualTo("Flaky");
        });
        broken[0] = false;
        Pod changed = Json.copy(p);
        changed.metadata.labels.put("x", "y");
        q.update(p, changed);
        assertThat(q.pop().pod().metadata.name).isEqualTo("p");
    }
}
