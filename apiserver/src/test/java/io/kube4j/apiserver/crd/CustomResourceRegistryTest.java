package io.kube4j.apiserver.crd;

import io.kube4j.api.CustomResourceDefinition;
import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.apply.ManagedFields;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.Strategies;
import io.kube4j.apiserver.registry.TestStrategies;
import io.kube4j.apiserver.registry.kinds.SystemObjects;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;

import static org.assertj.core.api.Assertions.assertThat;

/** Writes of a custom resource through the generic registry, on in-memory storage. */
class CustomResourceRegistryTest {
    static final ResourceType WIDGETS = new ResourceType("example.com", "v1", "widgets", "widget", "Widget", true,
            UnstructuredObject.class, List.of(), List.of());

    MemoryStorage storage;
    WatchCache cache;
    Registry registry;

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        Strategies strategies = TestStrategies.builtIn(null);
        CustomResourceDefinition.Version v = Json.convert(obj("""
                name: v1
                served: true
                storage: true
                subresources: {status: {}}
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        properties:
                          size: {type: integer}
                          ports:
                            type: array
                            x-kubernetes-list-type: map
                            x-kubernetes-list-map-keys: [name]
                            items:
                              type: object
                              required: [name]
                              properties:
                                name: {type: string}
                                port: {type: integer}
                          tags:
                            type: array
                            x-kubernetes-list-type: set
                            items: {type: string}
                      status:
                        type: object
                        properties:
                          phase: {type: string}
                """), CustomResourceDefinition.Version.class);
        strategies.register(new CustomResourceStrategy(WIDGETS, "example.com/v1", v));
        registry = new Registry(storage, cache, props, strategies, List.of(new NamespaceLifecycle(cache, storage)));
        cache.start();
        for (int i = 0; i < 200 && !cache.isReady(); i++) {
            Thread.sleep(10);
        }
        new SystemObjects(registry).ensure();
    }

    @AfterEach
    void tearDown() {
        cache.close();
    }

    static ObjectNode obj(String yaml) {
        return (ObjectNode) Json.mapper().valueToTree(Json.readYaml(yaml, Object.class));
    }

    ObjectNode widget() {
        ObjectNode body = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 1}\n");
        ManagedFields.recordUpdate(null, body, "kubectl-create", WIDGETS);
        return registry.create(WIDGETS, "default", body, false);
    }

    static String rv(ObjectNode o) {
        return o.path("metadata").path("resourceVersion").asString();
    }

    @Test
    void aStatusWriteThatChangesNothingIsNoWrite() {
        widget();
        ObjectNode first = registry.patch(WIDGETS, "default", "w", "application/merge-patch+json", obj("status: {phase: Ready}"), Registry.Part.STATUS, false);
        long before = storage.currentRevision();
        ObjectNode again = registry.patch(WIDGETS, "default", "w", "application/merge-patch+json", obj("status: {phase: Ready}"), Registry.Part.STATUS, false);
        assertThat(rv(again)).isEqualTo(rv(first));
        assertThat(storage.currentRevision()).isEqualTo(before);
        ObjectNode put = registry.update(WIDGETS, "default", "w", again.deepCopy(), Registry.Part.STATUS, false);
        assertThat(rv(put)).isEqualTo(rv(first));
        assertThat(storage.currentRevision()).isEqualTo(before);
    }

    @Test
    void aPatchThatOnlyAddsAPrunedFieldIsNoWriteAndOwnsNothing() {
        ObjectNode created = widget();
        long before = storage.currentRevision();
        ObjectNode patched = registry.patch(WIDGETS, "default", "w", "application/merge-patch+json", obj("spec: {bogus: x}"), Registry.Part.MAIN, false,
                (cur, next) -> ManagedFields.recordUpdate(cur, next, "kubectl-patch", WIDGETS));
        assertThat(patched.path("spec").has("bogus")).isFalse();
        assertThat(rv(patched)).isEqualTo(rv(created));
        assertThat(patched.path("metadata").path("generation").asInt()).isEqualTo(1);
        assertThat(storage.currentRevision()).isEqualTo(before);
        assertThat(patched.path("metadata").path("managedFields").toString()).doesNotContain("bogus").doesNotContain("kubectl-patch");
    }
}
