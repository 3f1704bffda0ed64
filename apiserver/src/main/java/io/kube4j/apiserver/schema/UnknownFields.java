package io.kube4j.apiserver.schema;

import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * Finds the fields of a request body that the typed model does not know, as Kubernetes' strict
 * decoding reports them: {@code spec.containers[0].imagee}. Patch directives ({@code $patch},
 * {@code $retainKeys}, {@code $setElementOrder/...}) are not fields and are skipped.
 */
public final class UnknownFields {
    private UnknownFields() {
    }

    /** The dotted paths of every unknown field of {@code body} read as a {@code type}, in document order. */
    public static List<String> of(JsonNode body, Class<?> type) {
        List<String> out = new ArrayList<>();
        walk(body, TypeModel.Shape.of(type), "", java.util.Set.of(), out, false);
        return out;
    }

    /**
     * Kubernetes' strict decoding errors for {@code body} read as a {@code type}: {@code unknown field "p"}
     * and {@code duplicate field "p"} for the {@code duplicates} found in the raw body (see
     * {@link DuplicateFields}), in document order; a field both unknown and duplicated is reported as
     * unknown only, as Kubernetes does for typed kinds.
     */
    public static List<String> strictErrors(JsonNode body, Class<?> type, List<String> duplicates) {
        List<String> out = new ArrayList<>();
        java.util.Set<String> dups = new java.util.LinkedHashSet<>(duplicates);
        walk(body, TypeModel.Shape.of(type), "", dups, out, true);
        return out;
    }

    private static void walk(JsonNode node, TypeModel.Shape shape, String path, java.util.Set<String> dups, List<String> out, boolean messages) {
        if (node == null || node.isNull() || shape == null) {
            return;
        }
        switch (shape.kind()) {
            case OBJECT -> {
                if (!node.isObject()) {
                    return;
                }
                Map<String, TypeModel.Shape> fields = TypeModel.fields(shape.type());
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    String name = e.getKey();
                    if (name.startsWith("$")) {
                        continue;
                    }
                    String p = path.isEmpty() ? name : path + "." + name;
                    TypeModel.Shape f = fields.get(name);
                    if (f != null) {
                        if (messages && dups.contains(p)) out.add("duplicate field \"" + p + "\"");
                        walk(e.getValue(), f, p, dups, out, messages);
                    } else if (!TypeModel.keptUnmodelled(shape.type(), name)) {
                        out.add(messages ? "unknown field \"" + p + "\"" : p);
                    }
                }
            }
            case LIST -> {
                if (!node.isArray()) {
                    return;
                }
                for (int i = 0; i < node.size(); i++) {
                    walk(node.get(i), shape.element(), path + "[" + i + "]", dups, out, messages);
                }
            }
            case MAP -> {
                if (!node.isObject()) {
                    return;
                }
                for (Map.Entry<String, JsonNode> e : node.properties()) {
                    String p = path + "." + e.getKey();
                    if (messages && dups.contains(p)) out.add("duplicate field \"" + p + "\"");
                    walk(e.getValue(), shape.element(), p, dups, out, messages);
                }
            }
            default -> {
                // scalars and free-form values have no fields to check
            }
        }
    }
}
