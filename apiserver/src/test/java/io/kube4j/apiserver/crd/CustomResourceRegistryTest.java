package io.kube4j.apiserver.crd;

import io.kube4j.api.CustomResourceDefinition;
import io.kube4j.api.ResourceType;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.apply.FieldModel;
import io.kube4j.apiserver.apply.ManagedFields;
import io.kube4j.apiserver.apply.ServerSideApply;
import io.kube4j.apiserver.errors.ApiError;
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
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** Writes of a custom resource through the generic registry, on in-memory storage. */
class CustomResourceRegistryTest {
    static final ResourceType WIDGETS = new ResourceType("example.com", "v1", "widgets", "widget", "Widget", true,
            UnstructuredObject.class, List.of(), List.of());

    MemoryStorage storage;
    WatchCache cache;
    Registry registry;
    Strategies strategies;

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        strategies = TestStrategies.builtIn(null);
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
        ObjectNode body = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {app: w}}\nspec: {size: 1}\n");
        ManagedFields.recordUpdate(null, body, "kubectl-create", WIDGETS);
        return registry.create(WIDGETS, "default", body, false);
    }

    static String rv(ObjectNode o) {
        return o.path("metadata").path("resourceVersion").asString();
    }

    static final ResourceType GADGETS = new ResourceType("example.com", "v1", "gadgets", "gadget", "Gadget", true,
            UnstructuredObject.class, List.of(), List.of());

    @Test
    void withoutAStatusSubresourceAStatusChangeMovesGenerationAndAMetadataChangeDoesNot() {
        CustomResourceDefinition.Version v = Json.convert(obj("""
                name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {size: {type: integer}}}
                      status: {type: object, properties: {phase: {type: string}}}
                """), CustomResourceDefinition.Version.class);
        strategies.register(new CustomResourceStrategy(GADGETS, "example.com/v1", v));
        registry.create(GADGETS, "default", obj("apiVersion: example.com/v1\nkind: Gadget\nmetadata: {name: g}\nspec: {size: 1}\n"), false);
        ObjectNode status = registry.patch(GADGETS, "default", "g", "application/merge-patch+json", obj("status: {phase: Ready}"), Registry.Part.MAIN, false);
        assertThat(status.path("status").path("phase").asString()).isEqualTo("Ready");
        assertThat(status.path("metadata").path("generation").asInt()).isEqualTo(2);
        ObjectNode labels = registry.patch(GADGETS, "default", "g", "application/merge-patch+json", obj("metadata: {labels: {a: b}}"), Registry.Part.MAIN, false);
        assertThat(labels.path("metadata").path("generation").asInt()).isEqualTo(2);
        // with a status subresource (widgets) a status write leaves generation alone
        widget();
        ObjectNode w = registry.patch(WIDGETS, "default", "w", "application/merge-patch+json", obj("status: {phase: Ready}"), Registry.Part.STATUS, false);
        assertThat(w.path("metadata").path("generation").asInt()).isEqualTo(1);
    }

    @Test
    void schemaDefaultsAreAppliedToObjectsReadFromStorage() {
        ObjectNode stored = widget();
        CustomResourceDefinition.Version later = Json.convert(obj("""
                name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec: {type: object, properties: {size: {type: integer}, color: {type: string, default: blue}}}
                """), CustomResourceDefinition.Version.class);
        CustomResourceStrategy crs = new CustomResourceStrategy(WIDGETS, "example.com/v1", later);
        ObjectNode read = (ObjectNode) crs.defaultOnRead(stored);
        assertThat(read.path("spec").path("color").asString()).isEqualTo("blue");
        assertThat(stored.path("spec").has("color")).isFalse(); // the cached object is not touched
        ObjectNode list = obj("apiVersion: example.com/v1\nkind: WidgetList\nmetadata: {}\n");
        list.putArray("items").add(stored.deepCopy());
        assertThat(crs.defaultOnRead(list).path("items").get(0).path("spec").path("color").asString()).isEqualTo("blue");
        ObjectNode bookmark = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {resourceVersion: '5'}\n");
        assertThat(crs.defaultOnRead(bookmark)).isSameAs(bookmark);
        // a schema without defaults leaves what it reads alone
        assertThat(((CustomResourceStrategy) strategies.of(WIDGETS)).defaultOnRead(stored)).isSameAs(stored);
    }

    @Test
    void updatesCompareWithTheDefaultedOldObject() {
        CustomResourceDefinition.Version v = Json.convert(obj("""
                name: v1
                served: true
                storage: true
                schema:
                  openAPIV3Schema:
                    type: object
                    properties:
                      spec:
                        type: object
                        x-kubernetes-validations: [{rule: "self.name.size() <= 3", message: short names only}]
                        properties: {name: {type: string}, mode: {type: string, default: a}}
                """), CustomResourceDefinition.Version.class);
        CustomResourceStrategy crs = new CustomResourceStrategy(WIDGETS, "example.com/v1", v);
        // stored before the rule and the default existed; the update only adds a label
        ObjectNode stored = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {name: toolong}\n");
        ObjectNode next = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w, labels: {a: b}}\nspec: {name: toolong}\n");
        io.kube4j.api.KubeObject typed = Json.convert(next, UnstructuredObject.class);
        crs.applyDefaults(typed);
        io.kube4j.apiserver.validation.FieldErrors errs = new io.kube4j.apiserver.validation.FieldErrors();
        crs.validate(typed, errs);
        assertThat(errs.causes()).extracting(c -> c.message).containsExactly("Invalid value: \"object\": short names only");
        crs.validateUpdate(typed, Json.convert(stored, UnstructuredObject.class), errs);
        assertThat(errs.causes()).isEmpty();
    }

    @Test
    void unknownMetadataFieldsAreNotStored() {
        ObjectNode body = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: m, bogusMeta: x}\nspec: {size: 1}\n");
        ObjectNode created = registry.create(WIDGETS, "default", body, false);
        assertThat(created.path("metadata").has("bogusMeta")).isFalse();
        assertThat(((CustomResourceStrategy) strategies.of(WIDGETS)).unknownFields(
                obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: m, bogusMeta: x}\nspec: {size: 1, nope: 2}\n")))
                .containsExactlyInAnyOrder("metadata.bogusMeta", "spec.nope");
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

    static ObjectNode entry(ObjectNode obj, String manager, String operation) {
        for (var e : obj.path("metadata").path("managedFields")) {
            if (e.path("manager").asString().equals(manager) && e.path("operation").asString().equals(operation)) {
                return (ObjectNode) e;
            }
        }
        return null;
    }

    @Test
    void serverSideApplyOnTheStatusSubresourceOwnsStatusFieldsOnly() {
        widget();
        ServerSideApply ssa = new ServerSideApply(registry);
        ObjectNode config = obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: w}\nspec: {size: 7}\nstatus: {phase: Ready}\n");
        ServerSideApply.Result r = ssa.apply(WIDGETS, "default", "w", config, "operator", false, false, ManagedFields.STATUS);
        assertThat(r.created()).isFalse();
        assertThat(r.object().path("status").path("phase").asString()).isEqualTo("Ready");
        // a status write keeps the spec (status strategy) and the generation
        assertThat(r.object().path("spec").path("size").asInt()).isEqualTo(1);
        assertThat(r.object().path("metadata").path("generation").asInt()).isEqualTo(1);
        ObjectNode e = entry(r.object(), "operator", "Apply");
        assertThat(e).isNotNull();
        assertThat(e.path("subresource").asString()).isEqualTo("status");
        assertThat(e.path("fieldsV1").toString()).isEqualTo("{\"f:status\":{\"f:phase\":{}}}");
        // the creator's main-resource entry is untouched
        assertThat(entry(r.object(), "kubectl-create", "Update").path("fieldsV1").toString()).contains("f:size");
        // the same apply again is no write
        ServerSideApply.Result again = ssa.apply(WIDGETS, "default", "w", config, "operator", false, false, ManagedFields.STATUS);
        assertThat(rv(again.object())).isEqualTo(rv(r.object()));
        // status apply cannot create
        assertThatThrownBy(() -> ssa.apply(WIDGETS, "default", "missing", obj("apiVersion: example.com/v1\nkind: Widget\nmetadata: {name: missing}\nstatus: {phase: X}\n"),
                "operator", false, false, ManagedFields.STATUS))
                .isInstanceOfSatisfying(ApiError.class, ex -> assertThat(ex.code()).isEqualTo(404));
    }

    @Test
    void aStatusUpdateIsRecordedAsTheStatusSubresourcesManager() {
        widget();
        FieldModel model = FieldModel.of(registry.strategy(WIDGETS));
        ObjectNode out = registry.patch(WIDGETS, "default", "w", "application/merge-patch+json", obj("status: {phase: Ready}"), Registry.Part.STATUS, false,
                (cur, next) -> ManagedFields.recordUpdate(cur, next, "ctrl", "example.com/v1", model, ManagedFields.STATUS));
        ObjectNode e = entry(out, "ctrl", "Update");
        assertThat(e.path("subresource").asString()).isEqualTo("status");
        assertThat(e.path("fieldsV1").toString()).isEqualTo("{\"f:status\":{\"f:phase\":{}}}");
        assertThat(entry(out, "kubectl-create", "Update")).isNotNull();
    }

    @Test
    void aPutWithoutManagedFieldsKeepsThemAndAnEmptyListClearsThem() {
        ObjectNode created = widget();
        ObjectNode body = created.deepCopy();
        ((ObjectNode) body.get("metadata")).remove("managedFields");
        ((ObjectNode) body.get("spec")).put("size", 2);
        ObjectNode put = registry.update(WIDGETS, "default", "w", body, Registry.Part.MAIN, false);
        assertThat(entry(put, "kubectl-create", "Update")).isNotNull();
        FieldModel model = FieldModel.of(registry.strategy(WIDGETS));
        ObjectNode body2 = put.deepCopy();
        ((ObjectNode) body2.get("metadata")).remove("managedFields");
        ((ObjectNode) body2.get("spec")).put("size", 3);
        ObjectNode tracked = registry.update(WIDGETS, "default", "w", body2, Registry.Part.MAIN, false,
                (cur, next) -> ManagedFields.recordUpdate(cur, next, "editor", "example.com/v1", model, ""));
        // the PUT's manager takes the field it changed; the creator keeps its entry for the rest
        assertThat(entry(tracked, "editor", "Update").path("fieldsV1").toString()).isEqualTo("{\"f:spec\":{\"f:size\":{}}}");
        assertThat(entry(tracked, "kubectl-create", "Update").path("fieldsV1").toString()).isEqualTo("{\"f:metadata\":{\"f:labels\":{\"f:app\":{}}}}");
        ObjectNode reset = tracked.deepCopy();
        ((ObjectNode) reset.get("metadata")).putArray("managedFields").addObject();
        ObjectNode cleared = registry.update(WIDGETS, "default", "w", reset, Registry.Part.MAIN, false,
                (cur, next) -> ManagedFields.recordUpdate(cur, next, "editor", "example.com/v1", model, ""));
        assertThat(cleared.path("metadata").has("managedFields")).isFalse();
    }

    @Test
    void serverSideApplyMergesMapListsByTheirKeysAndSetsAsSets() {
        ServerSideApply ssa = new ServerSideApply(registry);
        ssa.apply(WIDGETS, "default", "w", obj("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec:
                  ports: [{name: http, port: 80}]
                  tags: [a]
                """), "first", false, false);
        ObjectNode both = ssa.apply(WIDGETS, "default", "w", obj("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec:
                  ports: [{name: metrics, port: 9090}]
                  tags: [b]
                """), "second", false, false).object();
        assertThat(both.path("spec").path("ports").toString()).isEqualTo("[{\"name\":\"http\",\"port\":80},{\"name\":\"metrics\",\"port\":9090}]");
        assertThat(both.path("spec").path("tags").toString()).isEqualTo("[\"a\",\"b\"]");
        assertThat(entry(both, "second", "Apply").path("fieldsV1").toString()).isEqualTo(
                "{\"f:spec\":{\"f:ports\":{\"k:{\\\"name\\\"}\":{},\"k:{\\\"name\\\":\\\"metrics\\\"}\":{\".\":{},\"f:name\":{},\"f:port\":{}}},\"f:tags\":{\"v:\\\"b\\\"\":{}}}}".replace("\"k:{\\\"name\\\"}\":{},", ""));
        // changing another manager's element value conflicts on that key's field only
        assertThatThrownBy(() -> ssa.apply(WIDGETS, "default", "w", obj("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec:
                  ports: [{name: http, port: 8080}]
                """), "second", false, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().details.causes).extracting(c -> c.field)
                        .containsExactly(".spec.ports[name=\"http\"].port"));
        // the second applier dropping its element removes only that element
        ObjectNode dropped = ssa.apply(WIDGETS, "default", "w", obj("""
                apiVersion: example.com/v1
                kind: Widget
                metadata: {name: w}
                spec: {tags: [b]}
                """), "second", false, false).object();
        assertThat(dropped.path("spec").path("ports").toString()).isEqualTo("[{\"name\":\"http\",\"port\":80}]");
    }
}
