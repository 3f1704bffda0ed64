package io.kube4j.json;

import com.fasterxml.jackson.annotation.JsonInclude;
import tools.jackson.core.type.TypeReference;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.JavaType;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.MapperFeature;
import tools.jackson.databind.ObjectMapper;
import tools.jackson.databind.SerializationFeature;
import tools.jackson.databind.cfg.CoercionAction;
import tools.jackson.databind.cfg.CoercionInputShape;
import tools.jackson.databind.type.LogicalType;
import tools.jackson.databind.json.JsonMapper;
import tools.jackson.databind.node.ObjectNode;
import tools.jackson.dataformat.yaml.YAMLMapper;
import tools.jackson.dataformat.yaml.YAMLWriteFeature;

/**
 * The JSON and YAML codecs, configured once so every component writes objects exactly like
 * Kubernetes: empty fields omitted (Go's omitempty), declared field order, unknown fields tolerated,
 * and values decoded as strictly as Go's encoding/json (no string-to-number, number-to-string,
 * fraction-to-integer or string-to-boolean coercion: a mismatch is a decoding error).
 */
public final class Json {
    private static final ObjectMapper JSON = configure(JsonMapper.builder()).build();
    private static final ObjectMapper YAML = configure(YAMLMapper.builder()
            .disable(YAMLWriteFeature.WRITE_DOC_START_MARKER)
            .enable(YAMLWriteFeature.MINIMIZE_QUOTES)).build();

    private Json() {
    }

    private static <M extends ObjectMapper, B extends tools.jackson.databind.cfg.MapperBuilder<M, B>> B configure(B builder) {
        return builder
                .changeDefaultPropertyInclusion(incl -> incl.withValueInclusion(JsonInclude.Include.NON_EMPTY)
                        .withContentInclusion(JsonInclude.Include.NON_NULL))
                .disable(MapperFeature.SORT_PROPERTIES_ALPHABETICALLY)
                .disable(MapperFeature.SORT_CREATOR_PROPERTIES_FIRST)
                .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
                .disable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES)
                .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
                // strict types as Go's decoder: strings are not numbers, numbers are not strings, fractions are not integers
                .disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT)
                .withCoercionConfig(LogicalType.Integer, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Float, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Boolean, c -> c.setCoercion(CoercionInputShape.String, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Integer, CoercionAction.Fail))
                .withCoercionConfig(LogicalType.Textual, c -> c.setCoercion(CoercionInputShape.Integer, CoercionAction.Fail)
                        .setCoercion(CoercionInputShape.Float, CoercionAction.Fail).setCoercion(CoercionInputShape.Boolean, CoercionAction.Fail));
    }

    /** The shared JSON mapper. */
    public static ObjectMapper mapper() {
        return JSON;
    }

    /** The shared YAML mapper. */
    public static ObjectMapper yaml() {
        return YAML;
    }

    public static String write(Object value) {
        return JSON.writeValueAsString(value);
    }

    public static byte[] writeBytes(Object value) {
        return JSON.writeValueAsBytes(value);
    }

    public static String writeYaml(Object value) {
        return YAML.writeValueAsString(value);
    }

    public static <T> T read(String json, Class<T> type) {
        return JSON.readValue(json, type);
    }

    public static <T> T read(byte[] json, Class<T> type) {
        return JSON.readValue(json, type);
    }

    public static <T> T read(String json, TypeReference<T> type) {
        return JSON.readValue(json, type);
    }

    public static <T> T read(byte[] json, JavaType type) {
        return JSON.readValue(json, type);
    }

    public static <T> T readYaml(String yaml, Class<T> type) {
        return YAML.readValue(yaml, type);
    }

    public static JsonNode tree(byte[] json) {
        return JSON.readTree(json);
    }

    public static JsonNode tree(String json) {
        return JSON.readTree(json);
    }

    /** The object as a JSON tree, with empty fields already dropped. */
    public static ObjectNode toTree(Object value) {
        return (ObjectNode) JSON.readTree(JSON.writeValueAsBytes(value));
    }

    public static <T> T convert(JsonNode node, Class<T> type) {
        return JSON.treeToValue(node, type);
    }

    /** A deep copy, so a cached object is never mutated (copy first, then change). */
    @SuppressWarnings("unchecked")
    public static <T> T copy(T value) {
        return (T) JSON.readValue(JSON.writeValueAsBytes(value), value.getClass());
    }

    public static JavaType type(Class<?> raw, Class<?>... params) {
        return JSON.getTypeFactory().constructParametricType(raw, params);
    }
}
