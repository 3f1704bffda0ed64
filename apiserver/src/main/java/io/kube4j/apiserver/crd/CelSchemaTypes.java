package io.kube4j.apiserver.crd;

import com.google.common.collect.ImmutableCollection;
import com.google.common.collect.ImmutableList;
import com.google.common.collect.ImmutableSet;
import dev.cel.common.types.CelType;
import dev.cel.common.types.CelTypeProvider;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.StructType;
import tools.jackson.databind.JsonNode;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;

/**
 * The CEL types of a structural schema, for type-checking {@code x-kubernetes-validations} rules when a
 * CRD is written: objects with properties are struct types whose fields are the properties (so
 * {@code self.nope} is "undefined field 'nope'"), additionalProperties are maps, arrays lists, integer
 * int, number double, boolean bool, strings string (format byte: bytes, duration: duration, date and
 * date-time: timestamp); a resource's root and embedded resources also have apiVersion, kind and
 * metadata.name/generateName. Kubernetes: {@code apiserver/pkg/cel/common/schemas.go} SchemaDeclType and
 * WithTypeAndObjectMeta.
 *
 * <p>Where Kubernetes' typing is narrower than kube4j can mirror exactly the type is {@code dyn}, so a
 * rule Kubernetes accepts is never refused: nullable values and schemas without a type (int-or-string is
 * dyn in Kubernetes too). Objects with {@code x-kubernetes-preserve-unknown-fields} expose only their
 * declared properties, as in Kubernetes.
 */
final class CelSchemaTypes implements CelTypeProvider {
    private final Map<String, CelType> structs = new LinkedHashMap<>();
    private int next;

    /** The type of a value described by {@code s}; {@code resourceRoot} for the root and embedded resources. */
    CelType typeOf(JsonNode s, boolean resourceRoot) {
        if (s == null || !s.isObject() || s.path("x-kubernetes-int-or-string").asBoolean(false) || s.path("nullable").asBoolean(false)) {
            return SimpleType.DYN;
        }
        boolean embedded = resourceRoot || s.path("x-kubernetes-embedded-resource").asBoolean(false);
        return switch (s.path("type").asString("")) {
            case "integer" -> SimpleType.INT;
            case "number" -> SimpleType.DOUBLE;
            case "boolean" -> SimpleType.BOOL;
            case "string" -> switch (s.path("format").asString("")) {
                case "byte" -> SimpleType.BYTES;
                case "duration" -> SimpleType.DURATION;
                case "date", "date-time" -> SimpleType.TIMESTAMP;
                default -> SimpleType.STRING;
            };
            case "array" -> ListType.create(typeOf(s.get("items"), false));
            case "object" -> {
                if (s.path("additionalProperties").isObject()) {
                    yield MapType.create(SimpleType.STRING, typeOf(s.get("additionalProperties"), false));
                }
                // with x-kubernetes-preserve-unknown-fields too: only the declared properties are fields
                // ("The CEL declaration for objects with XPreserveUnknownFields does not expose unknown fields")
                Map<String, CelType> fields = new LinkedHashMap<>();
                if (embedded) {
                    fields.put("apiVersion", SimpleType.STRING);
                    fields.put("kind", SimpleType.STRING);
                    Map<String, CelType> meta = new LinkedHashMap<>();
                    meta.put("name", SimpleType.STRING);
                    meta.put("generateName", SimpleType.STRING);
                    fields.put("metadata", struct(meta));
                }
                for (Map.Entry<String, JsonNode> e : s.path("properties").properties()) {
                    if (embedded && e.getKey().equals("metadata")) {
                        continue;
                    }
                    String name = escape(e.getKey());
                    if (name != null) {
                        fields.put(name, typeOf(e.getValue(), e.getValue().path("x-kubernetes-embedded-resource").asBoolean(false)));
                    }
                }
                yield struct(fields);
            }
            default -> SimpleType.DYN;
        };
    }

    /** CEL's reserved words (apiserver/pkg/cel/escaping.go celReservedSymbols). */
    private static final java.util.Set<String> RESERVED = java.util.Set.of("true", "false", "null", "in", "as", "break", "const", "continue",
            "else", "for", "function", "if", "import", "let", "loop", "package", "namespace", "return", "var", "void", "while");
    private static final java.util.regex.Pattern SUPPORTED = java.util.regex.Pattern.compile("^[a-zA-Z_.\\-/][a-zA-Z0-9_.\\-/]*$");

    /**
     * A property name as CEL rules name it (escaping.go Escape): a reserved word becomes {@code __word__};
     * {@code __}, {@code .}, {@code -} and {@code /} become {@code __underscores__}, {@code __dot__},
     * {@code __dash__} and {@code __slash__}; null for a name that cannot be a field (it starts with a digit
     * or has another character), which rules cannot reach.
     */
    static String escape(String ident) {
        if (ident.isEmpty() || !SUPPORTED.matcher(ident).matches()) {
            return null;
        }
        if (RESERVED.contains(ident)) {
            return "__" + ident + "__";
        }
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < ident.length(); i++) {
            char c = ident.charAt(i);
            if (c == '_' && i + 1 < ident.length() && ident.charAt(i + 1) == '_') {
                b.append("__underscores__");
                i++;
            } else if (c == '.') {
                b.append("__dot__");
            } else if (c == '-') {
                b.append("__dash__");
            } else if (c == '/') {
                b.append("__slash__");
            } else {
                b.append(c);
            }
        }
        return b.toString();
    }

    private CelType struct(Map<String, CelType> fields) {
        String name = "kube4j.schema.object" + (next++);
        Map<String, CelType> copy = Map.copyOf(fields);
        StructType t = StructType.create(name, ImmutableSet.copyOf(fields.keySet()), f -> Optional.ofNullable(copy.get(f)));
        structs.put(name, t);
        return t;
    }

    @Override
    public ImmutableCollection<CelType> types() {
        return ImmutableList.copyOf(structs.values());
    }

    @Override
    public Optional<CelType> findType(String typeName) {
        return Optional.ofNullable(structs.get(typeName));
    }
}
