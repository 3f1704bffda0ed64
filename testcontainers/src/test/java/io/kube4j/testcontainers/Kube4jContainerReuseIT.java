package io.kube4j.testcontainers;

import org.junit.jupiter.api.Test;

import io.fabric8.kubernetes.api.model.ConfigMap;
import io.fabric8.kubernetes.api.model.ManagedFieldsEntry;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * {@code withReuse(true)}: a second container with the same settings is the first one (same id, same
 * objects), and its manifests are applied again without error (server-side apply). Needs reuse enabled
 * for Testcontainers ({@code TESTCONTAINERS_REUSE_ENABLE=true}, set by this module's failsafe configuration).
 */
class Kube4jContainerReuseIT {
    static final String IMAGE = System.getProperty("kube4j.all-in-one.image", "kube4j/all-in-one:latest");
    static final String MANIFEST = """
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: reused
            data:
              answer: "42"
            """;

    @Test
    void aSecondContainerWithTheSameSettingsIsTheFirstOne() throws Exception {
        Kube4jContainer first = new Kube4jContainer(IMAGE).withReuse(true).withManifest(MANIFEST);
        try {
            first.start();
            Kube4jContainer second = new Kube4jContainer(IMAGE).withReuse(true).withManifest(MANIFEST);
            second.start();

            assertThat(second.getContainerId()).isEqualTo(first.getContainerId());
            assertThat(second.getApiServerUrl()).isEqualTo(first.getApiServerUrl());
            // the same cluster, so the same CA and admin credentials
            assertThat(second.getKubeConfigYaml()).isEqualTo(first.getKubeConfigYaml());
            try (KubernetesClient client = new KubernetesClientBuilder().withConfig(Config.fromKubeconfig(second.getKubeConfigYaml())).build()) {
                ConfigMap cm = client.configMaps().inNamespace("default").withName("reused").get();
                assertThat(cm.getData()).containsEntry("answer", "42");
                assertThat(cm.getMetadata().getManagedFields()).extracting(ManagedFieldsEntry::getManager).contains("testcontainers-kube4j");
            }
        } finally {
            // a reused container outlives the JVM unless stopped: this test leaves nothing behind
            first.stop();
        }
    }
}
