package io.kube4j.apiserver.registry;

import io.kube4j.api.DeleteOptions;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.kinds.SystemObjects;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.kube4j.json.Json;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/** The generic registry on in-memory storage: the rules every kind shares, and that strategies plug in per kind. */
class RegistryTest {
    MemoryStorage storage;
    WatchCache cache;
    Registry registry;

    @BeforeEach
    void setUp() throws Exception {
        ApiServerProperties props = TestStrategies.defaultProperties();
        storage = new MemoryStorage();
        cache = new WatchCache(storage, props, new SimpleMeterRegistry());
        registry = new Registry(storage, cache, props, TestStrategies.builtIn(null), List.of(new NamespaceLifecycle(cache, storage)));
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

    static ObjectNode configMap(String name, String value) {
        return obj("apiVersion: v1\nkind: Endpoints\nmetadata: {name: " + name + "}\nsubsets: [{addresses: [{ip: " + value + "}]}]\n");
    }

    static ObjectNode pod(String name) {
        return obj("""
                apiVersion: v1
                kind: Pod
                metadata: {name: %s}
                spec:
                  containers: [{name: c, image: busybox:1.36}]
                """.formatted(name));
    }

    @Test
    void createSetsIdentityAndGenerationAndResetsStatusPerStrategy() {
        ObjectNode body = pod("p1");
        body.putObject("status").put("phase", "Running");
        ObjectNode created = registry.create(ResourceTypes.PODS, "default", body, false);
        assertThat(created.path("metadata").path("uid").asString()).isNotEmpty();
        // pods keep no generation in Kubernetes 1.32 (pod strategy PrepareForCreate sets none)
        assertThat(created.path("metadata").has("generation")).isFalse();
        assertThat(created.path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(storage.currentRevision()));
        // PodStrategy.prepareForCreate: a client cannot create a Running pod
        assertThat(created.path("status").path("phase").asString()).isEqualTo("Pending");
        // PodStrategy defaults
        assertThat(created.path("spec").path("restartPolicy").asString()).isEqualTo("Always");
    }

    /** A create is encoded once: the JSON it answers is the stored bytes with the resourceVersion, equal to encoding the object. */
    @Test
    void createEncodedAnswersTheStoredBytesWithTheResourceVersion() {
        ObjectNode body = pod("encoded-once");
        body.putObject("metadata").put("name", "encoded-once").putObject("annotations").put("note", "x \"quoted\" \u00e9 }");
        Registry.Created created = registry.createEncoded(ResourceTypes.PODS, "default", body, false);
        assertThat(created.json()).isNotNull();
        assertThat(new String(created.json(), java.nio.charset.StandardCharsets.UTF_8))
                .isEqualTo(new String(Json.writeBytes(created.object()), java.nio.charset.StandardCharsets.UTF_8));
        assertThat(created.object().path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(storage.currentRevision()));
        // what etcd holds has no resourceVersion (the revision is the version)
        byte[] stored = storage.get(Registry.key(ResourceTypes.PODS, "default", "encoded-once")).orElseThrow().value();
        assertThat(Json.tree(stored).path("metadata").has("resourceVersion")).isFalse();
        // a dry run has nothing stored to reuse
        assertThat(registry.createEncoded(ResourceTypes.PODS, "default", pod("dry"), true).json()).isNull();
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"}\"}},\"spec\":{}}|{\"apiVersion\":\"v1\",\"metadata\":{\"name\":\"a\",\"labels\":{\"x\":\"}\"},\"resourceVersion\":\"42\"},\"spec\":{}}",
            "{\"metadata\":{}}|{\"metadata\":{\"resourceVersion\":\"42\"}}",
            "{\"data\":{\"metadata\":{}},\"metadata\":{\"name\":\"b\"}}|{\"data\":{\"metadata\":{}},\"metadata\":{\"name\":\"b\",\"resourceVersion\":\"42\"}}",
            "{\"kind\":\"X\"}|",
            "{\"metadata\":null}|"})
    void theResourceVersionIsSplicedIntoTheTopLevelMetadata(String stored, String expected) {
        byte[] out = Registry.withResourceVersion(stored.getBytes(java.nio.charset.StandardCharsets.UTF_8), "42");
        assertThat(out == null ? null : new String(out, java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(expected);
    }

    /**
     * The allocation-free check behind typedOrder says "in order" exactly when reordering would change nothing:
     * the type's fields first in its order, then the others in theirs.
     */
    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.CsvSource(delimiter = '|', value = {
            "{\"a\":1,\"b\":2,\"x\":3}|{\"a\":0,\"b\":0,\"c\":0}|true",
            "{\"a\":1,\"c\":2}|{\"a\":0,\"b\":0,\"c\":0}|true",
            "{\"b\":1,\"a\":2}|{\"a\":0,\"b\":0}|false",
            "{\"x\":1,\"a\":2}|{\"a\":0}|false",
            "{\"a\":1,\"x\":2,\"b\":3}|{\"a\":0,\"b\":0}|false",
            "{\"x\":1,\"y\":2}|{\"a\":0}|true",
            "{}|{\"a\":0}|true",
            "{\"c\":1}|{\"a\":0,\"b\":0,\"c\":0}|true"})
    void typedOrderIsCheckedWithoutReordering(String base, String top, boolean inOrder) {
        ObjectNode b = (ObjectNode) Json.tree(base);
        ObjectNode t = (ObjectNode) Json.tree(top);
        assertThat(Registry.inTypedOrder(b, t)).isEqualTo(inOrder);
        // and it agrees with what the reordering does
        ObjectNode reordered = b.deepCopy();
        Registry.typedOrderDeep(reordered, t);
        assertThat(List.copyOf(reordered.propertyNames()).equals(List.copyOf(b.propertyNames()))).isEqualTo(inOrder);
    }

    /**
     * A create stores exactly what encoding the request overlaid with its defaulted typed view gives: fields
     * kube4j does not model (at the top, in the spec and in a container) and empty values the client sent stay
     * where the typed order puts them, integers are written as integers, and the response is those bytes with
     * the resourceVersion.
     */
    @Test
    void createStoresTheOverlaidObjectInTypedOrder() {
        ObjectNode body = obj("""
                kind: Pod
                apiVersion: v1
                spec:
                  someFutureField: {a: 1}
                  containers: [{image: busybox:1.36, name: c, args: [], futureContainerField: 1.5}]
                  terminationGracePeriodSeconds: 12345678901
                  nodeSelector: {}
                metadata: {name: overlaid, labels: {}}
                topLevelUnknown: x
                """);
        Registry.Created created = registry.createEncoded(ResourceTypes.PODS, "default", body, false);
        String stored = new String(storage.get(Registry.key(ResourceTypes.PODS, "default", "overlaid")).orElseThrow().value(),
                java.nio.charset.StandardCharsets.UTF_8);
        ObjectNode tree = (ObjectNode) Json.tree(stored);
        assertThat(List.copyOf(tree.propertyNames())).containsExactly("apiVersion", "kind", "metadata", "spec", "status", "topLevelUnknown");
        assertThat(stored).contains("\"terminationGracePeriodSeconds\":12345678901");
        assertThat(tree.path("spec").path("someFutureField").path("a").asInt()).isEqualTo(1);
        assertThat(tree.path("spec").has("nodeSelector")).isTrue();
        assertThat(tree.path("metadata").has("labels")).isTrue();
        JsonNode c = tree.path("spec").path("containers").get(0);
        assertThat(List.copyOf(c.propertyNames()).subList(0, 2)).containsExactly("name", "image");
        assertThat(c.path("futureContainerField").asDouble()).isEqualTo(1.5);
        assertThat(c.has("args")).isTrue();
        // defaults were laid over the request (PodStrategy: restartPolicy Always, the container's imagePullPolicy)
        assertThat(tree.path("spec").path("restartPolicy").asString()).isEqualTo("Always");
        assertThat(c.path("terminationMessagePolicy").asString()).isEqualTo("File");
        // the stored bytes are the canonical encoding of what they hold, and the response is them with the resourceVersion
        assertThat(stored).isEqualTo(Json.write(tree));
        ObjectNode withRv = tree.deepCopy();
        ((ObjectNode) withRv.get("metadata")).put("resourceVersion", created.object().path("metadata").path("resourceVersion").asString());
        assertThat(new String(created.json(), java.nio.charset.StandardCharsets.UTF_8)).isEqualTo(Json.write(withRv));
    }

    @Test
    void createInMissingNamespaceIsNotFoundAndStoresNothing() {
        long before = storage.currentRevision();
        assertThatThrownBy(() -> registry.create(ResourceTypes.PODS, "nope", pod("p"), false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(404);
                    assertThat(e.getMessage()).isEqualTo("namespaces \"nope\" not found");
                });
        assertThat(storage.currentRevision()).isEqualTo(before);
    }

    @Test
    void invalidObjectIs422WithFieldPathAndStoresNothing() {
        long before = storage.currentRevision();
        ObjectNode bad = pod("Bad_Name");
        assertThatThrownBy(() -> registry.create(ResourceTypes.PODS, "default", bad, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().details.causes).extracting(c -> c.field).contains("metadata.name");
                });
        assertThat(storage.currentRevision()).isEqualTo(before);
    }

    @Test
    void generationMovesOnSpecChangeOnlyAndStatusWritesKeepSpec() {
        registry.create(ResourceTypes.DEPLOYMENTS, "default", obj("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}}
                    spec: {containers: [{name: c, image: busybox:1.36}]}
                """), false);
        ObjectNode labelled = registry.patch(ResourceTypes.DEPLOYMENTS, "default", "d", "application/merge-patch+json",
                obj("metadata: {labels: {x: y}}"), Registry.Part.MAIN, false);
        assertThat(labelled.path("metadata").path("generation").asInt()).isEqualTo(1);
        ObjectNode scaled = registry.patch(ResourceTypes.DEPLOYMENTS, "default", "d", "application/merge-patch+json",
                obj("spec: {replicas: 4}"), Registry.Part.MAIN, false);
        assertThat(scaled.path("metadata").path("generation").asInt()).isEqualTo(2);
        ObjectNode status = registry.patch(ResourceTypes.DEPLOYMENTS, "default", "d", "application/merge-patch+json",
                obj("spec: {replicas: 9}\nstatus: {replicas: 4}"), Registry.Part.STATUS, false);
        assertThat(status.path("spec").path("replicas").asInt()).isEqualTo(4);
        assertThat(status.path("status").path("replicas").asInt()).isEqualTo(4);
        assertThat(status.path("metadata").path("generation").asInt()).isEqualTo(2);
        // a main write cannot change the status of a kind with a status subresource
        ObjectNode main = registry.patch(ResourceTypes.DEPLOYMENTS, "default", "d", "application/merge-patch+json",
                obj("status: {replicas: 99}"), Registry.Part.MAIN, false);
        assertThat(main.path("status").path("replicas").asInt()).isEqualTo(4);
    }

    /**
     * The kinds whose strategy keeps {@code metadata.generation} in Kubernetes 1.32 (PrepareForCreate sets 1):
     * {@code pkg/registry/{apps/*,batch/*,core/replicationcontroller,core/podtemplate,policy/poddisruptionbudget,
     * networking/{ingress,ingressclass,networkpolicy},discovery/endpointslice,flowcontrol/*,
     * admissionregistration/validatingadmissionpolicy*}/strategy.go}; not ControllerRevisions, HPAs (the HPAGeneration
     * gate came later), Pods (PodObservedGenerationTracking came in 1.33) nor any other kind served here.
     */
    @Test
    void exactlyTheKindsKubernetesGivesAGenerationTrackIt() {
        Strategies strategies = TestStrategies.builtIn(null);
        List<String> tracked = ResourceTypes.ALL.stream().filter(rt -> strategies.of(rt).tracksGeneration()).map(rt -> rt.resource()).toList();
        assertThat(tracked).containsExactlyInAnyOrder("replicationcontrollers", "podtemplates", "replicasets", "deployments", "daemonsets",
                "statefulsets", "jobs", "cronjobs", "poddisruptionbudgets", "endpointslices", "ingresses", "ingressclasses", "networkpolicies",
                "validatingadmissionpolicies", "validatingadmissionpolicybindings", "flowschemas", "prioritylevelconfigurations");
        assertThat(strategies.of(io.kube4j.apiserver.crd.CustomResourceDefinitionStrategy.TYPE).tracksGeneration()).isTrue();
    }

    @Test
    void aKindThatTracksGenerationCountsSpecChangesAndAKindThatDoesNotHasNone() {
        // ReplicaSet (replicaset strategy): 1 on create, 2 after a spec change, still 2 after a metadata-only change
        ObjectNode rs = registry.create(ResourceTypes.REPLICASETS, "default", obj("""
                apiVersion: apps/v1
                kind: ReplicaSet
                metadata: {name: rs}
                spec:
                  selector: {matchLabels: {app: rs}}
                  template:
                    metadata: {labels: {app: rs}}
                    spec: {containers: [{name: c, image: busybox:1.36}]}
                """), false);
        assertThat(rs.path("metadata").path("generation").asLong()).isEqualTo(1L);
        ((ObjectNode) rs.get("spec")).put("replicas", 3);
        ObjectNode scaled = registry.update(ResourceTypes.REPLICASETS, "default", "rs", rs, Registry.Part.MAIN, false);
        assertThat(scaled.path("metadata").path("generation").asLong()).isEqualTo(2L);
        ObjectNode relabelled = registry.patch(ResourceTypes.REPLICASETS, "default", "rs", "application/merge-patch+json",
                obj("metadata: {labels: {x: y}, annotations: {a: b}}"), Registry.Part.MAIN, false);
        assertThat(relabelled.path("metadata").path("generation").asLong()).isEqualTo(2L);
        // a client cannot set it (BeforeUpdate keeps the stored value)
        ObjectNode forged = relabelled.deepCopy();
        ((ObjectNode) forged.get("metadata")).put("generation", 40);
        assertThat(registry.update(ResourceTypes.REPLICASETS, "default", "rs", forged, Registry.Part.MAIN, false)
                .path("metadata").path("generation").asLong()).isEqualTo(2L);

        // ConfigMap (configmap strategy sets none): absent on create, after a data change and after a metadata-only change
        ObjectNode cm = registry.create(ResourceTypes.CONFIGMAPS, "default", obj("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: cm}\ndata: {k: v}\n"), false);
        assertThat(cm.path("metadata").has("generation")).isFalse();
        ((ObjectNode) cm.get("data")).put("k", "w");
        ObjectNode changed = registry.update(ResourceTypes.CONFIGMAPS, "default", "cm", cm, Registry.Part.MAIN, false);
        assertThat(changed.path("data").path("k").asString()).isEqualTo("w");
        assertThat(changed.path("metadata").has("generation")).isFalse();
        ObjectNode labelled = registry.patch(ResourceTypes.CONFIGMAPS, "default", "cm", "application/merge-patch+json",
                obj("metadata: {labels: {x: y}}"), Registry.Part.MAIN, false);
        assertThat(labelled.path("metadata").has("generation")).isFalse();
        ObjectNode forgedCm = labelled.deepCopy();
        ((ObjectNode) forgedCm.get("metadata")).put("generation", 40);
        ((ObjectNode) forgedCm.get("data")).put("k", "z");
        assertThat(registry.update(ResourceTypes.CONFIGMAPS, "default", "cm", forgedCm, Registry.Part.MAIN, false)
                .path("metadata").has("generation")).isFalse();
    }

    @Test
    void whatCountsForGenerationIsTheKindsOwn() {
        // Deployment: annotations count too ("annotations are copied from deployments to their replica sets"), labels do not
        registry.create(ResourceTypes.DEPLOYMENTS, "default", obj("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: d}
                spec:
                  selector: {matchLabels: {app: d}}
                  template:
                    metadata: {labels: {app: d}}
                    spec: {containers: [{name: c, image: busybox:1.36}]}
                """), false);
        assertThat(registry.patch(ResourceTypes.DEPLOYMENTS, "default", "d", "application/merge-patch+json", obj("metadata: {labels: {x: y}}"),
                Registry.Part.MAIN, false).path("metadata").path("generation").asLong()).isEqualTo(1L);
        assertThat(registry.patch(ResourceTypes.DEPLOYMENTS, "default", "d", "application/merge-patch+json", obj("metadata: {annotations: {x: y}}"),
                Registry.Part.MAIN, false).path("metadata").path("generation").asLong()).isEqualTo(2L);
        // EndpointSlice: anything but metadata, and the labels
        registry.create(ResourceTypes.ENDPOINTSLICES, "default", obj("""
                apiVersion: discovery.k8s.io/v1
                kind: EndpointSlice
                metadata: {name: s}
                addressType: IPv4
                endpoints: [{addresses: [10.0.0.1]}]
                """), false);
        assertThat(registry.patch(ResourceTypes.ENDPOINTSLICES, "default", "s", "application/merge-patch+json", obj("metadata: {annotations: {x: y}}"),
                Registry.Part.MAIN, false).path("metadata").path("generation").asLong()).isEqualTo(1L);
        assertThat(registry.patch(ResourceTypes.ENDPOINTSLICES, "default", "s", "application/merge-patch+json", obj("metadata: {labels: {x: y}}"),
                Registry.Part.MAIN, false).path("metadata").path("generation").asLong()).isEqualTo(2L);
        assertThat(registry.patch(ResourceTypes.ENDPOINTSLICES, "default", "s", "application/merge-patch+json", obj("endpoints: [{addresses: [10.0.0.2]}]"),
                Registry.Part.MAIN, false).path("metadata").path("generation").asLong()).isEqualTo(3L);
        // PodTemplate: the template
        registry.create(ResourceTypes.PODTEMPLATES, "default", obj("""
                apiVersion: v1
                kind: PodTemplate
                metadata: {name: t}
                template:
                  spec: {containers: [{name: c, image: busybox:1.36}]}
                """), false);
        assertThat(registry.patch(ResourceTypes.PODTEMPLATES, "default", "t", "application/merge-patch+json", obj("template: {metadata: {labels: {x: y}}}"),
                Registry.Part.MAIN, false).path("metadata").path("generation").asLong()).isEqualTo(2L);
        // a Pod's spec change moves nothing
        registry.create(ResourceTypes.PODS, "default", pod("gen"), false);
        assertThat(registry.patch(ResourceTypes.PODS, "default", "gen", "application/merge-patch+json",
                obj("spec: {activeDeadlineSeconds: 30}"), Registry.Part.MAIN, false).path("metadata").has("generation")).isFalse();
    }

    @Test
    void paginatedListsCountTheRemainingItemsOnlyWhenUnfiltered() {
        for (int i = 0; i < 5; i++) {
            registry.create(ResourceTypes.ENDPOINTS, "default", configMap("page-" + i, "10.0.0." + (i + 1)), false);
        }
        ObjectNode first = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 2, null, null);
        assertThat(first.path("items").size()).isEqualTo(2);
        assertThat(first.path("metadata").path("remainingItemCount").asLong()).isEqualTo(3);
        String token = first.path("metadata").path("continue").asString();
        ObjectNode second = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 2, token, null);
        assertThat(second.path("metadata").path("remainingItemCount").asLong()).isEqualTo(1);
        ObjectNode last = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 2, second.path("metadata").path("continue").asString(), null);
        assertThat(last.path("items").size()).isEqualTo(1);
        assertThat(last.path("metadata").has("continue")).isFalse();
        assertThat(last.path("metadata").has("remainingItemCount")).isFalse();
        // a selector makes etcd's count wrong for what the client sees: Kubernetes leaves it unset
        ObjectNode filtered = registry.list(ResourceTypes.ENDPOINTS, "default", null, "metadata.name!=page-0", 2, null, null);
        assertThat(filtered.path("metadata").has("continue")).isTrue();
        assertThat(filtered.path("metadata").has("remainingItemCount")).isFalse();
    }

    @Test
    void objectsAreStoredWithTheirTypeAndExactListsStayOnTheirRevision() {
        ObjectNode typeless = registry.create(ResourceTypes.ENDPOINTS, "default", obj("metadata: {name: typeless}"), false);
        assertThat(typeless.path("kind").asString()).isEqualTo("Endpoints");
        assertThat(registry.get(ResourceTypes.ENDPOINTS, "default", "typeless").path("apiVersion").asString()).isEqualTo("v1");

        long at = Long.parseLong(registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 0, null, null).path("metadata").path("resourceVersion").asString());
        int before = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 0, null, null).path("items").size();
        for (int i = 0; i < 3; i++) {
            registry.create(ResourceTypes.ENDPOINTS, "default", configMap("later-" + i, "10.0.1." + (i + 1)), false);
        }
        // Exact: every page is the state at that revision, and says so; the later objects never appear
        ObjectNode page = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 1, null, Long.toString(at), "Exact");
        assertThat(page.path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(at));
        int seen = page.path("items").size();
        while (page.path("metadata").has("continue")) {
            page = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 1, page.path("metadata").path("continue").asString(), null);
            assertThat(page.path("metadata").path("resourceVersion").asString()).isEqualTo(Long.toString(at));
            page.path("items").forEach(i -> assertThat(i.path("metadata").path("name").asString()).doesNotStartWith("later-"));
            seen += page.path("items").size();
        }
        assertThat(seen).isEqualTo(before);
        // a continue token already names its revision
        String token = registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 1, null, null).path("metadata").path("continue").asString();
        assertThatThrownBy(() -> registry.list(ResourceTypes.ENDPOINTS, "default", null, null, 1, token, Long.toString(at)))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message).isEqualTo("specifying resource version is not allowed when using continue"));
    }

    @Test
    void aPatchMayNotRenameOrMoveTheObject() {
        registry.create(ResourceTypes.ENDPOINTS, "default", configMap("keep", "10.0.2.1"), false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "keep", "application/merge-patch+json",
                Json.tree("{\"metadata\":{\"name\":\"other\"}}"), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.status().message).isEqualTo("the name of the object (other) does not match the name on the URL (keep)");
                });
        assertThatThrownBy(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "keep", "application/json-patch+json",
                Json.tree("[{\"op\":\"remove\",\"path\":\"/metadata/name\"}]"), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message).contains("was undeterminable"));
        assertThatThrownBy(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "keep", "application/merge-patch+json",
                Json.tree("{\"metadata\":{\"namespace\":\"kube-system\"}}"), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.status().message)
                        .isEqualTo("the namespace of the object (kube-system) does not match the namespace on the URL (default)"));
        assertThat(registry.get(ResourceTypes.ENDPOINTS, "default", "keep").path("metadata").path("name").asString()).isEqualTo("keep");
    }

    @Test
    void staleResourceVersionOnUpdateIsConflict() {
        ObjectNode created = registry.create(ResourceTypes.ENDPOINTS, "default", configMap("e", "10.0.0.1"), false);
        registry.patch(ResourceTypes.ENDPOINTS, "default", "e", "application/merge-patch+json", obj("metadata: {labels: {a: b}}"), Registry.Part.MAIN, false);
        assertThatThrownBy(() -> registry.update(ResourceTypes.ENDPOINTS, "default", "e", created, Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.getMessage()).isEqualTo("Operation cannot be fulfilled on endpoints \"e\": the object has been modified; please apply your changes to the latest version and try again");
                });
    }

    @Test
    void concurrentPatchesWithoutPreconditionAllLand() throws Exception {
        registry.create(ResourceTypes.ENDPOINTS, "default", configMap("c", "10.0.0.1"), false);
        int writers = 16;
        ExecutorService pool = Executors.newFixedThreadPool(8);
        List<Future<?>> done = new ArrayList<>();
        for (int i = 0; i < writers; i++) {
            int n = i;
            done.add(pool.submit(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "c", "application/merge-patch+json",
                    obj("metadata: {annotations: {w" + n + ": x}}"), Registry.Part.MAIN, false)));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        assertThat(registry.get(ResourceTypes.ENDPOINTS, "default", "c").path("metadata").path("annotations").size()).isEqualTo(writers);
    }

    @Test
    void finalizersHoldDeletionUntilRemoved() {
        ObjectNode e = configMap("f", "10.0.0.2");
        Registry.meta(e).putArray("finalizers").add("example.com/hold");
        registry.create(ResourceTypes.ENDPOINTS, "default", e, false);
        Registry.Deleted d = registry.delete(ResourceTypes.ENDPOINTS, "default", "f", new DeleteOptions(), false);
        assertThat(d.removed()).isFalse();
        assertThat(d.object().path("metadata").has("deletionTimestamp")).isTrue();
        registry.patch(ResourceTypes.ENDPOINTS, "default", "f", "application/merge-patch+json", Json.tree("{\"metadata\":{\"finalizers\":null}}"), Registry.Part.MAIN, false);
        assertThatThrownBy(() -> registry.get(ResourceTypes.ENDPOINTS, "default", "f")).isInstanceOfSatisfying(ApiError.class, x -> assertThat(x.code()).isEqualTo(404));
    }

    /**
     * statusutil.PatchPodStatus puts the pod's uid in its status patch: the pod recreated under the same name (another
     * uid) refuses it with ValidateObjectMetaUpdate's 422, and the pod it was meant for takes it.
     */
    @Test
    void aStatusPatchWithAnotherUidIsInvalidAndOneWithTheStoredUidLands() {
        String uid = registry.create(ResourceTypes.PODS, "default", pod("web"), false).path("metadata").path("uid").asString();
        assertThatThrownBy(() -> registry.patch(ResourceTypes.PODS, "default", "web", "application/strategic-merge-patch+json",
                Json.tree("{\"metadata\":{\"uid\":\"uid-of-the-old-pod\"},\"status\":{\"message\":\"stale\"}}"), Registry.Part.STATUS, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.status().code).isEqualTo(422);
                    assertThat(e.status().message).isEqualTo("Pod \"web\" is invalid: metadata.uid: Invalid value: \"uid-of-the-old-pod\": field is immutable");
                });
        ObjectNode patched = registry.patch(ResourceTypes.PODS, "default", "web", "application/strategic-merge-patch+json",
                Json.tree("{\"metadata\":{\"uid\":\"" + uid + "\"},\"status\":{\"message\":\"fresh\"}}"), Registry.Part.STATUS, false);
        assertThat(patched.path("status").path("message").asString()).isEqualTo("fresh");
    }

    @Test
    void aPatchWithGoSortedKeysIsStoredInTheTypesFieldOrder() {
        registry.create(ResourceTypes.PODS, "default", pod("sorted"), false);
        // the kubelet's status patch, keys sorted as Go marshals a map (statusutil.PatchPodStatus)
        ObjectNode patched = registry.patch(ResourceTypes.PODS, "default", "sorted", "application/strategic-merge-patch+json",
                Json.tree("{\"status\":{\"conditions\":[{\"lastProbeTime\":null,\"lastTransitionTime\":\"2026-01-01T00:00:00Z\",\"status\":\"True\",\"type\":\"Ready\"}],\"phase\":\"Running\"}}"),
                Registry.Part.STATUS, false);
        // as Kubernetes writes a PodCondition from its struct: type, status, then the rest
        assertThat(patched.path("status").path("conditions").toString()).contains("{\"type\":\"Ready\",\"status\":\"True\",");
        assertThat(registry.get(ResourceTypes.PODS, "default", "sorted").path("status").path("conditions").get(0).propertyNames().iterator().next())
                .isEqualTo("type");
    }

    @Test
    void boundPodWaitsForItsGracePeriodAndUnboundPodGoesAtOnce() {
        registry.create(ResourceTypes.PODS, "default", pod("bound"), false);
        registry.create(ResourceTypes.PODS, "default", pod("unbound"), false);
        new io.kube4j.apiserver.registry.subresources.BindingREST(registry).bind("default", "bound", obj("target: {name: node-1}"));
        Registry.Deleted bound = registry.delete(ResourceTypes.PODS, "default", "bound", new DeleteOptions(), false);
        assertThat(bound.removed()).isFalse();
        assertThat(bound.object().path("metadata").path("deletionGracePeriodSeconds").asInt()).isEqualTo(30);
        assertThat(registry.delete(ResourceTypes.PODS, "default", "unbound", new DeleteOptions(), false).removed()).isTrue();
    }

    @Test
    void terminatingNamespaceRefusesNewContentAndSystemObjectsCannotBeDeleted() {
        registry.create(ResourceTypes.NAMESPACES, null, obj("metadata: {name: team}"), false);
        Registry.Deleted d = registry.delete(ResourceTypes.NAMESPACES, null, "team", new DeleteOptions(), false);
        assertThat(d.removed()).isFalse();
        assertThat(d.object().path("status").path("phase").asString()).isEqualTo("Terminating");
        assertThatThrownBy(() -> registry.create(ResourceTypes.PODS, "team", pod("late"), false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(403);
                    assertThat(e.getMessage()).endsWith("unable to create new content in namespace team because it is being terminated");
                });
        assertThatThrownBy(() -> registry.delete(ResourceTypes.NAMESPACES, null, "kube-system", new DeleteOptions(), false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(403));
    }

    @Test
    void listsComeFromTheWatchCacheWithSelectors() {
        registry.create(ResourceTypes.PODS, "default", pod("a"), false);
        ObjectNode b = pod("b");
        Registry.meta(b).putObject("labels").put("tier", "web");
        registry.create(ResourceTypes.PODS, "default", b, false);
        ObjectNode list = registry.list(ResourceTypes.PODS, "default", "tier=web", null, 0, null, null);
        assertThat(list.path("items")).hasSize(1);
        assertThat(list.path("items").get(0).path("metadata").path("name").asString()).isEqualTo("b");
        assertThat(list.path("kind").asString()).isEqualTo("PodList");
    }

    @Test
    void aWriteThatChangesNothingIsNoWrite() {
        ObjectNode created = registry.create(ResourceTypes.ENDPOINTS, "default", configMap("same", "10.0.0.7"), false);
        long before = storage.currentRevision();
        ObjectNode again = registry.patch(ResourceTypes.ENDPOINTS, "default", "same", "application/merge-patch+json",
                obj("subsets: [{addresses: [{ip: 10.0.0.7}]}]"), Registry.Part.MAIN, false);
        assertThat(storage.currentRevision()).isEqualTo(before);
        assertThat(again.path("metadata").path("resourceVersion").asString()).isEqualTo(created.path("metadata").path("resourceVersion").asString());
    }

    @Test
    void emptyEqualsAbsentForGeneration() {
        registry.create(ResourceTypes.DEPLOYMENTS, "default", obj("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: empties}
                spec:
                  selector: {matchLabels: {app: e}}
                  template:
                    metadata: {labels: {app: e}}
                    spec: {containers: [{name: c, image: busybox, args: [], env: [], resources: {}}]}
                """), false);
        ObjectNode without = registry.patch(ResourceTypes.DEPLOYMENTS, "default", "empties", "application/json-patch+json",
                Json.tree("[{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/0/resources\"},{\"op\":\"remove\",\"path\":\"/spec/template/spec/containers/0/args\"}]"),
                Registry.Part.MAIN, false);
        assertThat(without.path("metadata").path("generation").asInt()).isEqualTo(1);
    }

    @Test
    void patchCarryingAStaleResourceVersionIsAConflict() {
        ObjectNode created = registry.create(ResourceTypes.ENDPOINTS, "default", configMap("pre", "10.0.0.8"), false);
        String stale = created.path("metadata").path("resourceVersion").asString();
        registry.patch(ResourceTypes.ENDPOINTS, "default", "pre", "application/merge-patch+json", obj("metadata: {labels: {a: b}}"), Registry.Part.MAIN, false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "pre", "application/merge-patch+json",
                obj("metadata: {resourceVersion: '" + stale + "', labels: {a: c}}"), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(409));
    }

    @Test
    void noNewFinalizersOnceDeletionStarted() {
        ObjectNode e = configMap("fin", "10.0.0.9");
        Registry.meta(e).putArray("finalizers").add("a/hold");
        registry.create(ResourceTypes.ENDPOINTS, "default", e, false);
        registry.delete(ResourceTypes.ENDPOINTS, "default", "fin", new DeleteOptions(), false);
        assertThatThrownBy(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "fin", "application/merge-patch+json",
                obj("metadata: {finalizers: [a/hold, b/more]}"), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, x -> {
                    assertThat(x.code()).isEqualTo(422);
                    assertThat(x.getMessage()).isEqualTo("Endpoints \"fin\" is invalid: metadata.finalizers: Forbidden: no new finalizers can be added if the object is being deleted, found new finalizers []string{\"b/more\"}");
                });
    }

    @Test
    void generateNameIsCutTo58CharactersAndNamespacesCarryTheirNameLabel() {
        ObjectNode p = pod("");
        Registry.meta(p).remove("name");
        Registry.meta(p).put("generateName", "a".repeat(70));
        String name = registry.create(ResourceTypes.PODS, "default", p, false).path("metadata").path("name").asString();
        assertThat(name).hasSize(63).startsWith("a".repeat(58));
        ObjectNode ns = registry.create(ResourceTypes.NAMESPACES, null, obj("metadata: {name: labelled, labels: {kubernetes.io/metadata.name: other}}"), false);
        assertThat(ns.path("metadata").path("labels").path("kubernetes.io/metadata.name").asString()).isEqualTo("labelled");
    }

    @Test
    void aContinueTokenCannotReadOutsideTheCollection() {
        String token = java.util.Base64.getUrlEncoder().withoutPadding().encodeToString("{\"rv\":0,\"start\":\"/registry/\"}".getBytes());
        assertThatThrownBy(() -> registry.list(ResourceTypes.PODS, "default", null, null, 10, token, null))
                .isInstanceOfSatisfying(ApiError.class, x -> assertThat(x.code()).isEqualTo(400));
    }

    @Test
    void aJsonPatchThatCopiesAnArrayIntoItselfIsRefusedBeforeItExhaustsMemory() {
        registry.create(ResourceTypes.ENDPOINTS, "default", configMap("bomb", "10.0.0.10"), false);
        StringBuilder ops = new StringBuilder("[{\"op\":\"add\",\"path\":\"/metadata/annotations\",\"value\":{\"a\":\"" + "x".repeat(1000) + "\"}}");
        ops.append(",{\"op\":\"add\",\"path\":\"/subsets/0/x\",\"value\":[\"" + "y".repeat(100) + "\"]}");
        for (int i = 0; i < 25; i++) {
            ops.append(",{\"op\":\"copy\",\"from\":\"/subsets/0/x\",\"path\":\"/subsets/0/x/-\"}");
        }
        ops.append("]");
        long before = storage.currentRevision();
        assertThatThrownBy(() -> registry.patch(ResourceTypes.ENDPOINTS, "default", "bomb", "application/json-patch+json", Json.tree(ops.toString()), Registry.Part.MAIN, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).contains("Unable to copy, the accumulated size increase of copy is");
                });
        assertThat(storage.currentRevision()).isEqualTo(before);
    }

    @Test
    void eachKindSupportsExactlyKubernetesFieldLabels() {
        assertThat(registry.list(ResourceTypes.PODS, "default", null, "spec.nodeName=n1,status.phase=Running", 0, null, null).path("items")).isEmpty();
        assertThatThrownBy(() -> registry.list(ResourceTypes.PODS, "default", null, "spec.foo=bar", 0, null, null))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo("field label not supported: spec.foo");
                });
        assertThatThrownBy(() -> registry.list(ResourceTypes.NODES, null, null, "metadata.namespace=x", 0, null, null))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage()).isEqualTo("field label not supported: metadata.namespace"));
        assertThatThrownBy(() -> registry.list(ResourceTypes.CONFIGMAPS, "default", null, "data.a=b", 0, null, null))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage()).isEqualTo("\"data.a\" is not a known field selector: only \"metadata.name\", \"metadata.namespace\""));
        assertThat(registry.list(ResourceTypes.EVENTS, "default", null, "involvedObject.name=x,reason=Started", 0, null, null).path("items")).isEmpty();
    }

    @Test
    void wrongTypesAre400WithTheFieldPathAndGoTypeAndNothingIsStored() {
        long before = storage.currentRevision();
        String base = "{\"apiVersion\":\"apps/v1\",\"kind\":\"Deployment\",\"metadata\":{\"name\":\"typed\"},\"spec\":{\"selector\":{\"matchLabels\":{\"a\":\"b\"}},"
                + "\"template\":{\"metadata\":{\"labels\":{\"a\":\"b\"}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}},";
        Map<String, String> cases = Map.of(
                "\"replicas\":\"two\"}}", "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.replicas of type int32",
                "\"replicas\":3.5}}", "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal number into Go struct field DeploymentSpec.spec.replicas of type int32",
                "\"paused\":\"true\"}}", "Deployment in version \"v1\" cannot be handled as a Deployment: json: cannot unmarshal string into Go struct field DeploymentSpec.spec.paused of type bool");
        cases.forEach((tail, message) -> assertThatThrownBy(() -> registry.create(ResourceTypes.DEPLOYMENTS, "default", (ObjectNode) Json.tree(base + tail), false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(400);
                    assertThat(e.getMessage()).isEqualTo(message);
                }));
        assertThatThrownBy(() -> registry.create(ResourceTypes.PODS, "default", (ObjectNode) Json.tree("{\"metadata\":{\"name\":\"p\",\"labels\":{\"a\":1}},\"spec\":{\"containers\":[{\"name\":\"c\",\"image\":\"i\"}]}}"), false))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.getMessage()).endsWith("json: cannot unmarshal number into Go struct field ObjectMeta.metadata.labels of type string"));
        assertThat(storage.currentRevision()).isEqualTo(before);
    }

    @Test
    void listResourceVersionSemanticsFollowTheApiConcepts() {
        registry.create(ResourceTypes.CONFIGMAPS, "default", obj("{metadata: {name: rv1}, data: {a: b}}"), false);
        long now = storage.currentRevision();
        assertThat(registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, Long.toString(now), "NotOlderThan").path("items")).hasSize(1);
        assertThat(registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, "0", null).path("items")).hasSize(1);
        assertThat(registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, Long.toString(now), "Exact").path("items")).hasSize(1);
        assertThatThrownBy(() -> registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, null, "NotOlderThan"))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.getMessage()).isEqualTo("ListOptions.meta.k8s.io \"\" is invalid: resourceVersionMatch: Forbidden: resourceVersionMatch is forbidden unless resourceVersion is provided");
                });
        assertThatThrownBy(() -> registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, "0", "Exact"))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(422));
        assertThatThrownBy(() -> registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, "abc", null))
                .isInstanceOfSatisfying(ApiError.class, e -> assertThat(e.code()).isEqualTo(400));
        long start = System.nanoTime();
        assertThatThrownBy(() -> registry.list(ResourceTypes.CONFIGMAPS, "default", null, null, 0, null, Long.toString(now + 1_000_000), null))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(504);
                    assertThat(e.status().reason).isEqualTo("Timeout");
                    assertThat(e.getMessage()).isEqualTo("Too large resource version: " + (now + 1_000_000) + ", current: " + now);
                    assertThat(e.status().details.causes).extracting(c -> c.reason).containsExactly("ResourceVersionTooLarge");
                });
        assertThat(java.time.Duration.ofNanos(System.nanoTime() - start)).isGreaterThanOrEqualTo(java.time.Duration.ofSeconds(3));
    }

    @Test
    void serverSideApplyThroughScaleOwnsTheParentsReplicasAsTheScaleSubresource() {
        ObjectNode body = obj("""
                apiVersion: apps/v1
                kind: Deployment
                metadata: {name: sd}
                spec:
                  replicas: 2
                  selector: {matchLabels: {app: sd}}
                  template:
                    metadata: {labels: {app: sd}}
                    spec: {containers: [{name: c, image: busybox:1.36}]}
                """);
        io.kube4j.apiserver.apply.ManagedFields.recordUpdate(null, body, "creator", ResourceTypes.DEPLOYMENTS);
        registry.create(ResourceTypes.DEPLOYMENTS, "default", body, false);
        io.kube4j.apiserver.registry.subresources.ScaleREST scale = new io.kube4j.apiserver.registry.subresources.ScaleREST(registry);
        ObjectNode config = obj("apiVersion: autoscaling/v1\nkind: Scale\nmetadata: {name: sd}\nspec: {replicas: 5}\n");
        assertThatThrownBy(() -> scale.apply(ResourceTypes.DEPLOYMENTS, "default", "sd", config, "hpa", false, false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(409);
                    assertThat(e.status().details.causes).extracting(c -> c.field).containsExactly(".spec.replicas");
                });
        ObjectNode s = scale.apply(ResourceTypes.DEPLOYMENTS, "default", "sd", config, "hpa", true, false);
        assertThat(s.path("kind").asString()).isEqualTo("Scale");
        assertThat(s.path("spec").path("replicas").asInt()).isEqualTo(5);
        ObjectNode d = registry.get(ResourceTypes.DEPLOYMENTS, "default", "sd");
        assertThat(d.path("spec").path("replicas").asInt()).isEqualTo(5);
        String hpa = null;
        String creator = null;
        for (var e : d.path("metadata").path("managedFields")) {
            if (e.path("manager").asString().equals("hpa")) {
                assertThat(e.path("operation").asString()).isEqualTo("Apply");
                assertThat(e.path("subresource").asString()).isEqualTo("scale");
                hpa = e.path("fieldsV1").toString();
            } else if (e.path("manager").asString().equals("creator")) {
                creator = e.path("fieldsV1").toString();
            }
        }
        assertThat(hpa).isEqualTo("{\"f:spec\":{\"f:replicas\":{}}}");
        assertThat(creator).isNotNull().doesNotContain("f:replicas");
    }
}
