package io.kube4j.controllermanager;

import io.kube4j.api.Container;
import io.kube4j.api.ControllerRevision;
import io.kube4j.api.DaemonSet;
import io.kube4j.api.Endpoints;
import io.kube4j.api.LabelSelector;
import io.kube4j.api.Namespace;
import io.kube4j.api.Node;
import io.kube4j.api.PersistentVolumeClaim;
import io.kube4j.api.Pod;
import io.kube4j.api.PodTemplateSpec;
import io.kube4j.api.ReplicationController;
import io.kube4j.api.Service;
import io.kube4j.api.StatefulSet;
import io.kube4j.client.ApiClient;
import io.kube4j.controllermanager.testing.SimulatedNodes;
import io.kube4j.json.Times;
import io.kube4j.quantity.Quantity;
import io.kube4j.testing.ApiServerProcess;
import io.kube4j.testing.EtcdContainer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.context.ConfigurableApplicationContext;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * The DaemonSet and StatefulSet controllers against a real apiserver on a real etcd, with simulated
 * nodes binding pods (daemon pods to the node their node affinity names) and reporting them Running.
 * StatefulSet pods are made Ready by the test itself, patching their status through the API, so the
 * OrderedReady sequence can be watched step by step. Each test uses its own namespace.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkloadControllersIT {
    static final String STS_POD_LABEL = "statefulset.kubernetes.io/pod-name";

    EtcdContainer etcd;
    ApiServerProcess apiServer;
    ApiClient client;
    SimulatedNodes nodes;
    ConfigurableApplicationContext manager;

    @BeforeAll
    void startCluster() throws Exception {
        ControllerManagerIT.useCopyOfApiServerJar();
        etcd = new EtcdContainer();
        etcd.start();
        apiServer = new ApiServerProcess(etcd.endpoint()).start();
        client = new ApiClient(apiServer.url());
        nodes = new SimulatedNodes(client, "node-1", "node-2", "node-3")
                .readinessSetByTest(p -> p.metadata.labels.containsKey(STS_POD_LABEL))
                .start();
        manager = new SpringApplicationBuilder(ControllerManagerApplication.class).run(
                "--server.port=0",
                "--kube4j.apiserver.url=" + apiServer.url(),
                "--kube4j.controller-manager.leader-elect=false");
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

    static PodTemplateSpec template(Map<String, String> labels, String image) {
        PodTemplateSpec t = new PodTemplateSpec();
        t.metadata.labels.putAll(labels);
        Container c = new Container();
        c.name = "main";
        c.image = image;
        t.spec.containers.add(c);
        t.spec.terminationGracePeriodSeconds = 1L;
        return t;
    }

    List<Pod> activePods(String ns) {
        return client.list(Pod.class, ns).items.stream().filter(p -> p.metadata.deletionTimestamp == null).toList();
    }

    static void sleep(Duration d) {
        try {
            Thread.sleep(d);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    Optional<Pod> pod(String ns, String name) {
        return client.find(Pod.class, ns, name);
    }

    /** What a kubelet's readiness probe would do: Ready=True in the pod's status, through the API. */
    void makeReady(String ns, String name) {
        await().atMost(Duration.ofSeconds(30)).until(() -> pod(ns, name).map(p -> "Running".equals(p.status.phase)).orElse(false));
        client.patchStatus(Pod.class, ns, name, "application/merge-patch+json",
                "{\"status\":{\"conditions\":[{\"type\":\"Ready\",\"status\":\"True\",\"lastTransitionTime\":\"" + Times.now() + "\"}]}}");
    }

    @Test
    void aDaemonSetRunsOnePodOnEachUntaintedNodeAndNoneOnTheTaintedOne() {
        namespace("daemons");
        client.patch(Node.class, null, "node-3", "application/merge-patch+json",
                "{\"spec\":{\"taints\":[{\"key\":\"dedicated\",\"value\":\"infra\",\"effect\":\"NoSchedule\"}]}}");
        // the controller must see the taint before the DaemonSet: a daemon pod placed on node-3 first would
        // stay there (a NoSchedule taint does not evict, as in Kubernetes) and count as misscheduled. The
        // test cannot observe the controller's informer, so it gives it time (milliseconds when idle).
        sleep(Duration.ofSeconds(2));
        DaemonSet ds = new DaemonSet();
        ds.metadata.namespace = "daemons";
        ds.metadata.name = "agent";
        ds.spec.selector = LabelSelector.of(Map.of("app", "agent"));
        ds.spec.template = template(Map.of("app", "agent"), "agent:1");
        client.create(ds);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            DaemonSet s = client.get(DaemonSet.class, "daemons", "agent");
            assertThat(s.status.desiredNumberScheduled).isEqualTo(2);
            assertThat(s.status.currentNumberScheduled).isEqualTo(2);
            assertThat(s.status.numberReady).isEqualTo(2);
            assertThat(s.status.numberAvailable).isEqualTo(2);
            assertThat(s.status.updatedNumberScheduled).isEqualTo(2);
            assertThat(s.status.numberMisscheduled).isZero();
            assertThat(s.status.observedGeneration).isEqualTo(s.metadata.generation);
        });
        List<Pod> pods = activePods("daemons");
        assertThat(pods).extracting(p -> p.spec.nodeName).containsExactlyInAnyOrder("node-1", "node-2");
        ControllerRevision revision = client.list(ControllerRevision.class, "daemons").items.getFirst();
        assertThat(pods).allSatisfy(p -> {
            assertThat(p.metadata.controllerRef().kind).isEqualTo("DaemonSet");
            assertThat(p.metadata.labels.get("controller-revision-hash")).isEqualTo(revision.metadata.labels.get("controller-revision-hash"));
            assertThat(p.spec.tolerations).anySatisfy(t -> {
                assertThat(t.key).isEqualTo("node.kubernetes.io/not-ready");
                assertThat(t.tolerationSeconds).isNull();
            });
        });
        // and it stays that way
        await().during(Duration.ofSeconds(2)).atMost(Duration.ofSeconds(4))
                .until(() -> activePods("daemons").stream().noneMatch(p -> "node-3".equals(p.spec.nodeName)) && activePods("daemons").size() == 2);
    }

    @Test
    void anOrderedReadyStatefulSetCreatesItsPodsOneAfterTheOtherAndRecreatesADeletedPodWithItsClaim() {
        namespace("stateful");
        Service headless = new Service();
        headless.metadata.namespace = "stateful";
        headless.metadata.name = "web";
        headless.spec.clusterIP = "None";
        headless.spec.selector.put("app", "web");
        Service.ServicePort port = new Service.ServicePort();
        port.name = "http";
        port.port = 80;
        headless.spec.ports.add(port);
        client.create(headless);

        StatefulSet set = new StatefulSet();
        set.metadata.namespace = "stateful";
        set.metadata.name = "web";
        set.spec.replicas = 3;
        set.spec.serviceName = "web";
        set.spec.selector = LabelSelector.of(Map.of("app", "web"));
        set.spec.template = template(Map.of("app", "web"), "web:1");
        PersistentVolumeClaim data = new PersistentVolumeClaim();
        data.metadata.name = "data";
        data.spec.accessModes.add("ReadWriteOnce");
        data.spec.resources = new PersistentVolumeClaim.VolumeResourceRequirements();
        data.spec.resources.requests.put("storage", Quantity.parse("1Gi"));
        set.spec.volumeClaimTemplates.add(data);
        client.create(set);

        // web-0 with its claim, and nothing more while web-0 is not Ready
        await().atMost(Duration.ofSeconds(30)).until(() -> pod("stateful", "web-0").isPresent());
        assertThat(client.find(PersistentVolumeClaim.class, "stateful", "data-web-0")).isPresent();
        Pod web0 = pod("stateful", "web-0").orElseThrow();
        assertThat(web0.spec.hostname).isEqualTo("web-0");
        assertThat(web0.spec.subdomain).isEqualTo("web");
        assertThat(web0.metadata.labels).containsEntry(STS_POD_LABEL, "web-0").containsEntry("apps.kubernetes.io/pod-index", "0");
        await().atMost(Duration.ofSeconds(30)).until(() -> pod("stateful", "web-0").map(p -> "Running".equals(p.status.phase)).orElse(false));
        await().during(Duration.ofSeconds(3)).atMost(Duration.ofSeconds(5)).until(() -> pod("stateful", "web-1").isEmpty());

        makeReady("stateful", "web-0");
        await().atMost(Duration.ofSeconds(30)).until(() -> pod("stateful", "web-1").isPresent());
        assertThat(client.find(PersistentVolumeClaim.class, "stateful", "data-web-1")).isPresent();
        assertThat(pod("stateful", "web-2")).isEmpty();
        makeReady("stateful", "web-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> pod("stateful", "web-2").isPresent());
        makeReady("stateful", "web-2");

        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
            StatefulSet s = client.get(StatefulSet.class, "stateful", "web");
            assertThat(s.status.replicas).isEqualTo(3);
            assertThat(s.status.readyReplicas).isEqualTo(3);
            assertThat(s.status.availableReplicas).isEqualTo(3);
            assertThat(s.status.currentReplicas).isEqualTo(3);
            assertThat(s.status.updatedReplicas).isEqualTo(3);
            assertThat(s.status.currentRevision).isNotBlank().isEqualTo(s.status.updateRevision);
            assertThat(s.status.observedGeneration).isEqualTo(s.metadata.generation);
        });
        // the headless Service's endpoints carry the pods' hostnames (what DNS names web-0.web.stateful.svc)
        await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(client.get(Endpoints.class, "stateful", "web").subsets)
                .flatExtracting(s -> s.addresses).extracting(a -> a.hostname).containsExactlyInAnyOrder("web-0", "web-1", "web-2"));

        Pod before = pod("stateful", "web-1").orElseThrow();
        PersistentVolumeClaim claimBefore = client.get(PersistentVolumeClaim.class, "stateful", "data-web-1");
        client.delete(Pod.class, "stateful", "web-1");
        await().atMost(Duration.ofSeconds(60)).until(() -> pod("stateful", "web-1")
                .map(p -> !p.metadata.uid.equals(before.metadata.uid) && p.metadata.deletionTimestamp == null).orElse(false));
        Pod after = pod("stateful", "web-1").orElseThrow();
        assertThat(after.spec.volumes).anySatisfy(v -> {
            assertThat(v.name).isEqualTo("data");
            assertThat(v.persistentVolumeClaim.claimName).isEqualTo("data-web-1");
        });
        assertThat(client.get(PersistentVolumeClaim.class, "stateful", "data-web-1").metadata.uid).isEqualTo(claimBefore.metadata.uid);
        assertThat(client.list(PersistentVolumeClaim.class, "stateful").items).extracting(c -> c.metadata.name)
                .containsExactlyInAnyOrder("data-web-0", "data-web-1", "data-web-2");
        makeReady("stateful", "web-1");
        await().atMost(Duration.ofSeconds(30)).until(() -> Integer.valueOf(3).equals(client.get(StatefulSet.class, "stateful", "web").status.readyReplicas));
    }

    @Test
    void aReplicationControllerKeepsItsReplicasScalesThroughTheScaleSubresourceAndItsPodsGoWithIt() {
        namespace("replication");
        ReplicationController rc = new ReplicationController();
        rc.metadata.namespace = "replication";
        rc.metadata.name = "nginx";
        rc.spec.replicas = 2;
        // no selector: the apiserver defaults it to the template's labels, as Kubernetes does
        rc.spec.template = template(Map.of("app", "nginx-rc"), "nginx:1");
        client.create(rc);

        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            ReplicationController s = client.get(ReplicationController.class, "replication", "nginx");
            assertThat(s.status.replicas).isEqualTo(2);
            assertThat(s.status.fullyLabeledReplicas).isEqualTo(2);
            assertThat(s.status.readyReplicas).isEqualTo(2);
            assertThat(s.status.availableReplicas).isEqualTo(2);
            assertThat(s.status.observedGeneration).isEqualTo(s.metadata.generation);
        });
        String uid = client.get(ReplicationController.class, "replication", "nginx").metadata.uid;
        assertThat(activePods("replication")).hasSize(2).allSatisfy(p -> {
            assertThat(p.metadata.name).startsWith("nginx-");
            assertThat(p.metadata.controllerRef().kind).isEqualTo("ReplicationController");
            assertThat(p.metadata.controllerRef().apiVersion).isEqualTo("v1");
            assertThat(p.metadata.controllerRef().uid).isEqualTo(uid);
        });

        // kubectl scale rc nginx --replicas=3
        io.kube4j.api.Scale scale = client.updateScale(ReplicationController.class, "replication", "nginx", 3);
        assertThat(scale.spec.replicas).isEqualTo(3);
        assertThat(client.getScale(ReplicationController.class, "replication", "nginx").status.selector).isEqualTo("app=nginx-rc");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
            assertThat(activePods("replication")).hasSize(3);
            assertThat(client.get(ReplicationController.class, "replication", "nginx").status.readyReplicas).isEqualTo(3);
        });

        // a pod deleted by hand is replaced
        String victim = activePods("replication").getFirst().metadata.name;
        client.delete(Pod.class, "replication", victim, 0);
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
                assertThat(activePods("replication")).hasSize(3).extracting(p -> p.metadata.name).doesNotContain(victim));

        // deleting the ReplicationController lets the garbage collector delete its pods
        client.delete(ReplicationController.class, "replication", "nginx");
        await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> assertThat(activePods("replication")).isEmpty());
    }
}
