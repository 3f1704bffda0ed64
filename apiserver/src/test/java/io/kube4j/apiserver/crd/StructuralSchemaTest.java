package io.kube4j.apiserver.crd;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.provider.Arguments;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/** The structural schema's validation (Kubernetes' field paths and messages), defaulting, pruning and invariants. */
class StructuralSchemaTest {
    static final StructuralSchema SCHEMA = new StructuralSchema(Json.tree("""
            {"type":"object","properties":{
              "spec":{"type":"object","required":["name"],"properties":{
                "name":{"type":"string","minLength":2,"maxLength":5},
                "code":{"type":"string","pattern":"^[A-Z]+$"},
                "count":{"type":"integer","minimum":1.0,"maximum":3},
                "ratio":{"type":"number","exclusiveMinimum":true,"minimum":0,"exclusiveMaximum":true,"maximum":1},
                "size":{"type":"string","enum":["S","M"]},
                "tags":{"type":"array","minItems":1,"maxItems":2,"items":{"type":"string"}},
                "labels":{"type":"object","maxProperties":1,"minProperties":1,"additionalProperties":{"type":"string"}},
                "port":{"x-kubernetes-int-or-string":true},
                "uid":{"type":"string","format":"uuid"},
                "when":{"type":"string","format":"date-time"},
                "maybe":{"type":"string","nullable":true},
                "never":{"type":"string"},
                "flag":{"type":"boolean"},
                "items":{"type":"array","items":{"type":"object","properties":{"n":{"type":"integer"}}}},
                "set":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}},
                "ports":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name"],
                  "items":{"type":"object","properties":{"name":{"type":"string"},"port":{"type":"integer"}}}},
                "free":{"type":"object","x-kubernetes-preserve-unknown-fields":true},
                "tmpl":{"type":"object","x-kubernetes-embedded-resource":true,"properties":{"spec":{"type":"object"}}}
              }}}}"""));

    static Stream<Arguments> invalid() {
        return Stream.of(
                Arguments.of("{\"name\":\"x\"}", "spec.name", "FieldValueInvalid", "Invalid value: \"x\": spec.name in body should be at least 2 chars long"),
                Arguments.of("{\"name\":\"toolong\"}", "spec.name", "FieldValueTooLong", "Too long: may not be more than 5 bytes"),
                Arguments.of("{\"name\":\"ok\",\"code\":\"abc\"}", "spec.code", "FieldValueInvalid", "Invalid value: \"abc\": spec.code in body should match '^[A-Z]+$'"),
                Arguments.of("{\"name\":\"ok\",\"count\":0}", "spec.count", "FieldValueInvalid", "Invalid value: 0: spec.count in body should be greater than or equal to 1"),
                Arguments.of("{\"name\":\"ok\",\"count\":4}", "spec.count", "FieldValueInvalid", "Invalid value: 4: spec.count in body should be less than or equal to 3"),
                Arguments.of("{\"name\":\"ok\",\"ratio\":0}", "spec.ratio", "FieldValueInvalid", "Invalid value: 0: spec.ratio in body should be greater than 0"),
                Arguments.of("{\"name\":\"ok\",\"ratio\":1}", "spec.ratio", "FieldValueInvalid", "Invalid value: 1: spec.ratio in body should be less than 1"),
                Arguments.of("{\"name\":\"ok\",\"count\":\"2\"}", "spec.count", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.count in body must be of type integer: \"string\""),
                Arguments.of("{\"name\":\"ok\",\"size\":\"XL\"}", "spec.size", "FieldValueNotSupported", "Unsupported value: \"XL\": supported values: \"S\", \"M\""),
                Arguments.of("{\"name\":\"ok\",\"tags\":[]}", "spec.tags", "FieldValueInvalid", "Invalid value: []: spec.tags in body should have at least 1 items"),
                Arguments.of("{\"name\":\"ok\",\"tags\":[\"a\",\"b\",\"c\"]}", "spec.tags", "FieldValueTooMany", "Too many: 3: must have at most 2 items"),
                Arguments.of("{\"name\":\"ok\",\"tags\":[\"a\",1]}", "spec.tags[1]", "FieldValueTypeInvalid", "Invalid value: \"integer\": spec.tags[1] in body must be of type string: \"integer\""),
                Arguments.of("{\"name\":\"ok\",\"labels\":{\"a\":\"1\",\"b\":\"2\"}}", "spec.labels", "FieldValueTooMany", "Too many: 2: must have at most 1 items"),
                Arguments.of("{\"name\":\"ok\",\"labels\":{\"a\":1}}", "spec.labels.a", "FieldValueTypeInvalid", "Invalid value: \"integer\": spec.labels.a in body must be of type string: \"integer\""),
                Arguments.of("{\"name\":\"ok\",\"port\":1.5}", "spec.port", "FieldValueTypeInvalid", "Invalid value: \"number\": spec.port in body must be of type integer,string: \"number\""),
                Arguments.of("{\"name\":\"ok\",\"uid\":\"nope\"}", "spec.uid", "FieldValueInvalid", "Invalid value: \"nope\": spec.uid in body must be of type uuid: \"nope\""),
                Arguments.of("{\"name\":\"ok\",\"when\":\"yesterday\"}", "spec.when", "FieldValueInvalid", "Invalid value: \"yesterday\": spec.when in body must be of type date-time: \"yesterday\""),
                Arguments.of("{\"name\":\"ok\",\"never\":null}", "spec.never", "FieldValueTypeInvalid", "Invalid value: \"null\": spec.never in body must be of type string: \"null\""),
                Arguments.of("{\"name\":\"ok\",\"flag\":\"yes\"}", "spec.flag", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.flag in body must be of type boolean: \"string\""),
                Arguments.of("{\"name\":\"ok\",\"items\":[{\"n\":\"x\"}]}", "spec.items[0].n", "FieldValueTypeInvalid", "Invalid value: \"string\": spec.items[0].n in body must be of type integer: \"string\""),
                Arguments.of("{\"name\":\"ok\",\"set\":[\"a\",\"b\",\"a\"]}", "spec.set[2]", "FieldValueDuplicate", "Duplicate value: \"a\""),
                Arguments.of("{\"name\":\"ok\",\"ports\":[{\"name\":\"a\",\"port\":1},{\"name\":\"a\",\"port\":2}]}", "spec.ports[1]", "FieldValueDuplicate",
                        "Duplicate value: map[string]interface {}{\"name\":\"a\"}"),
                Arguments.of("{}", "spec.name", "FieldValueRequired", "Required value"));
    }

    @ParameterizedTest(name = "{1}: {3}")
    @MethodSource
    void invalid(String spec, String field, String type, String message) {
        List<Status.Cause> causes = new ArrayList<>();
        SCHEMA.validate(Json.tree("{\"spec\":" + spec + "}"), causes);
        assertThat(causes).hasSize(1);
        assertThat(causes.getFirst().field).isEqualTo(field);
        assertThat(causes.getFirst().reason).isEqualTo(type);
        assertThat(causes.getFirst().message).isEqualTo(message);
    }

    @Test
    void validValuesPass() {
        List<Status.Cause> causes = new ArrayList<>();
        SCHEMA.validate(Json.tree("""
                {"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","whatever":1},"spec":{"name":"ok","code":"AB","count":2,"ratio":0.5,
                 "size":"S","tags":["a"],"labels":{"a":"b"},"port":"http","uid":"123e4567-e89b-12d3-a456-426614174000",
                 "when":"2024-01-01T00:00:00Z","maybe":null,"flag":true,"items":[{"n":1}],"free":{"any":{"thing":[1]}},
                 "tmpl":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{}}}}"""), causes);
        assertThat(causes).isEmpty();
    }

    @Test
    void pruningKeepsDeclaredPreservedAndEmbeddedMetadata() {
        ObjectNode obj = (ObjectNode) Json.tree("""
                {"apiVersion":"x/v1","kind":"X","metadata":{"name":"n"},"extra":1,"spec":{"name":"ok","unknown":true,
                 "free":{"a":{"b":1}},"items":[{"n":1,"m":2}],"labels":{"k":"v"},
                 "tmpl":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p"},"spec":{},"junk":1}}}""");
        List<String> pruned = SCHEMA.prune(obj);
        assertThat(pruned).containsExactlyInAnyOrder("extra", "spec.unknown", "spec.items[0].m", "spec.tmpl.junk");
        assertThat(obj.path("spec").path("free").path("a").path("b").asInt()).isEqualTo(1);
        assertThat(obj.path("spec").path("labels").path("k").asString()).isEqualTo("v");
        assertThat(obj.path("spec").path("tmpl").path("metadata").path("name").asString()).isEqualTo("p");
        assertThat(obj.path("metadata").path("name").asString()).isEqualTo("n");
    }

    @Test
    void unknownMetadataFieldsOfTheResourceAndOfEmbeddedResourcesArePrunedAndReported() {
        ObjectNode obj = (ObjectNode) Json.tree("""
                {"apiVersion":"x/v1","kind":"X","metadata":{"name":"n","bogusMeta":1,"labels":{"a":"b"},
                   "ownerReferences":[{"apiVersion":"v1","kind":"Pod","name":"p","uid":"u","oops":true}]},
                 "spec":{"name":"ok","tmpl":{"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","junkMeta":"x"},"spec":{}}}}""");
        List<String> pruned = SCHEMA.prune(obj);
        assertThat(pruned).containsExactlyInAnyOrder("metadata.bogusMeta", "metadata.ownerReferences[0].oops", "spec.tmpl.metadata.junkMeta");
        assertThat(obj.path("metadata").has("bogusMeta")).isFalse();
        assertThat(obj.path("metadata").path("ownerReferences").get(0).has("oops")).isFalse();
        assertThat(obj.path("metadata").path("ownerReferences").get(0).path("uid").asString()).isEqualTo("u");
        assertThat(obj.path("metadata").path("labels").path("a").asString()).isEqualTo("b");
        assertThat(obj.path("spec").path("tmpl").path("metadata").has("junkMeta")).isFalse();
        assertThat(obj.path("spec").path("tmpl").path("metadata").path("name").asString()).isEqualTo("p");
    }

    @Test
    void defaultsFillMissingAndNonNullableNulls() {
        StructuralSchema s = new StructuralSchema(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","default":{},"properties":{
                  "replicas":{"type":"integer","default":1},
                  "mode":{"type":"string","default":"fast"},
                  "opt":{"type":"string","nullable":true,"default":"d"},
                  "list":{"type":"array","items":{"type":"object","properties":{"p":{"type":"integer","default":80}}}}}}}}"""));
        ObjectNode empty = (ObjectNode) Json.tree("{}");
        s.applyDefaults(empty);
        assertThat(empty.toString()).isEqualTo("{\"spec\":{\"replicas\":1,\"mode\":\"fast\",\"opt\":\"d\"}}");
        ObjectNode given = (ObjectNode) Json.tree("{\"spec\":{\"replicas\":3,\"mode\":null,\"opt\":null,\"list\":[{},{\"p\":1}]}}");
        s.applyDefaults(given);
        assertThat(given.toString()).isEqualTo("{\"spec\":{\"replicas\":3,\"mode\":\"fast\",\"opt\":null,\"list\":[{\"p\":80},{\"p\":1}]}}");
    }

    static Stream<Arguments> nonStructural() {
        return Stream.of(
                Arguments.of("{\"properties\":{}}", ".type", "Required value: must not be empty at the root"),
                Arguments.of("{\"type\":\"string\"}", ".type", "Invalid value: \"string\": must be object at the root"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{}}}", ".properties[a].type", "Required value: must not be empty for specified object fields"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\",\"items\":{}}}}", ".properties[a].items.type", "Required value: must not be empty for specified array items"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"array\"}}}", ".properties[a].items", "Required value: must be specified"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"object\",\"x-kubernetes-embedded-resource\":true}}}", ".properties[a].properties",
                        "Required value: must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"x-kubernetes-embedded-resource\":true,\"x-kubernetes-preserve-unknown-fields\":true}}}", ".properties[a].type",
                        "Invalid value: \"string\": must be object if x-kubernetes-embedded-resource is true"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"a\":{\"type\":\"string\",\"anyOf\":[{\"type\":\"string\"}]}}}", ".properties[a].anyOf[0].type", "Forbidden: must be empty to be structural"),
                Arguments.of("{\"type\":\"object\",\"properties\":{\"metadata\":{\"type\":\"object\",\"properties\":{\"labels\":{\"type\":\"object\"}}}}}", ".properties[metadata]",
                        "Forbidden: must not specify anything other than name and generateName, but metadata is implicitly specified"),
                Arguments.of("{\"type\":\"object\",\"additionalProperties\":{\"type\":\"string\"}}", ".additionalProperties", "Forbidden: must not be used at the root"));
    }

    @ParameterizedTest(name = "{1}: {2}")
    @MethodSource
    void nonStructural(String schema, String field, String message) {
        JsonNode s = Json.tree(schema);
        List<Status.Cause> causes = StructuralSchema.structuralErrors(s, "spec.versions[0].schema.openAPIV3Schema");
        assertThat(causes).extracting(c -> c.field + ": " + c.message).contains("spec.versions[0].schema.openAPIV3Schema" + field + ": " + message);
    }

    @Test
    void structuralSchemasPass() {
        assertThat(StructuralSchema.structuralErrors(Json.tree("""
                {"type":"object","properties":{"metadata":{"type":"object","properties":{"name":{"type":"string","maxLength":10}}},
                 "spec":{"type":"object","properties":{"p":{"x-kubernetes-int-or-string":true,"anyOf":[{"type":"integer"},{"type":"string"}]},
                 "m":{"type":"object","additionalProperties":{"type":"string"}},"any":{"x-kubernetes-preserve-unknown-fields":true}}}}}"""), "s")).isEmpty();
    }

    @Test
    void defaultsMustValidateAgainstTheirSchemaAndCarryNoUnknownFields() {
        JsonNode schema = Json.tree("""
                {"type":"object","properties":{
                  "a":{"type":"string","default":5},
                  "b":{"type":"string","enum":["x","y"],"default":"z"},
                  "c":{"type":"integer","maximum":3,"default":2},
                  "d":{"type":"object","properties":{"n":{"type":"integer"}},"default":{"n":"one","extra":1}},
                  "e":{"type":"array","items":{"type":"string","default":"fine"}}}}
                """);
        List<Status.Cause> causes = StructuralSchema.defaultErrors(schema, "spec.versions[0].schema.openAPIV3Schema");
        assertThat(causes).extracting(c -> c.field + ": " + c.message).containsExactlyInAnyOrder(
                "spec.versions[0].schema.openAPIV3Schema.properties[a].default: Invalid value: \"integer\":  in body must be of type string: \"integer\"",
                "spec.versions[0].schema.openAPIV3Schema.properties[b].default: Unsupported value: \"z\": supported values: \"x\", \"y\"",
                "spec.versions[0].schema.openAPIV3Schema.properties[d].default: Invalid value: {\"n\":\"one\",\"extra\":1}: must not have unknown fields",
                "spec.versions[0].schema.openAPIV3Schema.properties[d].default.n: Invalid value: \"string\": n in body must be of type integer: \"string\"");
        assertThat(causes).extracting(c -> c.reason).contains("FieldValueTypeInvalid", "FieldValueNotSupported");
    }

    static final StructuralSchema EMBEDDING = new StructuralSchema(Json.tree("""
            {"type":"object","properties":{"spec":{"type":"object","properties":{
              "template":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true},
              "list":{"type":"array","items":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}},
              "byName":{"type":"object","additionalProperties":{"type":"object","x-kubernetes-embedded-resource":true,"x-kubernetes-preserve-unknown-fields":true}}
            }}}}"""));

    static List<String> embeddingErrors(String spec) {
        List<Status.Cause> causes = new ArrayList<>();
        EMBEDDING.validate(Json.tree("{\"apiVersion\":\"e.io/v1\",\"kind\":\"E\",\"metadata\":{\"name\":\"e\"},\"spec\":" + spec + "}"), causes);
        return causes.stream().map(c -> c.field + ": " + c.message).toList();
    }

    @Test
    void anEmbeddedResourceNeedsApiVersionAndKindWithKubernetesPaths() {
        assertThat(embeddingErrors("{\"template\":{\"metadata\":{\"name\":\"x\"}}}"))
                .containsExactlyInAnyOrder("spec.template.apiVersion: Required value", "spec.template.kind: Required value");
        assertThat(embeddingErrors("{\"list\":[{\"apiVersion\":\"v1\",\"kind\":\"Pod\"},{\"kind\":\"Pod\"}]}"))
                .containsExactly("spec.list[1].apiVersion: Required value");
        assertThat(embeddingErrors("{\"byName\":{\"a\":{\"apiVersion\":\"v1\"}}}"))
                .containsExactly("spec.byName[a].kind: Required value");
        assertThat(embeddingErrors("{\"template\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{}}}")).isEmpty();
    }

    @Test
    void anEmbeddedResourcesApiVersionKindAndMetadataAreValidated() {
        assertThat(embeddingErrors("{\"template\":{\"apiVersion\":\"a/b/c\",\"kind\":\"my_kind\"}}")).containsExactlyInAnyOrder(
                "spec.template.apiVersion: Invalid value: \"a/b/c\": unexpected GroupVersion string: a/b/c",
                "spec.template.kind: Invalid value: \"my_kind\": may have mixed case, but should otherwise match: a DNS-1035 label must consist of lower case "
                        + "alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or "
                        + "'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
        assertThat(embeddingErrors("{\"template\":{\"apiVersion\":1,\"kind\":\"\"}}")).containsExactlyInAnyOrder(
                "spec.template.apiVersion: Invalid value: 1: must be a string",
                "spec.template.kind: Invalid value: \"\": must not be empty");
        assertThat(embeddingErrors("{\"template\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":{\"name\":\"a/b\",\"namespace\":\"Bad_NS\",\"labels\":{\"k\":\"not ok\"}}}}"))
                .containsExactlyInAnyOrder(
                        "spec.template.metadata.name: Invalid value: \"a/b\": may not contain '/'",
                        "spec.template.metadata.namespace: Invalid value: \"Bad_NS\": a lowercase RFC 1123 label must consist of lower case alphanumeric characters "
                                + "or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is "
                                + "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')",
                        "spec.template.metadata.labels: Invalid value: \"not ok\": a valid label must be an empty string or consist of alphanumeric characters, "
                                + "'-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
                                + "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        assertThat(embeddingErrors("{\"template\":{\"apiVersion\":\"v1\",\"kind\":\"Pod\",\"metadata\":\"m\"}}"))
                .containsExactly("spec.template.metadata: Invalid value: \"m\": json: cannot unmarshal string into Go value of type v1.ObjectMeta");
    }

    static final StructuralSchema WITH_RULES = new StructuralSchema(Json.tree("""
            {"type":"object","properties":{"spec":{"type":"object","x-kubernetes-validations":[{"rule":"self.min <= self.max","message":"min above max"}],
              "properties":{"min":{"type":"integer"},"max":{"type":"integer"},"code":{"type":"string","pattern":"^[a-z]+$"},"size":{"type":"string","enum":["S"]}}}}}"""));

    static List<String> ruleErrors(String spec) {
        List<Status.Cause> causes = new ArrayList<>();
        WITH_RULES.validate(Json.tree("{\"spec\":" + spec + "}"), causes);
        return causes.stream().map(c -> c.field + ": " + c.message).toList();
    }

    @Test
    void rulesAreNotRunOnAnObjectWithABlockingErrorAndKubernetesSaysSo() {
        assertThat(ruleErrors("{\"min\":\"one\",\"max\":0}")).containsExactly(
                "spec.min: Invalid value: \"string\": spec.min in body must be of type integer: \"string\"",
                "<nil>: Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation");
        assertThat(ruleErrors("{\"min\":2,\"max\":1,\"size\":\"L\"}")).last().asString().startsWith("<nil>: Invalid value: \"null\": some validation rules");
        // a pattern mismatch does not block the rules
        assertThat(ruleErrors("{\"min\":2,\"max\":1,\"code\":\"A\"}")).containsExactly(
                "spec.code: Invalid value: \"A\": spec.code in body should match '^[a-z]+$'",
                "spec: Invalid value: \"object\": min above max");
        // no rules in the schema: nothing to say
        List<Status.Cause> causes = new ArrayList<>();
        SCHEMA.validate(Json.tree("{\"spec\":{}}"), causes);
        assertThat(causes).extracting(c -> c.message).noneMatch(m -> m.contains("some validation rules"));
    }

    @Test
    void listAndMapTypeExtensionsAreCheckedOnTheCrdWithKubernetesMessages() {
        List<Status.Cause> causes = StructuralSchema.extensionErrors(Json.tree("""
                {"type":"object","properties":{"spec":{"type":"object","properties":{
                  "byName":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","sub","missing"],
                    "items":{"type":"object","properties":{"name":{"type":"string"},"sub":{"type":"object","default":{}}}}},
                  "ok":{"type":"array","x-kubernetes-list-type":"map","x-kubernetes-list-map-keys":["name","port"],
                    "items":{"type":"object","required":["name"],"properties":{"name":{"type":"string"},"port":{"type":"integer","default":80}}}},
                  "objects":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"object"}},
                  "atomicObjects":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"object","x-kubernetes-map-type":"atomic"}},
                  "lists":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"array","x-kubernetes-list-type":"set","items":{"type":"string"}}},
                  "keysOnly":{"type":"array","x-kubernetes-list-map-keys":["a"],"items":{"type":"object","properties":{"a":{"type":"string"}}}},
                  "m":{"type":"object","x-kubernetes-map-type":"merge"},
                  "s":{"type":"string","x-kubernetes-map-type":"atomic"},
                  "l":{"type":"array","x-kubernetes-list-type":"bag","items":{"type":"string"}}}}}}"""), "spec.versions[0].schema.openAPIV3Schema");
        String p = "spec.versions[0].schema.openAPIV3Schema.properties[spec].properties";
        assertThat(causes).extracting(c -> c.field + ": " + c.message).containsExactlyInAnyOrder(
                p + "[byName].items.properties[sub].type: Invalid value: \"object\": must be a scalar type if parent array's x-kubernetes-list-type is map",
                p + "[byName].x-kubernetes-list-map-keys: Invalid value: []string{\"name\", \"sub\", \"missing\"}: entries must all be names of item properties",
                p + "[byName].items.properties[name].default: Required value: this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property",
                p + "[objects].items.x-kubernetes-map-type: Invalid value: \"null\": must be atomic as item of a list with x-kubernetes-list-type=set",
                p + "[lists].items.x-kubernetes-list-type: Invalid value: \"set\": must be atomic as item of a list with x-kubernetes-list-type=set",
                p + "[keysOnly].x-kubernetes-list-type: Required value: must be map if x-kubernetes-list-map-keys is non-empty",
                p + "[m].x-kubernetes-map-type: Unsupported value: \"merge\": supported values: \"atomic\", \"granular\"",
                p + "[s].type: Invalid value: \"string\": must be object if x-kubernetes-map-type is specified",
                p + "[l].x-kubernetes-list-type: Unsupported value: \"bag\": supported values: \"atomic\", \"set\", \"map\"");
    }
}
