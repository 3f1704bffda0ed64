package io.kube4j.scheduler.it;

import io.kube4j.api.Event;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.PriorityClass;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ApiException;
import io.kube4j.client.ListOptions;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import io.micrometer.core.instrument.MeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * Preemption against a real apiserver and etcd. One fake node (no kubelet) full of priority-0 pods; a
 * pod of PriorityClass {@code high} (1000) that does not fit preempts some of them: they get
 * {@code DisruptionTarget=True/PreemptionByScheduler}, a graceful deletion and a {@code Preempted} Event,
 * the high pod gets {@code status.nominatedNodeName}, and once the victims are gone it is bound to that
 * node. A pod of a class with {@code preemptionPolicy: Never} then stays Pending and preempts nothing.
 * The test plays the node's kubelet in one respect: it finishes the graceful deletion of pods being
 * deleted (DELETE with grace period 0), as a kubelet does once their containers have stopped.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PreemptionIT {
    private static final String NS = "default";
    private static final String NODE = "node-a";
    private static final int LOW_PODS = 4;

    private EtcdContainer etcd;
    private ApiServerProcess apiserver;
    private ApiClient client;
    private ConfigurableApplicationContext scheduler;
    private final AtomicBoolean kubeletFinishesDeletions = new AtomicBoolean(false);
    // pods whose graceful deletion the "kubelet" finished while they carried the scheduler's DisruptionTarget condition
    private final Set<String> terminatedByPreemption = ConcurrentHashMap.newKeySet();
    private Thread kubelet;

    @BeforeAll
    void startCluster() {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiserver.url());
        // 1 cpu: four pods of 250m fill it
        client.create(ClusterFixture.node(NODE, "1", "4Gi", 110));
        scheduler = ClusterFixture.startScheduler(apiserver.url(), "--kube4j.scheduler.leader-elect=false");
        kubelet = Thread.ofVirtual().start(this::finishGracefulDeletions);
    }

    @AfterAll
    void stopCluster() {
        if (kubelet != null) {
            kubelet.interrupt();
        }
        if (scheduler != null) {
            scheduler.close();
        }
        if (apiserver != null) {
            apiserver.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    private void finishGracefulDeletions() {
        while (!Thread.currentThread().isInterrupted()) {
            try {
                if (kubeletFinishesDeletions.get()) {
                    for (Pod p : client.list(Pod.class, NS).items) {
                        if (p.metadata.deletionTimestamp != null && p.spec.nodeName != null) {
                            PodCondition c = p.status.condition("DisruptionTarget");
                            if (c != null && "True".equals(c.status) && "PreemptionByScheduler".equals(c.reason)
                                    && "default-scheduler: preempting to accommodate a higher priority pod".equals(c.message)) {
                                terminatedByPreemption.add(p.metadata.name);
                            }
                            client.delete(Pod.class, NS, p.metadata.name, 0);
                        }
                    }
                }
                Thread.sleep(200);
            } catch (InterruptedException e) {
                return;
            } catch (ApiException e) {
                // a pod deleted meanwhile: try again next round
            }
        }
    }

    private Pod pod(String name) {
        return client.get(Pod.class, NS, name);
    }

    private static PriorityClass priorityClass(String name, int value, String preemptionPolicy) {
        PriorityClass pc = new PriorityClass();
        pc.metadata.name = name;
        pc.value = value;
        pc.preemptionPolicy = preemptionPolicy;
        return pc;
    }

    @Test
    @Order(1)
    void aHighPriorityPodPreemptsLowPriorityPodsAndIsBoundToTheNominatedNode() {
        for (int i = 0; i < LOW_PODS; i++) {
            client.create(ClusterFixture.pod(NS, "low-" + i, "250m", "64Mi"));
        }
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (int i = 0; i < LOW_PODS; i++) {
                assertThat(pod("low-" + i).spec.nodeName).isEqualTo(NODE);
            }
        });
        assertThat(pod("low-0").spec.priority).as("no PriorityClass: priority 0").isZero();

        client.create(priorityClass("high", 1000, null));
        Pod high = ClusterFixture.pod(NS, "high", "500m", "64Mi");
        high.spec.priorityClassName = "high";
        high = client.create(high);
        assertThat(high.spec.priority).isEqualTo(1000);
        String highUid = high.metadata.uid;

        // preempted: two low pods are being deleted gracefully (held: the node has no kubelet yet), with the condition
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            assertThat(pod("high").status.nominatedNodeName).isEqualTo(NODE);
            List<Pod> victims = client.list(Pod.class, NS).items.stream()
                    .filter(p -> p.metadata.name.startsWith("low-") && p.metadata.deletionTimestamp != null).toList();
            assertThat(victims).hasSize(2);
            for (Pod v : victims) {
                PodCondition c = v.status.condition("DisruptionTarget");
                assertThat(c).isNotNull();
                assertThat(c.status).isEqualTo("True");
                assertThat(c.reason).isEqualTo("PreemptionByScheduler");
                assertThat(c.message).isEqualTo("default-scheduler: preempting to accommodate a higher priority pod");
            }
        });
        Pod pending = pod("high");
        assertThat(pending.spec.nodeName).as("not bound while the victims terminate").isNull();
        PodCondition scheduled = pending.status.condition("PodScheduled");
        assertThat(scheduled.status).isEqualTo("False");
        assertThat(scheduled.reason).isEqualTo("Unschedulable");
        assertThat(scheduled.message).isEqualTo("0/1 nodes are available: 1 Insufficient cpu.");
        List<String> victimNames = client.list(Pod.class, NS).items.stream()
                .filter(p -> p.metadata.deletionTimestamp != null).map(p -> p.metadata.name).toList();
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            for (String v : victimNames) {
                List<Event> events = client.list(Event.class, NS, ListOptions.fields("involvedObject.name=" + v)).items;
                assertThat(events).as(v + " events").anySatisfy(e -> {
                    assertThat(e.reason).isEqualTo("Preempted");
                    assertThat(e.type).isEqualTo("Normal");
                    assertThat(e.message).isEqualTo("Preempted by pod " + highUid + " on node " + NODE);
                });
            }
        });

        // the victims' containers stop: the deletions complete, and the high pod takes their room
        kubeletFinishesDeletions.set(true);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250))
                .until(() -> NODE.equals(pod("high").spec.nodeName));
        assertThat(terminatedByPreemption).containsExactlyInAnyOrderElementsOf(victimNames);
        long lowLeft = client.list(Pod.class, NS).items.stream().filter(p -> p.metadata.name.startsWith("low-")).count();
        assertThat(lowLeft).as("only as many victims as needed").isEqualTo(LOW_PODS - 2);
        MeterRegistry metrics = scheduler.getBean(MeterRegistry.class);
        assertThat(metrics.get("scheduler.preemption.victims").summary().totalAmount()).isEqualTo(2.0);
        assertThat(metrics.get("scheduler.preemption.attempts").counter().count()).isGreaterThanOrEqualTo(1.0);
    }

    @Test
    @Order(2)
    void aPodThatMayNotPreemptStaysPending() {
        client.create(priorityClass("high-never", 1000, "Never"));
        Pod polite = ClusterFixture.pod(NS, "polite", "500m", "64Mi");
        polite.spec.priorityClassName = "high-never";
        polite = client.create(polite);
        assertThat(polite.spec.unknownFields).containsEntry("preemptionPolicy", "Never");

        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(250)).untilAsserted(() -> {
            PodCondition c = pod("polite").status.condition("PodScheduled");
            assertThat(c).isNotNull();
            assertThat(c.reason).isEqualTo("Unschedulable");
            assertThat(c.message).isEqualTo("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
        });
        List<Event> events = client.list(Event.class, NS, ListOptions.fields("involvedObject.name=polite")).items;
        assertThat(events).anySatisfy(e -> {
            assertThat(e.reason).isEqualTo("FailedScheduling");
            assertThat(e.message).isEqualTo("0/1 nodes are available: 1 Insufficient cpu. preemption: not eligible due to preemptionPolicy=Never.");
        });
        Pod stillPending = pod("polite");
        assertThat(stillPending.spec.nodeName).isNull();
        assertThat(stillPending.status.nominatedNodeName).isNull();
        assertThat(client.list(Pod.class, NS).items).as("nobody preempted").noneMatch(p -> p.metadata.deletionTimestamp != null);
        assertThat(client.list(Pod.class, NS).items.stream().filter(p -> p.metadata.name.startsWith("low-")).count()).isEqualTo(LOW_PODS - 2);
    }
}
