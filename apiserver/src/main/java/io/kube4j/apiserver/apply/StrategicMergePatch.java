package io.kube4j.apiserver.apply;

import io.kube4j.apiserver.schema.TypeModel;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Kubernetes' strategic merge patch ({@code application/strategic-merge-patch+json}), as kubectl apply
 * sends it: maps merge and {@code null} deletes a key; lists of objects with a merge key (containers by
 * name, ports by containerPort, ...: see {@link TypeModel#mergeKey}) merge element by element; other
 * lists are replaced. Directives: {@code $patch: replace|delete} on maps and list elements,
 * {@code $retainKeys}, {@code $setElementOrder/<list>} and {@code $deleteFromPrimitiveList/<list>}.
 */
public final class StrategicMergePatch {
    private static final String PATCH = "$patch";
    private static final String RETAIN_KEYS = "$retainKeys";
    private static final String ORDER = "$setElementOrder/";
    private static final String DELETE_FROM = "$deleteFromPrimitiveList/";

    private StrategicMergePatch() {
    }

    /** {@code original} with {@code patch} applied, read as a {@code type}; the original is not changed. */
    public static ObjectNode apply(ObjectNode original, JsonNode patch, Class<?> type) {
        if (!(patch instanceof ObjectNode p)) {
            throw ApiError.badRequest("a strategic merge patch must be a JSON object");
        }
        ObjectNode out = mergeObject(original.deepCopy(), p, TypeModel.Shape.of(type));
        if (out == null) {
            throw ApiError.badRequest("a strategic merge patch cannot delete the whole object");
        }
        return out;
    }

    /**
     * A server-side apply configuration merged into {@code live}, as structured-merge-diff merges: lists
     * are merged by their x-kubernetes-list-map-keys ({@link TypeModel#listMapKeys}: container ports by
     * port and protocol, not by the strategic-merge key alone), sets by value, others replaced whole;
     * {@code $}-directives have no meaning there and are refused. The live object is not changed.
     */
    public static ObjectNode applyConfiguration(ObjectNode live, ObjectNode config, Class<?> type) {
        return mergeObject(live.deepCopy(), config, TypeModel.Shape.of(type), true);
    }

    /**
     * Server-side apply's merge of a custom resource configuration into the live object, by the CRD's
     * structural schema ({@code schema}: the version's openAPIV3Schema, null for none): objects merge field
     * by field, {@code x-kubernetes-list-type: map} lists element by element on their
     * {@code x-kubernetes-list-map-keys} (live order kept, new elements appended), {@code set} lists as a
     * union, and every other list (atomic) or scalar is replaced. What the applier stopped applying is
     * removed afterwards by {@link ManagedFields}. structured-merge-diff's merge on the schema's types.
     *
     * @throws io.kube4j.apiserver.errors.ApiError 400 when a map-list element lacks one of its keys
     */
    public static ObjectNode applyConfiguration(ObjectNode live, ObjectNode config, JsonNode schema) {
        return mergeBySchema(live.deepCopy(), config, schema);
    }

    private static ObjectNode mergeBySchema(ObjectNode target, ObjectNode config, JsonNode schema) {
        for (Map.Entry<String, JsonNode> e : config.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            JsonNode fs = FieldPaths.schemaChild(schema, k);
            String listType = fs == null ? "" : fs.path("x-kubernetes-list-type").asString("");
            if (v.isNull()) {
                target.remove(k);
            } else if (v instanceof ObjectNode vo && target.get(k) instanceof ObjectNode cur) {
                target.set(k, mergeBySchema(cur, vo, fs));
            } else if (v instanceof ArrayNode va && target.get(k) instanceof ArrayNode cur && listType.equals("map")) {
                List<String> keys = FieldPaths.schemaListMapKeys(fs);
                ArrayNode out = cur.deepCopy();
                for (JsonNode item : va) {
                    ObjectNode key = item instanceof ObjectNode io ? FieldPaths.keyOf(io, keys) : null;
                    if (key == null) {
                        throw ApiError.badRequest("an element of an associative list omits one of its key fields " + keys + ": " + item);
                    }
                    int idx = indexOf(out, keys, key);
                    if (idx >= 0 && out.get(idx) instanceof ObjectNode have) {
                        out.set(idx, mergeBySchema(have, (ObjectNode) item, fs.get("items")));
                    } else {
                        out.add(item.deepCopy());
                    }
                }
                target.set(k, out);
            } else if (v instanceof ArrayNode va && target.get(k) instanceof ArrayNode cur && listType.equals("set")) {
                ArrayNode out = cur.deepCopy();
                for (JsonNode item : va) {
                    if (!containsValue(out, item)) {
                        out.add(item.deepCopy());
                    }
                }
                target.set(k, out);
            } else {
                target.set(k, v.deepCopy());
            }
        }
        return target;
    }

    static ObjectNode mergeObject(ObjectNode target, ObjectNode patch, TypeModel.Shape shape) {
        return mergeObject(target, patch, shape, false);
    }

    /**
     * Merges {@code patch} into {@code target} (changed in place); null when the patch deletes the map.
     * {@code apply}: keyed by list-map keys (server-side apply) instead of patchMergeKey.
     */
    static ObjectNode mergeObject(ObjectNode target, ObjectNode patch, TypeModel.Shape shape, boolean apply) {
        String directive = patch.path(PATCH).asString("");
        switch (directive) {
            case "" -> {
            }
            case "delete" -> {
                return null;
            }
            case "replace" -> {
                ObjectNode rest = patch.deepCopy();
                rest.remove(PATCH);
                return mergeObject(Json.mapper().createObjectNode(), rest, shape);
            }
            default -> throw ApiError.badRequest("unknown patch type \"" + directive + "\" in $patch");
        }
        Class<?> owner = shape != null && shape.kind() == TypeModel.Kind.OBJECT ? shape.type() : null;
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.startsWith("$")) {
                continue;
            }
            TypeModel.Shape fs = fieldShape(shape, k);
            if (v.isNull()) {
                target.remove(k);
            } else if (v instanceof ObjectNode vo) {
                ObjectNode base = target.get(k) instanceof ObjectNode cur ? cur : Json.mapper().createObjectNode();
                ObjectNode merged = mergeObject(base, vo, fs, apply);
                if (merged == null) {
                    target.remove(k);
                } else {
                    target.set(k, merged);
                }
            } else if (v instanceof ArrayNode va) {
                ArrayNode cur = target.get(k) instanceof ArrayNode a ? a : null;
                TypeModel.Shape element = fs != null && fs.kind() == TypeModel.Kind.LIST ? fs.element() : null;
                List<String> keys = apply ? TypeModel.listMapKeys(owner, k)
                        : TypeModel.mergeKey(owner, k) == null ? null : List.of(TypeModel.mergeKey(owner, k));
                target.set(k, mergeList(cur, va, keys, TypeModel.isScalarSet(owner, k), element, apply));
            } else {
                target.set(k, v.deepCopy());
            }
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            if (k.startsWith(DELETE_FROM) && target.get(k.substring(DELETE_FROM.length())) instanceof ArrayNode list) {
                for (int i = list.size() - 1; i >= 0; i--) {
                    if (containsValue(e.getValue(), list.get(i))) {
                        list.remove(i);
                    }
                }
            }
        }
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            String k = e.getKey();
            if (k.startsWith(ORDER) && target.get(k.substring(ORDER.length())) instanceof ArrayNode list) {
                String field = k.substring(ORDER.length());
                target.set(field, reorder(list, e.getValue(), TypeModel.mergeKey(owner, field)));
            }
        }
        if (patch.get(RETAIN_KEYS) instanceof ArrayNode retain) {
            Set<String> keep = new HashSet<>();
            retain.forEach(r -> keep.add(r.asString("")));
            List<String> drop = new ArrayList<>();
            target.propertyNames().forEach(n -> {
                if (!keep.contains(n)) {
                    drop.add(n);
                }
            });
            drop.forEach(target::remove);
        }
        return target;
    }

    private static TypeModel.Shape fieldShape(TypeModel.Shape shape, String field) {
        if (shape == null) {
            return null;
        }
        return switch (shape.kind()) {
            case OBJECT -> shape.field(field);
            case MAP -> shape.element();
            default -> null;
        };
    }

    private static ArrayNode mergeList(ArrayNode current, ArrayNode patch, List<String> keys, boolean scalarSet, TypeModel.Shape element, boolean apply) {
        ArrayNode out = Json.mapper().createArrayNode();
        if (scalarSet) {
            if (current != null) {
                current.forEach(v -> out.add(v.deepCopy()));
            }
            for (JsonNode v : patch) {
                if (!containsValue(out, v)) {
                    out.add(v.deepCopy());
                }
            }
            return out;
        }
        boolean replaceAll = keys == null;
        for (JsonNode p : patch) {
            if (p instanceof ObjectNode o && o.size() == 1 && "replace".equals(o.path(PATCH).asString(""))) {
                replaceAll = true;
            }
        }
        if (replaceAll) {
            for (JsonNode p : patch) {
                if (p instanceof ObjectNode o) {
                    if (o.has(PATCH) && o.size() == 1) {
                        continue;
                    }
                    ObjectNode clean = mergeObject(Json.mapper().createObjectNode(), o, element, apply);
                    if (clean != null) {
                        out.add(clean);
                    }
                } else {
                    out.add(p.deepCopy());
                }
            }
            return out;
        }
        if (current != null) {
            current.forEach(v -> out.add(v.deepCopy()));
        }
        for (JsonNode p : patch) {
            if (!(p instanceof ObjectNode po)) {
                out.add(p.deepCopy());
                continue;
            }
            ObjectNode key = FieldPaths.keyOf(po, keys);
            if (key == null) {
                throw ApiError.badRequest(apply
                        ? "an element of an associative list omits one of its key fields " + keys + " (and it has no default): " + po
                        : "a list element in a strategic merge patch lacks its merge key \"" + keys.getFirst() + "\": " + po);
            }
            int idx = indexOf(out, keys, key);
            if (!apply && "delete".equals(po.path(PATCH).asString(""))) {
                while (idx >= 0) {
                    out.remove(idx);
                    idx = indexOf(out, keys, key);
                }
                continue;
            }
            if (idx >= 0) {
                ObjectNode merged = mergeObject((ObjectNode) out.get(idx), po, element, apply);
                if (merged == null) {
                    out.remove(idx);
                } else {
                    out.set(idx, merged);
                }
            } else {
                ObjectNode added = mergeObject(Json.mapper().createObjectNode(), po, element, apply);
                if (added != null) {
                    out.add(added);
                }
            }
        }
        return out;
    }

    private static int indexOf(ArrayNode list, List<String> keys, ObjectNode key) {
        for (int i = 0; i < list.size(); i++) {
            ObjectNode k = list.get(i) instanceof ObjectNode o ? FieldPaths.keyOf(o, keys) : null;
            if (k != null && sameKey(k, key)) {
                return i;
            }
        }
        return -1;
    }

    /** Orders {@code list} as {@code order} says; elements it does not name keep their relative order at the end. */
    private static ArrayNode reorder(ArrayNode list, JsonNode order, String mergeKey) {
        List<JsonNode> keys = new ArrayList<>();
        for (JsonNode o : order) {
            keys.add(mergeKey == null ? o : o.get(mergeKey));
        }
        List<JsonNode> items = new ArrayList<>();
        list.forEach(items::add);
        ArrayNode out = Json.mapper().createArrayNode();
        for (JsonNode k : keys) {
            for (JsonNode item : items) {
                JsonNode ik = mergeKey == null ? item : item.get(mergeKey);
                if (k != null && ik != null && same(k, ik)) {
                    out.add(item);
                }
            }
        }
        for (JsonNode item : items) {
            JsonNode ik = mergeKey == null ? item : item.get(mergeKey);
            boolean named = false;
            for (JsonNode k : keys) {
                named |= k != null && ik != null && same(k, ik);
            }
            if (!named) {
                out.add(item);
            }
        }
        return out;
    }

    private static boolean containsValue(JsonNode list, JsonNode v) {
        for (JsonNode x : list) {
            if (same(x, v)) {
                return true;
            }
        }
        return false;
    }

    private static boolean sameKey(ObjectNode a, ObjectNode b) {
        if (a.size() != b.size()) {
            return false;
        }
        for (Map.Entry<String, JsonNode> e : a.properties()) {
            JsonNode other = b.get(e.getKey());
            if (other == null || !same(e.getValue(), other)) {
                return false;
            }
        }
        return true;
    }

    /** Value equality that treats 80 and 80L (and 80.0) alike, as JSON does. */
    static boolean same(JsonNode a, JsonNode b) {
        if (a.isNumber() && b.isNumber()) {
            return a.decimalValue().compareTo(b.decimalValue()) == 0;
        }
        return a.equals(b);
    }
}
