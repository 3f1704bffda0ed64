package io.kube4j.apiserver;

import io.fabric8.kubernetes.api.model.Namespaced;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinition;
import io.fabric8.kubernetes.api.model.apiextensions.v1.CustomResourceDefinitionBuilder;
import io.fabric8.kubernetes.api.model.apiextensions.v1.JSONSchemaPropsBuilder;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.ConfigBuilder;
import io.fabric8.kubernetes.client.CustomResource;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.model.annotation.Group;
import io.fabric8.kubernetes.model.annotation.Version;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What an operator written with the fabric8 client does with kube4j: creates a CRD, waits for it to be
 * established, then creates, watches, reads and updates the status of typed custom resources.
 */
class Fabric8CustomResourceIT {
    static ApiServerFixture fx;
    static KubernetesClient client;

    /** A typed custom resource as fabric8 users write them. */
    @Group("demo.kube4j.io")
    @Version("v1")
    public static class Backup extends CustomResource<BackupSpec, BackupStatus> implements Namespaced {
    }

    public static class BackupSpec {
        public String schedule;
        public Integer keep;
    }

    public static class BackupStatus {
        public String phase;
    }

    @BeforeAll
    static void start() {
        fx = new ApiServerFixture().start();
        System.setProperty(Config.KUBERNETES_AUTH_TRYKUBECONFIG_SYSTEM_PROPERTY, "false");
        System.setProperty(Config.KUBERNETES_AUTH_TRYSERVICEACCOUNT_SYSTEM_PROPERTY, "false");
        Config config = new ConfigBuilder(Config.empty()).withMasterUrl(fx.apiserver.url()).withNamespace("default")
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

    static CustomResourceDefinition crd() {
        return new CustomResourceDefinitionBuilder()
                .withNewMetadata().withName("backups.demo.kube4j.io").endMetadata()
                .withNewSpec().withGroup("demo.kube4j.io").withScope("Namespaced")
                .withNewNames().withPlural("backups").withSingular("backup").withKind("Backup").withShortNames("bk").endNames()
                .addNewVersion().withName("v1").withServed(true).withStorage(true)
                .withNewSubresources().withNewStatus().endStatus().endSubresources()
                .withNewSchema().withOpenAPIV3Schema(new JSONSchemaPropsBuilder().withType("object")
                        .addToProperties("spec", new JSONSchemaPropsBuilder().withType("object").withRequired("schedule")
                                .addToProperties("schedule", new JSONSchemaPropsBuilder().withType("string").build())
                                .addToProperties("keep", new JSONSchemaPropsBuilder().withType("integer").withMinimum(1.0)
                                        .withDefault(com.fasterxml.jackson.databind.node.IntNode.valueOf(3)).build())
                                .build())
                        .addToProperties("status", new JSONSchemaPropsBuilder().withType("object")
                                .addToProperties("phase", new JSONSchemaPropsBuilder().withType("string").build()).build())
                        .build()).endSchema()
                .endVersion().endSpec().build();
    }

    @Test
    void anOperatorFlowWithTypedCustomResources() throws Exception {
        client.apiextensions().v1().customResourceDefinitions().resource(crd()).create();
        CustomResourceDefinition established = client.apiextensions().v1().customResourceDefinitions().withName("backups.demo.kube4j.io")
                .waitUntilCondition(c -> c != null && c.getStatus() != null && c.getStatus().getConditions().stream()
                        .anyMatch(x -> x.getType().equals("Established") && x.getStatus().equals("True")), 10, TimeUnit.SECONDS);
        assertThat(established.getStatus().getAcceptedNames().getKind()).isEqualTo("Backup");

        BlockingQueue<String> events = new LinkedBlockingQueue<>();
        try (Watch ignored = client.resources(Backup.class).inNamespace("default").watch(new Watcher<>() {
            @Override
            public void eventReceived(Action action, Backup resource) {
                events.add(action + " " + resource.getMetadata().getName() + " " + (resource.getStatus() == null ? "-" : resource.getStatus().phase));
            }

            @Override
            public void onClose(WatcherException cause) {
            }
        })) {
            Backup b = new Backup();
            b.getMetadata().setName("nightly");
            b.setSpec(new BackupSpec());
            b.getSpec().schedule = "0 3 * * *";
            Backup created = client.resources(Backup.class).inNamespace("default").resource(b).create();
            assertThat(created.getSpec().keep).as("schema default").isEqualTo(3);
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("ADDED nightly -");

            created.setStatus(new BackupStatus());
            created.getStatus().phase = "Done";
            Backup updated = client.resources(Backup.class).inNamespace("default").resource(created).updateStatus();
            assertThat(updated.getStatus().phase).isEqualTo("Done");
            assertThat(events.poll(10, TimeUnit.SECONDS)).isEqualTo("MODIFIED nightly Done");

            Backup read = client.resources(Backup.class).inNamespace("default").withName("nightly").get();
            assertThat(read.getStatus().phase).isEqualTo("Done");
            assertThat(read.getMetadata().getGeneration()).isEqualTo(1L);
            assertThat(client.resources(Backup.class).inNamespace("default").list().getItems()).extracting(x -> x.getMetadata().getName()).containsExactly("nightly");

            Backup invalid = new Backup();
            invalid.getMetadata().setName("invalid");
            invalid.setSpec(new BackupSpec());
            invalid.getSpec().keep = 0;
            assertThatThrownBy(() -> client.resources(Backup.class).inNamespace("default").resource(invalid).create())
                    .isInstanceOfSatisfying(KubernetesClientException.class, e -> {
                        assertThat(e.getCode()).isEqualTo(422);
                        assertThat(e.getStatus().getDetails().getCauses()).extracting(c -> c.getField() + ": " + c.getMessage())
                                .contains("spec.schedule: Required value", "spec.keep: Invalid value: 0: spec.keep in body should be greater than or equal to 1");
                    });
        }
        client.apiextensions().v1().customResourceDefinitions().withName("backups.demo.kube4j.io").delete();
        client.apiextensions().v1().customResourceDefinitions().withName("backups.demo.kube4j.io").waitUntilCondition(java.util.Objects::isNull, 10, TimeUnit.SECONDS);
    }
}
