package io.kube4j.controllermanager;

import io.kube4j.api.Container;
import io.kube4j.api.DeleteOptions;
import io.kube4j.api.Deployment;
import io.kube4j.api.Endpoints;
import io.kube4j.api.IntOrString;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.Node;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicaSet;
import io.kube4j.api.Service;
import io.kube4j.api.Toleration;
import io.kube4j.client.ApiClient;
import io.kube4j.client.ListOptions;
import io.kube4j.controllermanager.testing.SimulatedNodes;
import io.kube4j.informer.Informer;
import io.kube4j.informer.ResourceEventHandler;
import io.kube4j.json.Json;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicInteger;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The controller-manager against a real apiserver on a real etcd, with simulated nodes standing in
 * for the scheduler and kubelets. The tests share one cluster and run in order; each uses its own
 * namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ControllerManagerIT {
    static final Map<String, String> WEB = Map.of("app", "web");

    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    SimulatedNodes nodes;
    ConfigurableApplicationContext manager;

    static String httpGet(String url) throws Exception {
        try (java.net.http.HttpClient http = java.net.http.HttpClient.newHttpClient()) {
            return http.send(java.net.http.HttpRequest.newBuilder(java.net.URI.create(url)).build(),
                    java.net.http.HttpResponse.BodyHandlers.ofString()).body();
        }
    }

    /**
     * Runs a private copy of the apiserver jar: colleagues rebuild apiserver/target/apiserver.jar
     * at any time, and a jar replaced under a running JVM breaks its class loading.
     */
    static void useCopyOfApiServerJar() throws java.io.IOException {
        java.nio.file.Path jar = java.nio.file.Path.of("..", "apiserver", "target", "apiserver.jar");
        if (System.getProperty("kube4j.apiserver.jar") == null && java.nio.file.Files.exists(jar)) {
            java.nio.file.Path copy = java.nio.file.Path.of("target", "apiserver-under-test.jar");
            java.nio.file.Files.copy(jar, copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            System.setProperty("kube4j.apiserver.jar", copy.toAbsolutePath().toString());
        }
    }

    @BeforeAll
    void startCluster() throws Exception {
        useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        nodes = new SimulatedNodes(client, "node-1", "node-2", "node-3").start();
        manager = startManager();
    }

    ConfigurableApplicationContext startManager() {
        return new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=true",
                "--kube4j.controller-manager.node-monitor-period=1s",
                "--kube4j.controller-manager.node-monitor-grace-period=4s",
                "--kube4j.controller-manager.default-toleration-seconds=2",
                "--kube4j.controller-manager.pod-gc-check-period=1s",
                "--kube4j.controller-manager.pod-gc-quarantine-time=2s");
    }

    @AfterAll
    void stopCluster() {
        if (manager != null) {
            manager.close();
        }
        if (nodes != null) {
            nodes.close();
        }
        if (apiServer != null) {
            apiServer.close();
        }
        if (etcd != null) {
            etcd.stop();
        }
    }

    void namespace(String name) {
        Namespace ns = new Namespace();
        ns.metadata.name = name;
        client.create(ns);
    }

    static Deployment deployment(String ns, String name, int replicas, String image) {
        Deployment d = new Deployment();
        d.metadata.namespace = ns;
        d.metadata.name = name;
        d.spec.replicas = replicas;
        d.spec.selector = LabelSelector.of(WEB);
        d.spec.template = new PodTemplateSpec();
        d.spec.template.metadata.labels.putAll(WEB);
        Container c = new Container();
        c.name = "web";
        c.image = image;
        Container.ContainerPort port = new Container.ContainerPort();
        port.name = "http";
        port.containerPort = 8080;
        c.ports.add(port);
        d.spec.template.spec.containers.add(c);
        d.spec.template.spec.terminationGracePeriodSeconds = 1L;
        return d;
    }

    List<Pod> activePods(String ns) {
        return client.list(Pod.class, ns).items.stream().filter(p -> p.metadata.deletionTimestamp == null).toList();
    }

    boolean rolledOut(String ns, String name) {
        Deployment d = client.get(Deployment.class, ns, name);
        int want = d.spec.replicas;
        return d.status.observedGeneration != null && d.status.observedGeneration >= d.metadata.generation
                && Objects.equals(d.status.updatedReplicas, want) && Objects.equals(d.status.replicas, want)
                && d.status.availableReplicas != null && d.status.availableReplicas >= want;
    }

    static String image(Pod p) {
        return p.spec.containers.getFirst().image;
    }

    @Test
    @Order(1)
    void aDeploymentOfTenRunsTenReadyPodsBehindItsService() throws Exception {
        namespace("rollout");
        Service svc = new Service();
        svc.metadata.namespace = "rollout";
        svc.metadata.name = "web";
        svc.spec.selector.putAll(WEB);
        Service.ServicePort sp = new Service.ServicePort();
        sp.name = "http";
        sp.port = 80;
        sp.targetPort = IntOrString.of("http");
        svc.spec.ports.add(sp);
        client.create(svc);

        client.create(deployment("rollout", "web", 10, "web:1"));

        await().atMost(Duration.ofSeconds(60)).until(() -> rolledOut("rollout", "web"));
        List<Pod> pods = activePods("rollout");
        assertThat(pods).hasSize(10).allSatisfy(p -> {
            assertThat(p.status.phase).isEqualTo("Running");
            assertThat(p.metadata.controllerRef().kind).isEqualTo("ReplicaSet");
        });
        assertThat(client.list(ReplicaSet.class, "rollout").items).hasSize(1);
        Deployment d = client.get(Deployment.class, "rollout", "web");
        assertThat(d.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "1");
        assertThat(d.status.conditions).anySatisfy(c -> assertThat(c.reason).isEqualTo("NewReplicaSetAvailable"));
        await().atMost(Duration.ofSeconds(20)).untilAsserted(() -> {
            Endpoints ep = client.get(Endpoints.class, "rollout", "web");
            assertThat(ep.subsets).singleElement().satisfies(s -> {
                assertThat(s.addresses).hasSize(10);
                assertThat(s.ports).singleElement().satisfies(p -> assertThat(p.port).isEqualTo(8080));
            });
        });
        String base = "http://127.0.0.1:" + manager.getEnvironment().getProperty("local.server.port");
        assertThat(httpGet(base + "/actuator/health")).contains("UP");
        assertThat(httpGet(base + "/actuator/prometheus"))
                .contains("workqueue_depth{name=\"replicaset\"}")
                .contains("controller_reconcile_duration_seconds_count{controller=\"deployment\"")
                .contains("leader_election_master_status{name=\"kube-controller-manager\"} 1");
    }

    @Test
    @Order(2)
    void anImageChangeRollsOutANewReplicaSetWithoutDroppingBelowMinimumAvailability() {
        // checked on every pod event: ready pods not being deleted
        Informer<Pod> watch = new Informer<>(client, Pod.class, "rollout", ListOptions.ALL, 2);
        AtomicInteger minAvailable = new AtomicInteger(Integer.MAX_VALUE);
        AtomicInteger events = new AtomicInteger();
        watch.addHandler(new ResourceEventHandler<Pod>() {
            @Override
            public void onAdd(Pod p) {
                check();
            }

            @Override
            public void onUpdate(Pod o, Pod p) {
                check();
            }

            @Override
            public void onDelete(Pod p) {
                check();
            }

            void check() {
                events.incrementAndGet();
                long available = watch.store().list().stream()
                        .filter(p -> p.metadata.deletionTimestamp == null && p.status.condition("Ready") != null
                                && "True".equals(p.status.condition("Ready").status))
                        .count();
                minAvailable.accumulateAndGet((int) available, Math::min);
            }
        });
        watch.start();
        try {
            await().atMost(Duration.ofSeconds(10)).until(watch::hasSynced);
            minAvailable.set(Integer.MAX_VALUE);
            client.patch(Deployment.class, "rollout", "web", "application/merge-patch+json",
                    "{\"spec\":{\"template\":{\"spec\":{\"containers\":[{\"name\":\"web\",\"image\":\"web:2\",\"ports\":[{\"name\":\"http\",\"containerPort\":8080}]}]}}}}");

            await().atMost(Duration.ofSeconds(90)).until(() -> rolledOut("rollout", "web")
                    && activePods("rollout").stream().allMatch(p -> image(p).equals("web:2")));

            assertThat(events.get()).isGreaterThan(20);
            // 10 replicas, maxUnavailable 25% -> at least 8 available at every moment
            assertThat(minAvailable.get()).isGreaterThanOrEqualTo(8);
        } finally {
            watch.stop();
        }
        List<ReplicaSet> sets = client.list(ReplicaSet.class, "rollout").items;
        assertThat(sets).hasSize(2);
        assertThat(sets).filteredOn(rs -> rs.spec.replicas == 0).singleElement()
                .satisfies(rs -> assertThat(rs.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "1"));
        assertThat(sets).filteredOn(rs -> rs.spec.replicas == 10).singleElement()
                .satisfies(rs -> assertThat(rs.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "2"));
    }

    @Test
    @Order(3)
    void rollingBackReappliesTheOldTemplateAndReusesItsReplicaSet() {
        ReplicaSet first = client.list(ReplicaSet.class, "rollout").items.stream()
                .filter(rs -> "1".equals(rs.metadata.annotations.get("deployment.kubernetes.io/revision"))).findFirst().orElseThrow();
        // what kubectl rollout undo does: patch the Deployment's template to the old ReplicaSet's, minus the hash label
        PodTemplateSpec template = Json.copy(first.spec.template);
        template.metadata.labels.remove("pod-template-hash");
        client.patch(Deployment.class, "rollout", "web", "application/merge-patch+json",
                "{\"spec\":{\"template\":" + Json.write(template) + "}}");

        await().atMost(Duration.ofSeconds(90)).until(() -> rolledOut("rollout", "web")
                && activePods("rollout").stream().allMatch(p -> image(p).equals("web:1")));

        ReplicaSet reused = client.get(ReplicaSet.class, "rollout", first.metadata.name);
        assertThat(reused.spec.replicas).isEqualTo(10);
        assertThat(reused.metadata.annotations).containsEntry("deployment.kubernetes.io/revision", "3");
        assertThat(client.list(ReplicaSet.class, "rollout").items).hasSize(2);
    }

    @Test
    @Order(4)
    void deletingTheDeploymentRemovesItsReplicaSetsAndPods() {
        client.delete(Deployment.class, "rollout", "web");

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(client.list(ReplicaSet.class, "rollout").items).isEmpty();
            assertThat(client.list(Pod.class, "rollout").items).isEmpty();
        });
    }

    @Test
    @Order(5)
    void aForegroundDeleteRemovesTheDependentsBeforeTheDeployment() {
        client.create(deployment("rollout", "fg", 2, "web:1"));
        await().atMost(Duration.ofSeconds(60)).until(() -> rolledOut("rollout", "fg"));
        DeleteOptions foreground = new DeleteOptions();
        foreground.propagationPolicy = "Foreground";

        client.delete(Deployment.class, "rollout", "fg", foreground);

        // while dependents exist the Deployment stays, marked; then it goes last
        assertThat(client.find(Deployment.class, "rollout", "fg")).hasValueSatisfying(d ->
                assertThat(d.metadata.finalizers).contains("foregroundDeletion"));
        await().atMost(Duration.ofSeconds(60)).until(() -> client.find(Deployment.class, "rollout", "fg").isEmpty());
        assertThat(client.list(ReplicaSet.class, "rollout").items).isEmpty();
        assertThat(client.list(Pod.class, "rollout").items).isEmpty();
    }

    @Test
    @Order(6)
    void aNodeThatStopsHeartbeatingIsTaintedAndItsPodsAreReplacedElsewhere() {
        namespace("failover");
        Deployment d = deployment("failover", "web", 3, "web:1");
        // the demo setting: leave an unreachable node after 2 s instead of 300
        for (String key : List.of("node.kubernetes.io/unreachable", "node.kubernetes.io/not-ready")) {
            Toleration t = new Toleration();
            t.key = key;
            t.operator = "Exists";
            t.effect = "NoExecute";
            t.tolerationSeconds = 2L;
            d.spec.template.spec.tolerations.add(t);
        }
        client.create(d);
        await().atMost(Duration.ofSeconds(60)).until(() -> rolledOut("failover", "web"));
        String victim = activePods("failover").getFirst().spec.nodeName;
        List<String> doomed = activePods("failover").stream().filter(p -> victim.equals(p.spec.nodeName)).map(p -> p.metadata.name).toList();

        nodes.stop(victim);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Node n = client.get(Node.class, null, victim);
            assertThat(n.status.condition("Ready").status).isEqualTo("Unknown");
            assertThat(n.spec.taints).anySatisfy(t -> {
                assertThat(t.key).isEqualTo("node.kubernetes.io/unreachable");
                assertThat(t.effect).isEqualTo("NoExecute");
            });
            // MarkPodsNotReady: the silent node's pods are not ready any more (they stay, terminating, until the node is back)
            List<Pod> left = doomed.stream().flatMap(name -> client.find(Pod.class, "failover", name).stream()).toList();
            assertThat(left).as("the silent node's pods").isNotEmpty()
                    .allSatisfy(p -> assertThat(p.status.condition("Ready").status).as(p.metadata.name + " Ready").isEqualTo("False"));
        });
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            List<Pod> active = activePods("failover");
            assertThat(active).hasSize(3).noneMatch(p -> victim.equals(p.spec.nodeName));
            assertThat(active).extracting(p -> p.metadata.name).doesNotContainAnyElementsOf(doomed);
            assertThat(rolledOut("failover", "web")).isTrue();
        });

        nodes.resume(victim);

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            Node n = client.get(Node.class, null, victim);
            assertThat(n.status.condition("Ready").status).isEqualTo("True");
            assertThat(n.spec.taints).noneMatch(t -> t.key.startsWith("node.kubernetes.io/"));
        });
    }

    @Test
    @Order(7)
    void deletingANamespaceDeletesEverythingInItAndThenTheNamespace() {
        namespace("doomed");
        client.create(deployment("doomed", "web", 3, "web:1"));
        Service svc = new Service();
        svc.metadata.namespace = "doomed";
        svc.metadata.name = "web";
        svc.spec.selector.putAll(WEB);
        Service.ServicePort sp = new Service.ServicePort();
        sp.port = 80;
        svc.spec.ports.add(sp);
        client.create(svc);
        await().atMost(Duration.ofSeconds(60)).until(() -> rolledOut("doomed", "web"));

        client.delete(Namespace.class, null, "doomed");

        await().atMost(Duration.ofSeconds(60)).until(() -> client.find(Namespace.class, null, "doomed").isEmpty());
        assertThat(client.list(Pod.class, "doomed").items).isEmpty();
        assertThat(client.list(Deployment.class, "doomed").items).isEmpty();
        assertThat(client.list(Service.class, "doomed").items).isEmpty();
    }

    @Test
    @Order(8)
    void aPodBoundToANodeThatDoesNotExistIsMarkedFailedAndRemovedSoItsNamespaceFinishesDeleting() {
        namespace("ghost-town");
        List<Pod> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
        Informer<Pod> watch = new Informer<>(client, Pod.class, "ghost-town", null, 2).addHandler(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                seen.add(p);
            }

            @Override
            public void onUpdate(Pod o, Pod p) {
                seen.add(p);
            }

            @Override
            public void onDelete(Pod p) {
                seen.add(p);
            }
        });
        watch.start();
        try {
            Pod stranded = new Pod();
            stranded.metadata.namespace = "ghost-town";
            stranded.metadata.name = "stranded";
            Container c = new Container();
            c.name = "app";
            c.image = "web:1";
            stranded.spec.containers.add(c);
            // bound at creation to a node no kubelet will ever run; a long grace period that nobody finishes
            stranded.spec.nodeName = "node-that-never-was";
            stranded.spec.terminationGracePeriodSeconds = 3600L;
            client.create(stranded);

            client.delete(Namespace.class, null, "ghost-town");

            await().atMost(Duration.ofSeconds(60)).until(() -> client.find(Namespace.class, null, "ghost-town").isEmpty());
            assertThat(seen).as("the pod was marked Failed with Kubernetes' DisruptionTarget condition first").anySatisfy(p -> {
                assertThat(p.status.phase).isEqualTo("Failed");
                assertThat(p.status.condition("DisruptionTarget")).satisfies(cond -> {
                    assertThat(cond.status).isEqualTo("True");
                    assertThat(cond.reason).isEqualTo("DeletionByPodGC");
                    assertThat(cond.message).isEqualTo("PodGC: node no longer exists");
                });
            });
        } finally {
            watch.stop();
        }
    }

    @Test
    @Order(9)
    void aStandbyReplicaTakesOverWhenTheLeaderStops() {
        ConfigurableApplicationContext standby = startManager();
        try {
            ControllerManager leader = manager.getBean(ControllerManager.class);
            ControllerManager second = standby.getBean(ControllerManager.class);
            assertThat(leader.isLeading()).isTrue();
            await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> !second.isLeading());

            long stoppedAt = System.nanoTime();
            manager.close();
            manager = null;

            await().atMost(Duration.ofSeconds(15)).until(second::isLeading);
            assertThat(Duration.ofNanos(System.nanoTime() - stoppedAt)).isLessThan(Duration.ofSeconds(15));
            // and it works: a new Deployment gets its pods
            client.create(deployment("rollout", "after-failover", 2, "web:1"));
            await().atMost(Duration.ofSeconds(60)).until(() -> rolledOut("rollout", "after-failover"));
        } finally {
            manager = standby;
        }
    }
}
