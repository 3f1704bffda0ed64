package io.kube4j.scheduler.it;

import io.kube4j.api.Event;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodCondition;
import io.kube4j.api.Taint;
import io.kube4j.api.Toleration;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.labels.Selector;
import io.kube4j.scheduler.framework.PodInfo;
import io.kube4j.scheduler.framework.Resource;
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
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Semaphore;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The scheduler against a real apiserver and etcd: a cluster of varied nodes (capacity, labels,
 * taints, one cordoned) and a mix of pods (requests, node selectors, tolerations, anti-affinity,
 * some impossible): 50 nodes and 500 pods as the issue asks; scale with {@code -Dkube4j.it.nodes=20 -Dkube4j.it.pods=150}.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SchedulingIT {
    private static final int NODES = Integer.getInteger("kube4j.it.nodes", 50);
    private static final int PODS = Integer.getInteger("kube4j.it.pods", 500);
    private static final String NS = "default";
    private static final int ANTI_AFFINITY_APPS = 3;
    private static final int ANTI_AFFINITY_REPLICAS = 5;

    private EtcdContainer etcd;
    private ApiServerProcess apiserver;
    private ApiClient client;
    private ConfigurableApplicationContext scheduler;
    private int gpuNodes;
    private int regularNodes;
    private final Set<String> impossible = new HashSet<>();

    @BeforeAll
    void startCluster() throws Exception {
        etcd = new EtcdContainer();
        etcd.start();
        apiserver = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiserver.url());
        createNodes();
        scheduler = ClusterFixture.startScheduler(apiserver.url(), "--kube4j.scheduler.identity=it");
        createPods();
    }

    @AfterAll
    void stopCluster() {
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

    private static boolean isGpu(int i) {
        return i % 7 == 3;
    }

    private static boolean isCordoned(int i) {
        return i == 5;
    }

    private void createNodes() {
        for (int i = 0; i < NODES; i++) {
            // some nodes take few pods, but enough never to fill up (a full node would add "Too many pods" to the messages)
            int fewPods = Math.max(12, 3 * PODS / NODES);
            Node n = ClusterFixture.node(String.format("node-%02d", i), String.valueOf(4 + (i % 3) * 2), (8 + (i % 2) * 8) + "Gi", i % 4 == 1 ? fewPods : 110);
            n.metadata.labels.put("topology.kubernetes.io/zone", "zone-" + (i % 3));
            if (isGpu(i)) {
                n.spec.taints.add(new Taint("dedicated", "gpu", "NoSchedule"));
                gpuNodes++;
            } else if (isCordoned(i)) {
                n.spec.unschedulable = true;
            } else {
                regularNodes++;
                if (i % 3 == 0) {
                    n.metadata.labels.put("disktype", "ssd");
                }
            }
            client.create(n);
        }
    }

    private void createPods() throws Exception {
        List<Pod> pods = new ArrayList<>();
        int antiAffinity = ANTI_AFFINITY_APPS * ANTI_AFFINITY_REPLICAS;
        for (int i = 0; i < PODS - antiAffinity - 2; i++) {
            Pod p = ClusterFixture.pod(NS, "mixed-" + i, (100 + (i % 5) * 100) + "m", (64 + (i % 4) * 64) + "Mi");
            p.metadata.labels.put("app", "mixed");
            switch (i % 5) {
                case 1 -> p.spec.nodeSelector.put("disktype", "ssd");
                case 2 -> {
                    Toleration t = new Toleration();
                    t.key = "dedicated";
                    t.operator = "Equal";
                    t.value = "gpu";
                    t.effect = "NoSchedule";
                    p.spec.tolerations.add(t);
                }
                case 3 -> p.spec.nodeSelector.put("topology.kubernetes.io/zone", "zone-" + (i % 3));
                default -> {
                }
            }
            pods.add(p);
        }
        for (int app = 0; app < ANTI_AFFINITY_APPS; app++) {
            for (int r = 0; r < ANTI_AFFINITY_REPLICAS; r++) {
                Pod p = ClusterFixture.pod(NS, "spread-" + app + "-" + r, "200m", "128Mi");
                p.metadata.labels.put("app", "spread-" + app);
                io.kube4j.api.Affinity.PodAffinityTerm term = new io.kube4j.api.Affinity.PodAffinityTerm();
                term.topologyKey = "kubernetes.io/hostname";
                term.labelSelector = LabelSelector.of(Map.of("app", "spread-" + app));
                p.spec.affinity = new io.kube4j.api.Affinity();
                p.spec.affinity.podAntiAffinity = new io.kube4j.api.Affinity.PodAffinity();
                p.spec.affinity.podAntiAffinity.requiredDuringSchedulingIgnoredDuringExecution.add(term);
                pods.add(p);
            }
        }
        pods.add(ClusterFixture.pod(NS, "too-big", "64", "1Gi"));
        Pod nowhere = ClusterFixture.pod(NS, "no-such-zone", "100m", "64Mi");
        nowhere.spec.nodeSelector.put("topology.kubernetes.io/zone", "nowhere");
        pods.add(nowhere);
        impossible.addAll(List.of("too-big", "no-such-zone"));
        Semaphore parallel = new Semaphore(16);
        try (ExecutorService pool = Executors.newVirtualThreadPerTaskExecutor()) {
            for (Pod p : pods) {
                pool.submit(() -> {
                    parallel.acquireUninterruptibly();
                    try {
                        return client.create(p);
                    } finally {
                        parallel.release();
                    }
                });
            }
        }
    }

    private List<Pod> pods() {
        return client.list(Pod.class, NS).items;
    }

    @Test
    @Order(1)
    void everySchedulablePodIsBoundToAFeasibleNodeAndNoNodeIsOvercommitted() {
        await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofSeconds(1)).untilAsserted(() -> {
            List<Pod> unbound = pods().stream().filter(p -> p.spec.nodeName == null && !impossible.contains(p.metadata.name)).toList();
            assertThat(unbound).as("pods still pending").isEmpty();
        });
        Map<String, Node> nodes = new HashMap<>();
        client.list(Node.class, null).items.forEach(n -> nodes.put(n.metadata.name, n));
        Map<String, List<Pod>> byNode = new HashMap<>();
        for (Pod p : pods()) {
            if (p.spec.nodeName == null) {
                continue;
            }
            Node n = nodes.get(p.spec.nodeName);
            assertThat(n).as(p.metadata.name + " on a real node").isNotNull();
            assertThat(Boolean.TRUE.equals(n.spec.unschedulable)).as(p.metadata.name + " not on a cordoned node").isFalse();
            assertThat(Selector.of(p.spec.nodeSelector).matches(n.metadata.labels)).as(p.metadata.name + " nodeSelector").isTrue();
            for (Taint t : n.spec.taints) {
                assertThat(p.spec.tolerations.stream().anyMatch(tol -> tol.tolerates(t))).as(p.metadata.name + " tolerates " + t).isTrue();
            }
            byNode.computeIfAbsent(p.spec.nodeName, k -> new ArrayList<>()).add(p);
        }
        for (Map.Entry<String, List<Pod>> e : byNode.entrySet()) {
            Node n = nodes.get(e.getKey());
            Resource used = new Resource();
            Set<String> spreadApps = new HashSet<>();
            for (Pod p : e.getValue()) {
                used.add(PodInfo.of(p).requests());
                String app = p.metadata.labels.get("app");
                if (app != null && app.startsWith("spread-")) {
                    assertThat(spreadApps.add(app)).as("two " + app + " replicas on " + e.getKey()).isTrue();
                }
            }
            Resource alloc = Resource.of(n.status.allocatable);
            assertThat(used.milliCpu()).as(e.getKey() + " cpu").isLessThanOrEqualTo(alloc.milliCpu());
            assertThat(used.memory()).as(e.getKey() + " memory").isLessThanOrEqualTo(alloc.memory());
            assertThat((long) e.getValue().size()).as(e.getKey() + " pods").isLessThanOrEqualTo(n.status.allocatable.get("pods").value());
        }
        MeterRegistry metrics = scheduler.getBean(MeterRegistry.class);
        assertThat(metrics.get("scheduler.schedule.attempts").tag("result", "scheduled").counter().count()).isEqualTo(PODS - impossible.size());
    }

    private static String fitError(List<String> histogram) {
        List<String> sorted = new ArrayList<>(histogram);
        java.util.Collections.sort(sorted);
        return "0/" + NODES + " nodes are available: " + String.join(", ", sorted) + ".";
    }

    @Test
    @Order(2)
    void eachImpossiblePodCarriesTheBuiltMessageAndAFailedSchedulingEvent() {
        // Kubernetes' FitError: "<count> <reason>" strings in sort.Strings order, then DefaultPreemption's verdict
        // (all pods have priority 0: no victims where cpu is short, no help where taints, selectors or cordons reject)
        String tooBig = fitError(List.of(regularNodes + " Insufficient cpu", gpuNodes + " node(s) had untolerated taint {dedicated: gpu}",
                "1 node(s) were unschedulable"))
                + " preemption: " + fitError(List.of(regularNodes + " No preemption victims found for incoming pod",
                (gpuNodes + 1) + " Preemption is not helpful for scheduling"));
        String noZone = fitError(List.of(regularNodes + " node(s) didn't match Pod's node affinity/selector",
                gpuNodes + " node(s) had untolerated taint {dedicated: gpu}", "1 node(s) were unschedulable"))
                + " preemption: " + fitError(List.of(NODES + " Preemption is not helpful for scheduling"));
        Map<String, String> expected = Map.of("too-big", tooBig, "no-such-zone", noZone);
        await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).untilAsserted(() -> {
            for (Map.Entry<String, String> e : expected.entrySet()) {
                Pod p = client.get(Pod.class, NS, e.getKey());
                assertThat(p.spec.nodeName).isNull();
                PodCondition c = p.status.condition("PodScheduled");
                assertThat(c).as(e.getKey() + " condition").isNotNull();
                assertThat(c.status).isEqualTo("False");
                assertThat(c.reason).isEqualTo("Unschedulable");
                assertThat(c.message).isEqualTo(e.getValue());
                List<Event> events = client.list(Event.class, NS, ListOptions.fields("involvedObject.name=" + e.getKey())).items;
                assertThat(events).as(e.getKey() + " events").anySatisfy(ev -> {
                    assertThat(ev.reason).isEqualTo("FailedScheduling");
                    assertThat(ev.type).isEqualTo("Warning");
                    assertThat(ev.message).isEqualTo(e.getValue());
                });
            }
        });
        List<Event> scheduled = client.list(Event.class, NS, ListOptions.fields("involvedObject.name=mixed-0")).items;
        assertThat(scheduled).anySatisfy(ev -> {
            assertThat(ev.reason).isEqualTo("Scheduled");
            assertThat(ev.message).startsWith("Successfully assigned default/mixed-0 to node-");
        });
    }

    @Test
    @Order(3)
    void aNewNodeThatFitsMakesAWaitingPodScheduleWithinSeconds() {
        client.create(ClusterFixture.node("node-big", "128", "256Gi", 110));
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> "node-big".equals(client.get(Pod.class, NS, "too-big").spec.nodeName));
        Pod bound = client.get(Pod.class, NS, "too-big");
        assertThat(bound.status.condition("PodScheduled").status).isEqualTo("True");
        assertThat(client.get(Pod.class, NS, "no-such-zone").spec.nodeName).as("still nowhere to go").isNull();
    }

    @Test
    @Order(4)
    void aDeletedPodFreesRoomForAPendingOne() {
        // fill node-big exactly, then free it by deleting the filler
        Pod filler = client.get(Pod.class, NS, "too-big");
        Pod waiting = ClusterFixture.pod(NS, "needs-room", "100", "1Gi");
        waiting.spec.nodeSelector.put("kubernetes.io/hostname", "node-big");
        client.create(waiting);
        await().atMost(Duration.ofSeconds(15)).untilAsserted(() -> {
            PodCondition c = client.get(Pod.class, NS, "needs-room").status.condition("PodScheduled");
            assertThat(c).isNotNull();
            assertThat(c.message).contains("Insufficient cpu");
        });
        client.delete(Pod.class, NS, filler.metadata.name, 0);
        await().atMost(Duration.ofSeconds(15)).pollInterval(Duration.ofMillis(250))
                .until(() -> "node-big".equals(client.get(Pod.class, NS, "needs-room").spec.nodeName));
        assertThat(client.find(Pod.class, NS, filler.metadata.name)).isEmpty();
    }
}
