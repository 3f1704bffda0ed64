package io.kube4j.apiserver;

import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.NamespaceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.informers.ResourceEventHandler;
import io.fabric8.kubernetes.client.informers.SharedIndexInformer;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

/** The fabric8 kubernetes-client, unmodified, against a real apiserver on a real etcd: CRUD and an informer. */
class Fabric8ClientIT {
    static ApiServerFixture fx;
    static KubernetesClient client;

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
        // only what the test says: no kubeconfig, service account or environment of this machine
        System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
        System.setProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(fx.apiserver.url()).withNamespace("default")
                // fail fast instead of retrying for minutes
                .withRequestRetryBackoffLimit(0).withRequestTimeout(15_000).build();
        client = new KubernetesClientBuilder().withConfig(config).build();
    }

    @AfterAll
    static void stop() {
        if (client != null) {
            client.close();
        }
        if (fx != null) {
            fx.close();
        }
    }

    static Pod pod(String ns, String name) {
        return new PodBuilder().withNewMetadata().withName(name).withNamespace(ns).addToLabels("app", name).endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("busybox:1.36").endContainer().endSpec().build();
    }

    @Test
    void podsCanBeCreatedReadListedPatchedAndDeleted() {
        Pod created = client.pods().inNamespace("default").resource(pod("default", "f8-pod")).create();
        Pod read = client.pods().inNamespace("default").withName("f8-pod").get();
        List<Pod> listed = client.pods().inNamespace("default").withLabel("app", "f8-pod").list().getItems();
        Pod edited = client.pods().inNamespace("default").withName("f8-pod").edit(p -> new PodBuilder(p).editMetadata().addToLabels("edited", "yes").endMetadata().build());
        client.pods().inNamespace("default").withName("f8-pod").delete();

        assertThat(created.getMetadata().getUid()).isNotBlank();
        assertThat(created.getStatus().getPhase()).isEqualTo("Pending");
        assertThat(read.getSpec().getContainers().getFirst().getImage()).isEqualTo("busybox:1.36");
        assertThat(listed).extracting(p -> p.getMetadata().getName()).containsExactly("f8-pod");
        assertThat(edited.getMetadata().getLabels()).containsEntry("edited", "yes");
        assertThat(Long.parseLong(edited.getMetadata().getResourceVersion())).isGreaterThan(Long.parseLong(created.getMetadata().getResourceVersion()));
        await().atMost(Duration.ofSeconds(10)).until(() -> client.pods().inNamespace("default").withName("f8-pod").get() == null);
    }

    @Test
    void deploymentsCanBeCreatedUpdatedScaledAndDeleted() {
        Deployment d = new DeploymentBuilder().withNewMetadata().withName("f8-web").endMetadata()
                .withNewSpec().withReplicas(1).withNewSelector().addToMatchLabels("app", "f8-web").endSelector()
                .withNewTemplate().withNewMetadata().addToLabels("app", "f8-web").endMetadata()
                .withNewSpec().addNewContainer().withName("main").withImage("nginx:1").endContainer().endSpec().endTemplate()
                .endSpec().build();

        Deployment created = client.apps().deployments().inNamespace("default").resource(d).create();
        Deployment updated = client.apps().deployments().inNamespace("default").withName("f8-web")
                .edit(x -> new DeploymentBuilder(x).editSpec().editTemplate().editSpec().editFirstContainer().withImage("nginx:2").endContainer().endSpec().endTemplate().endSpec().build());
        client.apps().deployments().inNamespace("default").withName("f8-web").scale(3);
        Deployment scaled = client.apps().deployments().inNamespace("default").withName("f8-web").get();
        client.apps().deployments().inNamespace("default").withName("f8-web").delete();

        assertThat(created.getMetadata().getGeneration()).isEqualTo(1L);
        assertThat(created.getSpec().getStrategy().getType()).isEqualTo("RollingUpdate");
        assertThat(updated.getMetadata().getGeneration()).isEqualTo(2L);
        assertThat(updated.getSpec().getTemplate().getSpec().getContainers().getFirst().getImage()).isEqualTo("nginx:2");
        assertThat(scaled.getSpec().getReplicas()).isEqualTo(3);
        await().atMost(Duration.ofSeconds(10)).until(() -> client.apps().deployments().inNamespace("default").withName("f8-web").get() == null);
    }

    @Test
    void anInformerSeesAddsUpdatesAndDeletes() throws Exception {
        client.namespaces().resource(new NamespaceBuilder().withNewMetadata().withName("f8-informer").endMetadata().build()).create();
        List<String> seen = new CopyOnWriteArrayList<>();
        SharedIndexInformer<Pod> informer = client.pods().inNamespace("f8-informer").inform(new ResourceEventHandler<>() {
            @Override
            public void onAdd(Pod p) {
                seen.add("add " + p.getMetadata().getName());
            }

            @Override
            public void onUpdate(Pod old, Pod now) {
                if (!old.getMetadata().getResourceVersion().equals(now.getMetadata().getResourceVersion())) {
                    seen.add("update " + now.getMetadata().getName() + " " + now.getMetadata().getLabels().getOrDefault("step", ""));
                }
            }

            @Override
            public void onDelete(Pod p, boolean finalStateUnknown) {
                seen.add("delete " + p.getMetadata().getName());
            }
        });
        try {
            informer.start().toCompletableFuture().get(20, TimeUnit.SECONDS);
            client.pods().inNamespace("f8-informer").resource(pod("f8-informer", "watched")).create();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("add watched"));
            client.pods().inNamespace("f8-informer").withName("watched").edit(p -> new PodBuilder(p).editMetadata().addToLabels(Map.of("step", "two")).endMetadata().build());
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("update watched two"));
            client.pods().inNamespace("f8-informer").withName("watched").delete();
            await().atMost(Duration.ofSeconds(20)).until(() -> seen.contains("delete watched"));

            assertThat(informer.getStore().list()).isEmpty();
            assertThat(seen).containsSubsequence("add watched", "update watched two", "delete watched");
        } finally {
            informer.close();
        }
    }
}
