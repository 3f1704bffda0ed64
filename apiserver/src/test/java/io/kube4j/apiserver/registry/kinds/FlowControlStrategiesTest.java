package io.kube4j.apiserver.registry.kinds;

import io.kube4j.api.ResourceType;
import io.kube4j.api.ResourceTypes;
import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.admission.NamespaceLifecycle;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.registry.Registry;
import io.kube4j.apiserver.registry.TestStrategies;
import io.kube4j.apiserver.storage.MemoryStorage;
import io.kube4j.apiserver.watch.WatchCache;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.List;
import java.util.Map;
import java.util.stream.Stream;

import static io.kube4j.apiserver.registry.kinds.KindStrategiesTest.at;
import static io.kube4j.apiserver.registry.kinds.KindStrategiesTest.yaml;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.params.provider.Arguments.arguments;

/**
 * FlowSchema and PriorityLevelConfiguration (flowcontrol.apiserver.k8s.io/v1) through the registry on
 * in-memory storage: v1's defaults, the validation errors' field paths and messages of
 * {@code pkg/apis/flowcontrol/validation/validation.go}, and the mandatory objects.
 */
class FlowControlStrategiesTest {
    static MemoryStorage storage;
    static WatchCache cache;
    static Registry registry;

    static final String RULES = "rules: [{subjects: [{kind: Group, group: {name: system:authenticated}}], nonResourceRules: [{verbs: [get], nonResourceURLs: [/healthz]}]}]";

    @BeforeAll
    static void setUp() throws Exception {
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

    @AfterAll
    static void tearDown() {
        cache.close();
    }

    static Stream<Arguments> defaults() {
        return Stream.of(
                arguments(ResourceTypes.FLOWSCHEMAS, "{metadata: {name: fs}, spec: {priorityLevelConfiguration: {name: global-default}, " + RULES + "}}",
                        Map.of("spec.matchingPrecedence", "1000")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Limited, limited: {limitResponse: {type: Queue, queuing: {}}}}}",
                        Map.of("spec.limited.nominalConcurrencyShares", "30", "spec.limited.lendablePercent", "0",
                                "spec.limited.limitResponse.queuing.queues", "64", "spec.limited.limitResponse.queuing.handSize", "8",
                                "spec.limited.limitResponse.queuing.queueLengthLimit", "50")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl-reject}, spec: {type: Limited, limited: {nominalConcurrencyShares: 0, limitResponse: {type: Reject}}}}",
                        // an explicit 0 is kept in v1 (a "jail" level)
                        Map.of("spec.limited.nominalConcurrencyShares", "0", "spec.limited.lendablePercent", "0")));
    }

    @ParameterizedTest(name = "{0} {1}")
    @MethodSource
    void defaults(ResourceType rt, String yaml, Map<String, String> expected) {
        ObjectNode created = registry.create(rt, null, yaml(yaml), true);
        expected.forEach((path, value) -> {
            JsonNode node = at(created, path);
            assertThat(node.isValueNode() ? node.asString() : node.toString()).as(path + " in " + created).isEqualTo(value);
        });
    }

    static Stream<Arguments> invalid() {
        String fs = "{metadata: {name: bad}, spec: {priorityLevelConfiguration: {name: global-default}, ";
        return Stream.of(
                arguments(ResourceTypes.FLOWSCHEMAS, "{metadata: {name: bad}, spec: {" + RULES + "}}",
                        Map.of("spec.priorityLevelConfiguration.name", "Required value: must reference a priority level")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "matchingPrecedence: 10001, " + RULES + "}}",
                        Map.of("spec.matchingPrecedence", "Invalid value: 10001: must not be greater than 10000")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "matchingPrecedence: 1, " + RULES + "}}",
                        Map.of("spec.matchingPrecedence", "Invalid value: 1: only the schema named 'exempt' may have matchingPrecedence 1")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "distinguisherMethod: {type: ByGroup}, " + RULES + "}}",
                        Map.of("spec.distinguisherMethod.type", "Unsupported value: \"ByGroup\": supported values: \"ByNamespace\", \"ByUser\"")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "rules: [{nonResourceRules: [{verbs: [get], nonResourceURLs: [/x]}]}]}}",
                        Map.of("spec.rules[0].subjects", "Required value: subjects must contain at least one value")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "rules: [{subjects: [{kind: User}]}]}}",
                        Map.of("spec.rules[0].subjects[0].user", "Required value: user is required when subject kind is 'User'",
                                "spec.rules[0]", "Required value: at least one of resourceRules and nonResourceRules has to be non-empty")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "rules: [{subjects: [{kind: Robot}], resourceRules: [{verbs: [get], apiGroups: ['*'], resources: ['*']}]}]}}",
                        Map.of("spec.rules[0].subjects[0].kind", "Unsupported value: \"Robot\": supported values: \"Group\", \"ServiceAccount\", \"User\"",
                                "spec.rules[0].resourceRules[0].namespaces", "Required value: resource rules that are not cluster scoped must supply at least one namespace")),
                arguments(ResourceTypes.FLOWSCHEMAS, fs + "rules: [{subjects: [{kind: Group, group: {name: g}, user: {name: u}}], nonResourceRules: [{verbs: ['*', get], nonResourceURLs: [healthz]}]}]}}",
                        Map.of("spec.rules[0].subjects[0].user", "Forbidden: user is forbidden when subject kind is not 'User'",
                                "spec.rules[0].nonResourceRules[0].verbs", "Invalid value: []string{\"*\", \"get\"}: if '*' is present, must not specify other verbs",
                                "spec.rules[0].nonResourceRules[0].nonResourceURLs[0]", "Invalid value: \"healthz\": must start with slash")),
                arguments(ResourceTypes.FLOWSCHEMAS, "{metadata: {name: exempt}, spec: {priorityLevelConfiguration: {name: exempt}, matchingPrecedence: 1, " + RULES + "}}",
                        Map.of("spec", "Invalid value: \"{...}\": spec of 'exempt' must equal the fixed value")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Exempt}}",
                        Map.of("spec.type", "Invalid value: \"Exempt\": type must be 'Exempt' if and only if name is 'exempt'")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Limited}}",
                        Map.of("spec.limited", "Required value: must not be empty when type is Limited")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Limited, limited: {lendablePercent: 101, limitResponse: {type: Queue}}}}",
                        Map.of("spec.limited.lendablePercent", "Invalid value: 101: must be between 0 and 100, inclusive",
                                "spec.limited.limitResponse.queuing", "Required value: must not be empty if limited.limitResponse.type is Limited")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Limited, limited: {limitResponse: {type: Queue, queuing: {queues: 4, handSize: 5}}}}}",
                        Map.of("spec.limited.limitResponse.queuing.handSize", "Invalid value: 5: should not be greater than queues (4)")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Limited, limited: {limitResponse: {type: Reject, queuing: {queues: 4}}}}}",
                        Map.of("spec.limited.limitResponse.queuing", "Forbidden: must be nil if limited.limitResponse.type is not Limited")),
                arguments(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, "{metadata: {name: pl}, spec: {type: Sometimes}}",
                        Map.of("spec.type", "Unsupported value: \"Sometimes\": supported values: \"Exempt\", \"Limited\"")));
    }

    @ParameterizedTest(name = "{0} {2}")
    @MethodSource
    void invalid(ResourceType rt, String yaml, Map<String, String> causes) {
        long before = storage.currentRevision();
        assertThatThrownBy(() -> registry.create(rt, null, yaml(yaml), false))
                .isInstanceOfSatisfying(ApiError.class, e -> {
                    assertThat(e.code()).isEqualTo(422);
                    assertThat(e.status().details.causes).extracting(c -> c.field).containsExactlyInAnyOrderElementsOf(causes.keySet());
                    e.status().details.causes.forEach(c -> assertThat(c.message).as(c.field).isEqualTo(causes.get(c.field)));
                });
        assertThat(storage.currentRevision()).as("nothing stored").isEqualTo(before);
    }

    @Test
    void theMandatoryObjectsExistFromTheStart() {
        JsonNode exempt = registry.get(ResourceTypes.FLOWSCHEMAS, null, "exempt");
        assertThat(exempt.path("spec").path("matchingPrecedence").asInt()).isEqualTo(1);
        assertThat(exempt.path("spec").path("priorityLevelConfiguration").path("name").asString()).isEqualTo("exempt");
        assertThat(exempt.path("spec").path("rules").get(0).path("subjects").get(0).path("group").path("name").asString()).isEqualTo("system:masters");
        assertThat(exempt.path("metadata").path("annotations").path("apf.kubernetes.io/autoupdate-spec").asString()).isEqualTo("true");
        JsonNode catchAll = registry.get(ResourceTypes.FLOWSCHEMAS, null, "catch-all");
        assertThat(catchAll.path("spec").path("matchingPrecedence").asInt()).isEqualTo(10000);
        assertThat(catchAll.path("spec").path("distinguisherMethod").path("type").asString()).isEqualTo("ByUser");
        JsonNode level = registry.get(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, null, "catch-all");
        assertThat(level.path("spec").path("type").asString()).isEqualTo("Limited");
        assertThat(level.path("spec").path("limited").path("nominalConcurrencyShares").asInt()).isEqualTo(5);
        assertThat(level.path("spec").path("limited").path("limitResponse").path("type").asString()).isEqualTo("Reject");
        assertThat(registry.get(ResourceTypes.PRIORITYLEVELCONFIGURATIONS, null, "exempt").path("spec").path("type").asString()).isEqualTo("Exempt");
    }

    @Test
    void theCorpusFlowSchemaIsAccepted() {
        // priority-and-fairness/health-for-strangers.yaml of the Kubernetes documentation
        ObjectNode created = registry.create(ResourceTypes.FLOWSCHEMAS, null, yaml("""
                {metadata: {name: health-for-strangers}, spec: {matchingPrecedence: 1000, priorityLevelConfiguration: {name: exempt},
                 rules: [{nonResourceRules: [{nonResourceURLs: ['/healthz', '/livez', '/readyz'], verbs: ['*']}],
                          subjects: [{kind: Group, group: {name: 'system:unauthenticated'}}]}]}}"""), true);
        assertThat(created.path("spec").path("rules").get(0).path("nonResourceRules").get(0).path("verbs").get(0).asString()).isEqualTo("*");
    }
}
