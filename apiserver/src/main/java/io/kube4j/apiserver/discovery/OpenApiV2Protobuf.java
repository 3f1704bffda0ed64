package io.kube4j.apiserver.discovery;

import com.google.protobuf.CodedOutputStream;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.Map;

/**
 * The protobuf form of kube4j's Swagger 2.0 document, {@code openapi_v2.Document} of gnostic's
 * {@code openapiv2/OpenAPIv2.proto} (package {@code openapi.v2}), which kubectl asks for with
 * {@code Accept: application/com.github.proto-openapi.spec.v2@v1.0+protobuf} and parses with no JSON
 * fallback (client-go's OpenAPISchema). No Java artifact of gnostic's messages exists on Maven Central,
 * so the messages are written here with protobuf-java's {@link CodedOutputStream}, field numbers from
 * OpenAPIv2.proto. Only what kube4j's document uses is written: swagger, info, paths (operations with
 * operationId, query and path parameters, responses with a schema reference, vendor extensions) and
 * definitions (type, format, description, required, $ref, properties, items, additionalProperties,
 * vendor extensions); anything else fails at startup rather than vanish silently. Vendor extension
 * values are YAML text ({@code Any.yaml}), as gnostic stores them.
 */
final class OpenApiV2Protobuf {
    /** What kube-openapi answers with for the protobuf form. */
    static final String CONTENT_TYPE = "application/com.github.proto-openapi.spec.v2.v1.0+protobuf";

    private OpenApiV2Protobuf() {
    }

    /**
     * The Document message of a Swagger 2.0 JSON document.
     *
     * @throws IllegalArgumentException for a part of Swagger 2.0 kube4j does not write
     */
    static byte[] encode(JsonNode doc) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : doc.properties()) {
                switch (e.getKey()) {
                    case "swagger" -> w.string(1, e.getValue().asString());
                    case "info" -> w.message(2, info(e.getValue()));
                    case "paths" -> w.message(8, paths(e.getValue()));
                    case "definitions" -> w.message(9, named(e.getValue(), OpenApiV2Protobuf::schema));
                    default -> throw unsupported("Document", e.getKey());
                }
            }
        });
    }

    private static byte[] info(JsonNode info) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : info.properties()) {
                switch (e.getKey()) {
                    case "title" -> w.string(1, e.getValue().asString());
                    case "version" -> w.string(2, e.getValue().asString());
                    case "description" -> w.string(3, e.getValue().asString());
                    default -> throw unsupported("Info", e.getKey());
                }
            }
        });
    }

    /** Paths: NamedPathItem entries (field 2), x- keys as vendor extensions (field 1). */
    private static byte[] paths(JsonNode paths) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : paths.properties()) {
                if (e.getKey().startsWith("x-")) {
                    w.message(1, namedAny(e.getKey(), e.getValue()));
                } else {
                    w.message(2, message(n -> {
                        n.string(1, e.getKey());
                        n.message(2, pathItem(e.getValue()));
                    }));
                }
            }
        });
    }

    private static byte[] pathItem(JsonNode item) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : item.properties()) {
                switch (e.getKey()) {
                    case "get" -> w.message(2, operation(e.getValue()));
                    case "put" -> w.message(3, operation(e.getValue()));
                    case "post" -> w.message(4, operation(e.getValue()));
                    case "delete" -> w.message(5, operation(e.getValue()));
                    case "patch" -> w.message(8, operation(e.getValue()));
                    case "parameters" -> {
                        for (JsonNode p : e.getValue()) {
                            w.message(9, parametersItem(p));
                        }
                    }
                    default -> {
                        if (!e.getKey().startsWith("x-")) {
                            throw unsupported("PathItem", e.getKey());
                        }
                        w.message(10, namedAny(e.getKey(), e.getValue()));
                    }
                }
            }
        });
    }

    private static byte[] operation(JsonNode op) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : op.properties()) {
                switch (e.getKey()) {
                    case "description" -> w.string(3, e.getValue().asString());
                    case "operationId" -> w.string(5, e.getValue().asString());
                    case "parameters" -> {
                        for (JsonNode p : e.getValue()) {
                            w.message(8, parametersItem(p));
                        }
                    }
                    case "responses" -> w.message(9, responses(e.getValue()));
                    default -> {
                        if (!e.getKey().startsWith("x-")) {
                            throw unsupported("Operation", e.getKey());
                        }
                        w.message(13, namedAny(e.getKey(), e.getValue()));
                    }
                }
            }
        });
    }

    /** ParametersItem.parameter → Parameter.non_body_parameter → the query or path sub-schema. */
    private static byte[] parametersItem(JsonNode p) {
        String in = p.path("in").asString();
        boolean query = in.equals("query");
        if (!query && !in.equals("path")) {
            throw unsupported("Parameter in", in);
        }
        byte[] subSchema = message(w -> {
            for (Map.Entry<String, JsonNode> e : p.properties()) {
                switch (e.getKey()) {
                    case "required" -> w.bool(1, e.getValue().asBoolean());
                    case "in" -> w.string(2, e.getValue().asString());
                    case "description" -> w.string(3, e.getValue().asString());
                    case "name" -> w.string(4, e.getValue().asString());
                    // QueryParameterSubSchema has allow_empty_value at 5, so its type is 6; the path one's is 5
                    case "type" -> w.string(query ? 6 : 5, e.getValue().asString());
                    default -> throw unsupported("Parameter", e.getKey());
                }
            }
        });
        byte[] nonBody = message(w -> w.message(query ? 3 : 4, subSchema));
        byte[] parameter = message(w -> w.message(2, nonBody));
        return message(w -> w.message(1, parameter));
    }

    /** Responses.response_code: NamedResponseValue → ResponseValue.response → Response. */
    private static byte[] responses(JsonNode responses) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : responses.properties()) {
                byte[] response = message(r -> {
                    for (Map.Entry<String, JsonNode> f : e.getValue().properties()) {
                        switch (f.getKey()) {
                            case "description" -> r.string(1, f.getValue().asString());
                            // SchemaItem.schema
                            case "schema" -> r.message(2, message(s -> s.message(1, schema(f.getValue()))));
                            default -> throw unsupported("Response", f.getKey());
                        }
                    }
                });
                byte[] value = message(v -> v.message(1, response));
                w.message(1, message(n -> {
                    n.string(1, e.getKey());
                    n.message(2, value);
                }));
            }
        });
    }

    private static byte[] schema(JsonNode s) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : s.properties()) {
                JsonNode v = e.getValue();
                switch (e.getKey()) {
                    case "$ref" -> w.string(1, v.asString());
                    case "format" -> w.string(2, v.asString());
                    case "title" -> w.string(3, v.asString());
                    case "description" -> w.string(4, v.asString());
                    case "required" -> {
                        for (JsonNode r : v) {
                            w.string(19, r.asString());
                        }
                    }
                    // AdditionalPropertiesItem: a schema (1) or a boolean (2)
                    case "additionalProperties" -> w.message(21, message(a -> {
                        if (v.isBoolean()) {
                            // a oneof member is written even when false: that is what selects it
                            a.boolAlways(2, v.asBoolean());
                        } else {
                            a.message(1, schema(v));
                        }
                    }));
                    // TypeItem: repeated string value
                    case "type" -> w.message(22, message(t -> {
                        if (v.isArray()) {
                            v.forEach(x -> t.string(1, x.asString()));
                        } else {
                            t.string(1, v.asString());
                        }
                    }));
                    // ItemsItem: repeated Schema
                    case "items" -> w.message(23, message(i -> {
                        if (v.isArray()) {
                            v.forEach(x -> i.message(1, schema(x)));
                        } else {
                            i.message(1, schema(v));
                        }
                    }));
                    case "allOf" -> v.forEach(x -> w.message(24, schema(x)));
                    // the value validations CRD schemas carry (gnostic OpenAPIv2.proto Schema fields 5-18, 20, 30)
                    case "default" -> w.message(5, any(v));
                    case "multipleOf" -> w.number(6, v.asDouble());
                    case "maximum" -> w.number(7, v.asDouble());
                    case "exclusiveMaximum" -> w.bool(8, v.asBoolean());
                    case "minimum" -> w.number(9, v.asDouble());
                    case "exclusiveMinimum" -> w.bool(10, v.asBoolean());
                    case "maxLength" -> w.int64(11, v.asLong());
                    case "minLength" -> w.int64(12, v.asLong());
                    case "pattern" -> w.string(13, v.asString());
                    case "maxItems" -> w.int64(14, v.asLong());
                    case "minItems" -> w.int64(15, v.asLong());
                    case "uniqueItems" -> w.bool(16, v.asBoolean());
                    case "maxProperties" -> w.int64(17, v.asLong());
                    case "minProperties" -> w.int64(18, v.asLong());
                    case "enum" -> v.forEach(x -> w.message(20, any(x)));
                    case "example" -> w.message(30, any(v));
                    case "properties" -> w.message(25, named(v, OpenApiV2Protobuf::schema));
                    default -> {
                        if (!e.getKey().startsWith("x-")) {
                            throw unsupported("Schema", e.getKey());
                        }
                        w.message(31, namedAny(e.getKey(), v));
                    }
                }
            }
        });
    }

    /** A JSON object as repeated Named* entries (name 1, value 2) in field 1, as Definitions and Properties are. */
    private static byte[] named(JsonNode object, java.util.function.Function<JsonNode, byte[]> value) {
        return message(w -> {
            for (Map.Entry<String, JsonNode> e : object.properties()) {
                w.message(1, message(n -> {
                    n.string(1, e.getKey());
                    n.message(2, value.apply(e.getValue()));
                }));
            }
        });
    }

    /** Any{yaml}: a JSON value as YAML text, as gnostic carries defaults, enum values and examples. */
    private static byte[] any(JsonNode value) {
        String yaml = Json.yaml().writeValueAsString(value);
        return message(a -> a.string(2, yaml));
    }

    /** NamedAny{name, Any{yaml}}: a vendor extension with its value as YAML text. */
    private static byte[] namedAny(String name, JsonNode value) {
        String yaml = Json.yaml().writeValueAsString(value);
        return message(w -> {
            w.string(1, name);
            w.message(2, message(a -> a.string(2, yaml)));
        });
    }

    private static IllegalArgumentException unsupported(String where, String what) {
        return new IllegalArgumentException("the protobuf OpenAPI v2 document has no encoding for " + where + " " + what);
    }

    /** Writes one message's fields; proto3, so empty strings and false are left out as protoc would. */
    private interface Body {
        void write(Writer w) throws IOException;
    }

    private static byte[] message(Body body) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        CodedOutputStream out = CodedOutputStream.newInstance(bytes);
        try {
            body.write(new Writer(out));
            out.flush();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private record Writer(CodedOutputStream out) {
        void string(int field, String value) {
            if (value != null && !value.isEmpty()) {
                try {
                    out.writeString(field, value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void bool(int field, boolean value) {
            if (value) {
                try {
                    out.writeBool(field, true);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void number(int field, double value) {
            if (value != 0) {
                try {
                    out.writeDouble(field, value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void int64(int field, long value) {
            if (value != 0) {
                try {
                    out.writeInt64(field, value);
                } catch (IOException e) {
                    throw new UncheckedIOException(e);
                }
            }
        }

        void boolAlways(int field, boolean value) {
            try {
                out.writeBool(field, value);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }

        void message(int field, byte[] encoded) {
            try {
                out.writeByteArray(field, encoded);
            } catch (IOException e) {
                throw new UncheckedIOException(e);
            }
        }
    }
}
