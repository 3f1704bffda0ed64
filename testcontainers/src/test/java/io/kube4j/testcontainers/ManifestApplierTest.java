package io.kube4j.testcontainers;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class ManifestApplierTest {

    @Test
    void multiDocumentYamlSkipsEmptyDocuments() {
        List<Map<String, Object>> docs = ManifestApplier.documents("""
                ---
                apiVersion: v1
                kind: ConfigMap
                metadata: {name: a}
                ---
                ---
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: b, namespace: team}
                """);

        assertThat(docs).extracting(d -> d.get("kind")).containsExactly("ConfigMap", "Deployment");
    }

    @Test
    void aDocumentWithoutKindIsRefused() {
        assertThatThrownBy(() -> ManifestApplier.documents("metadata: {name: a}\n")).hasMessageContaining("apiVersion and kind");
    }

    @Test
    void objectPathsFollowTheApiLayout() {
        assertThat(ManifestApplier.objectPath("v1", new ManifestApplier.Resource("configmaps", true), null, "a"))
                .isEqualTo("/api/v1/namespaces/default/configmaps/a");
        assertThat(ManifestApplier.objectPath("apps/v1", new ManifestApplier.Resource("deployments", true), "team", "b"))
                .isEqualTo("/apis/apps/v1/namespaces/team/deployments/b");
        assertThat(ManifestApplier.objectPath("apiextensions.k8s.io/v1", new ManifestApplier.Resource("customresourcedefinitions", false), "ignored", "widgets.example.com"))
                .isEqualTo("/apis/apiextensions.k8s.io/v1/customresourcedefinitions/widgets.example.com");
    }
}
