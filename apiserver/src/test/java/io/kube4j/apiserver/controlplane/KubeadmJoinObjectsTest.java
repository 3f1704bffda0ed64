package io.kube4j.apiserver.controlplane;

import io.kube4j.json.Json;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

import java.nio.charset.StandardCharsets;
import java.util.Base64;

import static org.assertj.core.api.Assertions.assertThat;

/** What kubeadm writes for bootstrap-token joins (cmd/kubeadm/app/phases/bootstraptoken/clusterinfo and node). */
class KubeadmJoinObjectsTest {
    @Test
    void clusterInfoIsAKubeconfigWithOneUnnamedClusterAndNoUser() {
        String pem = "-----BEGIN CERTIFICATE-----\nMIIB\n-----END CERTIFICATE-----\n";
        JsonNode kc = Json.yaml().readTree(KubeadmJoinObjects.clusterInfoKubeconfig("https://10.0.0.1:6443", pem));
        assertThat(kc.path("kind").asString()).isEqualTo("Config");
        assertThat(kc.path("apiVersion").asString()).isEqualTo("v1");
        assertThat(kc.path("clusters")).hasSize(1);
        JsonNode cluster = kc.path("clusters").get(0);
        assertThat(cluster.path("name").asString()).isEmpty();
        assertThat(cluster.path("cluster").path("server").asString()).isEqualTo("https://10.0.0.1:6443");
        assertThat(new String(Base64.getDecoder().decode(cluster.path("cluster").path("certificate-authority-data").asString()), StandardCharsets.US_ASCII))
                .isEqualTo(pem);
        assertThat(kc.path("users").isNull()).isTrue();
        assertThat(kc.path("contexts").isNull()).isTrue();
        assertThat(kc.path("current-context").asString()).isEmpty();
    }

    @Test
    void theBindingsAndTheClusterInfoRoleAreKubeadms() {
        JsonNode bootstrap = KubeadmJoinObjects.clusterRoleBinding(KubeadmJoinObjects.KUBELET_BOOTSTRAP, "system:node-bootstrapper",
                KubeadmJoinObjects.DEFAULT_NODE_TOKEN_GROUP);
        assertThat(bootstrap.at("/metadata/name").asString()).isEqualTo("kubeadm:kubelet-bootstrap");
        assertThat(bootstrap.at("/roleRef/name").asString()).isEqualTo("system:node-bootstrapper");
        assertThat(bootstrap.at("/subjects/0/kind").asString()).isEqualTo("Group");
        assertThat(bootstrap.at("/subjects/0/name").asString()).isEqualTo("system:bootstrappers:kubeadm:default-node-token");
        JsonNode role = KubeadmJoinObjects.clusterInfoRole();
        assertThat(role.at("/metadata/namespace").asString()).isEqualTo("kube-public");
        assertThat(role.at("/rules/0/verbs/0").asString()).isEqualTo("get");
        assertThat(role.at("/rules/0/resourceNames/0").asString()).isEqualTo("cluster-info");
        JsonNode binding = KubeadmJoinObjects.clusterInfoRoleBinding();
        assertThat(binding.at("/metadata/name").asString()).isEqualTo("kubeadm:bootstrap-signer-clusterinfo");
        assertThat(binding.at("/subjects/0/kind").asString()).isEqualTo("User");
        assertThat(binding.at("/subjects/0/name").asString()).isEqualTo("system:anonymous");
    }
}
