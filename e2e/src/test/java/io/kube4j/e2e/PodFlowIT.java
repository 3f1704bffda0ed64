package io.kube4j.e2e;

import io.kube4j.api.Container;
import io.kube4j.api.Deployment;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Toleration;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The pod-creation flow end to end with every component a separate process: Deployment →
 * ReplicaSet → Pods (controller-manager) → bound (scheduler) → Running (hollow kubelets) → a node is
 * lost → NotReady, tainted, its pods evicted and replaced on the surviving node → deleting the
 * Deployment removes everything.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class PodFlowIT {
    static Cluster cluster;
    static ApiClient api;

    @BeforeAll
    static void start() {
        cluster = new Cluster("hollow-1", "hollow-2").startControlPlane(List.of(
                "--kube4j.controller-manager.node-monitor-period=1s",
                "--kube4j.controller-manager.node-monitor-grace-period=8s"));
        cluster.startHollowKubelet("hollow-1");
        cluster.startHollowKubelet("hollow-2");
        api = cluster.api;
    }

    @AfterAll
    static void stop() {
        if (cluster != null) {
            cluster.close();
        }
    }

    static Deployment web(int replicas, String image) {
        Deployment d = new Deployment();
        d.metadata.name = "web";
        d.metadata.namespace = "default";
        d.spec.replicas = replicas;
        d.spec.selector = LabelSelector.of(Map.of("app", "web"));
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.put("app", "web");
        Container c = new Container();
        c.name = "main";
        c.image = image;
        c.resources = new io.kube4j.api.ResourceRequirements();
        c.resources.requests.put("cpu", io.kube4j.quantity.Quantity.parse("100m"));
        t.spec.containers.add(c);
        // evict quickly from a lost node (the default is 300 s)
        for (String key : List.of("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")) {
            Toleration tol = new Toleration();
            tol.key = key;
            tol.operator = "Exists";
            tol.effect = "NoExecute";
            tol.tolerationSeconds = 3L;
            t.spec.tolerations.add(tol);
        }
        d.spec.template = t;
        return d;
    }

    static List<Pod> webPods() {
        return api.list(Pod.class, "default", ListOptions.labels("app=web")).items;
    }

    static List<Pod> runningWebPods() {
        return webPods().stream()
                .filter(p -> "Running".equals(p.status.phase) && p.metadata.deletionTimestamp == null)
                .toList();
    }

    @Test
    @Order(1)
    void bothNodesRegisterAndBecomeReady() {
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            List<Node> nodes = api.list(Node.class, null).items;
            assertThat(nodes).extracting(n -> n.metadata.name).contains("hollow-1", "hollow-2");
            assertThat(nodes).allSatisfy(n -> assertThat(n.status.condition("Ready").status).isEqualTo("True"));
        });
    }

    @Test
    @Order(2)
    void aDeploymentBecomesRunningPodsSpreadOverTheNodes() {
        api.create(web(4, "busybox:1.36"));
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Pod> running = runningWebPods();
            assertThat(running).hasSize(4);
            assertThat(running).allSatisfy(p -> {
                assertThat(p.spec.nodeName).isIn("hollow-1", "hollow-2");
                assertThat(p.status.podIP).isNotBlank();
                assertThat(p.status.condition("Ready").status).isEqualTo("True");
            });
        });
        Set<String> nodes = runningWebPods().stream().map(p -> p.spec.nodeName).collect(Collectors.toSet());
        assertThat(nodes).containsExactlyInAnyOrder("hollow-1", "hollow-2");
        List<ReplicaSet> sets = api.list(ReplicaSet.class, "default", ListOptions.labels("app=web")).items;
        assertThat(sets).hasSize(1);
        assertThat(sets.get(0).metadata.controllerRef().name).isEqualTo("web");
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
                assertThat(api.get(Deployment.class, "default", "web").status.availableReplicas).isEqualTo(4));
    }

    @Test
    @Order(3)
    void aLostNodesPodsAreReplacedOnTheSurvivingNode() {
        cluster.kubelets.get("hollow-1").kill();
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Node lost = api.get(Node.class, null, "hollow-1");
            assertThat(lost.status.condition("Ready").status).isEqualTo("Unknown");
            assertThat(lost.spec.taints).extracting(t -> t.key + ":" + t.effect).contains("node.kubernetes.io/unreachable:NoExecute");
        });
        // grace period (8 s) + tolerationSeconds (3 s) + scheduling and start
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Pod> running = runningWebPods();
            assertThat(running).hasSize(4);
            assertThat(running).allSatisfy(p -> assertThat(p.spec.nodeName).isEqualTo("hollow-2"));
        });
    }

    @Test
    @Order(4)
    void aReturningNodeLosesItsTaintAndFinishesItsEvictedPods() {
        cluster.startHollowKubelet("hollow-1");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            Node back = api.get(Node.class, null, "hollow-1");
            assertThat(back.status.condition("Ready").status).isEqualTo("True");
            assertThat(back.spec.taints).extracting(t -> t.key).doesNotContain("node.kubernetes.io/unreachable");
            // the evicted pods were Terminating while nobody could stop them; now their kubelet removes them
            assertThat(webPods()).allSatisfy(p -> assertThat(p.spec.nodeName).isEqualTo("hollow-2"));
        });
    }

    @Test
    @Order(5)
    void deletingTheDeploymentRemovesItsReplicaSetsAndPods() {
        api.delete(Deployment.class, "default", "web");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(api.list(ReplicaSet.class, "default", ListOptions.labels("app=web")).items).isEmpty();
            assertThat(webPods()).isEmpty();
        });
    }
}
