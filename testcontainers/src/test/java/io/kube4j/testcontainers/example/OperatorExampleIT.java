package io.kube4j.testcontainers.example;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ConfigMapBuilder;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.kube4j.testcontainers.Kube4jContainer;
import io.kubernetes.client.informer.SharedIndexInformer;
import io.kubernetes.client.informer.SharedInformerFactory;
import io.kubernetes.client.openapi.ApiClient;
import io.kubernetes.client.openapi.apis.CoreV1Api;
import io.kubernetes.client.openapi.models.V1Node;
import io.kubernetes.client.openapi.models.V1NodeCondition;
import io.kubernetes.client.openapi.models.V1Pod;
import io.kubernetes.client.openapi.models.V1PodList;
import io.kubernetes.client.util.ClientBuilder;
import io.kubernetes.client.util.KubeConfig;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.StringReader;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/**
 * kube4j used as a user's operator tests would use it: one {@link Kube4jContainer} with two hollow nodes
 * and a ConfigMap applied at start; fabric8 runs the example operator ({@link ConfigMapDeploymentOperator},
 * informers + work queue) and the official Kubernetes Java client watches the pods with its own informer.
 * The image is the one this build made from the all-in-one jar (system property
 * {@code kube4j.all-in-one.image}, set by the pom).
 */
class OperatorExampleIT {
    static final String IMAGE = System.getProperty("kube4j.all-in-one.image", "kube4j/all-in-one:latest");

    static final Kube4jContainer kube4j = new Kube4jContainer(IMAGE)
            .withNodes(2)
            .withNodeCapacity("2", "4Gi")
            // applied through the API once the nodes are Ready: the operator's input
            .withManifest("""
                    apiVersion: v1
                    kind: ConfigMap
                    metadata:
                      name: web
                      namespace: default
                      labels:
                        example.kube4j.io/web-app: "true"
                    data:
                      image: nginx:1.27
                      replicas: "3"
                    """);

    static KubernetesClient fabric8;
    static ApiClient official;

    @BeforeAll
    static void start() throws Exception {
        long t0 = System.nanoTime();
        kube4j.start();
        long fromStart = TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - t0);
        System.out.printf("kube4j started: %d ms from Kube4jContainer.start() to Ready (manifests applied);"
                + " %d ms from the container's JVM start to all nodes Ready%n", fromStart, kube4j.getReadyMillis());
        fabric8 = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(kube4j.getKubeConfigYaml())).build();
        official = ClientBuilder.kubeconfig(KubeConfig.loadKubeConfig(new StringReader(kube4j.getKubeConfigYaml()))).build();
        // watches stay open: no read timeout for the official client's informer
        official.setHttpClient(official.getHttpClient().newBuilder().readTimeout(0, TimeUnit.SECONDS).build());
    }

    @AfterAll
    static void stop() {
        if (fabric8 != null) {
            fabric8.close();
        }
        kube4j.stop();
    }

    @Test
    void theNodesAreReadyWithTheAskedCapacity() throws Exception {
        List<V1Node> nodes = new CoreV1Api(official).listNode().execute().getItems();

        assertThat(nodes).extracting(n -> n.getMetadata().getName()).containsExactlyInAnyOrder("node-0", "node-1");
        for (V1Node n : nodes) {
            assertThat(n.getStatus().getConditions()).filteredOn(c -> "Ready".equals(c.getType()))
                    .extracting(V1NodeCondition::getStatus).containsExactly("True");
            assertThat(n.getStatus().getCapacity().get("cpu").toSuffixedString()).isEqualTo("2");
            assertThat(n.getStatus().getCapacity().get("memory").toSuffixedString()).isEqualTo("4Gi");
        }
        assertThat(fabric8.nodes().list().getItems()).hasSize(2);
        assertThat(kube4j.getReadyMillis()).isPositive();
    }

    @Test
    void theStartupManifestIsAppliedServerSide() {
        ConfigMap web = fabric8.configMaps().inNamespace("default").withName("web").get();

        assertThat(web.getData()).containsEntry("replicas", "3").containsEntry("image", "nginx:1.27");
        assertThat(web.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager, ManagedFieldsEntry::getOperation)
                .contains(org.assertj.core.groups.Tuple.tuple("testcontainers-kube4j", "Apply"));
    }

    @Test
    void theOperatorRunsTheAppOnTheHollowNodesAndReportsProgress() throws Exception {
        // the official client's informer: every pod of the app, as the operator's user would watch them
        SharedInformerFactory factory = new SharedInformerFactory(official);
        CoreV1Api core = new CoreV1Api(official);
        SharedIndexInformer<V1Pod> pods = factory.sharedIndexInformerFor(params -> core.listNamespacedPod("default")
                .labelSelector("app=web").resourceVersion(params.resourceVersion).watch(params.watch)
                .timeoutSeconds(params.timeoutSeconds).buildCall(null), V1Pod.class, V1PodList.class);
        factory.startAllRegisteredInformers();
        try (ConfigMapDeploymentOperator operator = new ConfigMapDeploymentOperator(fabric8, "default")) {
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(annotation()).isEqualTo("3/3");
                assertThat(pods.getIndexer().list()).hasSize(3).allSatisfy(p -> {
                    assertThat(p.getStatus().getPhase()).isEqualTo("Running");
                    assertThat(p.getSpec().getNodeName()).isIn("node-0", "node-1");
                });
            });

            // scale down through the operator's input
            fabric8.configMaps().inNamespace("default").resource(new ConfigMapBuilder(fabric8.configMaps().inNamespace("default").withName("web").get())
                    .addToData("replicas", "1").build()).update();

            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                assertThat(annotation()).isEqualTo("1/1");
                assertThat(pods.getIndexer().list()).filteredOn(p -> p.getMetadata().getDeletionTimestamp() == null).hasSize(1);
                assertThat(fabric8.apps().deployments().inNamespace("default").withName("web").get().getSpec().getReplicas()).isEqualTo(1);
            });
        } finally {
            factory.stopAllRegisteredInformers();
        }
    }

    private static String annotation() {
        ConfigMap cm = fabric8.configMaps().inNamespace("default").withName("web").get();
        return cm.getMetadata().getAnnotations() == null ? null : cm.getMetadata().getAnnotations().get(ConfigMapDeploymentOperator.READY_ANNOTATION);
    }
}
