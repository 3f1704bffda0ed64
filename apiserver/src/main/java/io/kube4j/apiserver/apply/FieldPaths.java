package io.kube4j.apiserver.apply;

import io.kube4j.apiserver.schema.TypeModel;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Field paths in Kubernetes' FieldsV1 vocabulary: {@code f:spec}, {@code k:{"name":"a"}} (a list element
 * by merge key), {@code v:"x"} (a set member), {@code .} (the element itself). A set of leaf paths is
 * what a field manager owns; {@link #toFieldsV1} and {@link #fromFieldsV1} convert to and from the
 * nested JSON stored in {@code metadata.managedFields}.
 */
public final class FieldPaths {
    /** Fields that are the server's, never a manager's. */
    private static final Set<String> SERVER_METADATA = Set.of("name", "namespace", "uid", "resourceVersion", "generation",
            "creationTimestamp", "managedFields", "selfLink", "deletionTimestamp", "deletionGracePeriodSeconds", "generateName");

    private FieldPaths() {
    }

    /** The leaf paths set in {@code obj} (an object of {@code type}); apiVersion, kind, status and server metadata excluded. */
    public static Set<List<String>> of(JsonNode obj, Class<?> type) {
        Set<List<String>> out = new LinkedHashSet<>();
        walk(obj, TypeModel.Shape.of(type), new ArrayList<>(), out, false);
        return out;
    }

    /** As {@link #of(JsonNode, Class)}, with the paths under {@code status} too (what a status writer owns). */
    public static Set<List<String>> withStatus(JsonNode obj, Class<?> type) {
        Set<List<String>> out = new LinkedHashSet<>();
        walk(obj, TypeModel.Shape.of(type), new ArrayList<>(), out, true);
        return out;
    }

    /**
     * The leaf paths set in a custom resource {@code obj}, status included, with list semantics from its
     * structural schema ({@code schema}, the version's openAPIV3Schema; null: every list atomic):
     * {@code x-kubernetes-list-type: map} lists are keyed by {@code x-kubernetes-list-map-keys}
     * ({@code k:{...}}), {@code set} lists by value ({@code v:...}), anything else is one leaf, as
     * structured-merge-diff reads a CRD's schema.
     */
    public static Set<List<String>> ofSchema(JsonNode obj, JsonNode schema) {
        Set<List<String>> out = new LinkedHashSet<>();
        walkSchema(obj, schema, new ArrayList<>(), out);
        return out;
    }

    private static void walkSchema(JsonNode node, JsonNode schema, List<String> prefix, Set<List<String>> out) {
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (prefix.isEmpty() && (k.equals("apiVersion") || k.equals("kind"))) {
                continue;
            }
            if (prefix.size() == 1 && prefix.getFirst().equals("f:metadata") && SERVER_METADATA.contains(k)) {
                continue;
            }
            JsonNode fs = schemaChild(schema, k);
            List<String> path = append(prefix, "f:" + k);
            String listType = fs == null ? "" : fs.path("x-kubernetes-list-type").asString("");
            if (v instanceof ObjectNode o && !o.isEmpty()) {
                walkSchema(o, fs, path, out);
            } else if (v instanceof ArrayNode a && !a.isEmpty() && listType.equals("map")) {
                List<String> keys = schemaListMapKeys(fs);
                for (JsonNode item : a) {
                    ObjectNode key = item instanceof ObjectNode io ? keyOf(io, keys) : null;
                    if (key != null) {
                        List<String> itemPath = append(path, "k:" + Json.write(key));
                        out.add(append(itemPath, "."));
                        walkSchema(item, fs.get("items"), itemPath, out);
                    }
                }
            } else if (v instanceof ArrayNode a && !a.isEmpty() && listType.equals("set")) {
                for (JsonNode item : a) {
                    out.add(append(path, "v:" + Json.write(item)));
                }
            } else {
                out.add(path);
            }
        }
    }

    /** The schema of property {@code k} of an object schema (its properties, else additionalProperties), or null. */
    static JsonNode schemaChild(JsonNode schema, String k) {
        if (schema == null) {
            return null;
        }
        JsonNode p = schema.path("properties").get(k);
        if (p != null) {
            return p;
        }
        JsonNode additional = schema.get("additionalProperties");
        return additional != null && additional.isObject() ? additional : null;
    }

    /** A map list's {@code x-kubernetes-list-map-keys}, in order. */
    static List<String> schemaListMapKeys(JsonNode listSchema) {
        List<String> keys = new ArrayList<>();
        listSchema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asString("")));
        return keys;
    }

    private static void walk(JsonNode node, TypeModel.Shape shape, List<String> prefix, Set<List<String>> out, boolean withStatus) {
        Class<?> owner = shape != null && shape.kind() == TypeModel.Kind.OBJECT ? shape.type() : null;
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            String k = e.getKey();
            JsonNode v = e.getValue();
            if (k.startsWith("$")) {
                continue;
            }
            if (prefix.isEmpty() && (k.equals("apiVersion") || k.equals("kind") || (k.equals("status") && !withStatus))) {
                continue;
            }
            if (prefix.size() == 1 && prefix.getFirst().equals("f:metadata") && SERVER_METADATA.contains(k)) {
                continue;
            }
            TypeModel.Shape fs = shape == null ? null : switch (shape.kind()) {
                case OBJECT -> shape.field(k);
                case MAP -> shape.element();
                default -> null;
            };
            List<String> path = append(prefix, "f:" + k);
            List<String> keys = TypeModel.listMapKeys(owner, k);
            if (v instanceof ObjectNode o && !o.isEmpty()) {
                walk(o, fs, path, out, withStatus);
            } else if (v instanceof ArrayNode a && !a.isEmpty() && keys != null) {
                TypeModel.Shape element = fs != null && fs.kind() == TypeModel.Kind.LIST ? fs.element() : null;
                for (JsonNode item : a) {
                    ObjectNode key = item instanceof ObjectNode io ? keyOf(io, keys) : null;
                    if (key != null) {
                        List<String> itemPath = append(path, "k:" + Json.write(key));
                        out.add(append(itemPath, "."));
                        walk(item, element, itemPath, out, withStatus);
                    }
                }
            } else if (v instanceof ArrayNode a && !a.isEmpty() && TypeModel.isScalarSet(owner, k)) {
                for (JsonNode item : a) {
                    out.add(append(path, "v:" + Json.write(item)));
                }
            } else {
                out.add(path);
            }
        }
    }

    /**
     * The key of a list-map element: its values of {@code keys}, in order, a missing one taken from the
     * schema default ({@code protocol: TCP}); null when a key without default is missing.
     */
    static ObjectNode keyOf(ObjectNode item, List<String> keys) {
        ObjectNode k = Json.mapper().createObjectNode();
        for (String key : keys) {
            JsonNode v = item.get(key);
            if (v == null || v.isNull()) {
                String dflt = TypeModel.keyDefault(key);
                if (dflt == null) {
                    return null;
                }
                k.put(key, dflt);
            } else {
                k.set(key, v);
            }
        }
        return k;
    }

    private static List<String> append(List<String> prefix, String token) {
        List<String> p = new ArrayList<>(prefix.size() + 1);
        p.addAll(prefix);
        p.add(token);
        return p;
    }

    /** The value at {@code path} in {@code obj}, or null when absent. */
    public static JsonNode valueAt(JsonNode obj, List<String> path) {
        JsonNode cur = obj;
        for (String t : path) {
            if (cur == null) {
                return null;
            }
            cur = step(cur, t);
        }
        return cur;
    }

    private static JsonNode step(JsonNode cur, String token) {
        if (token.equals(".")) {
            return cur;
        }
        if (token.startsWith("f:")) {
            return cur.isObject() ? cur.get(token.substring(2)) : null;
        }
        int i = elementIndex(cur, token);
        return i < 0 ? null : cur.get(i);
    }

    /** The index of the list element a {@code k:} or {@code v:} token names, or -1. */
    private static int elementIndex(JsonNode list, String token) {
        if (!list.isArray()) {
            return -1;
        }
        JsonNode want;
        try {
            want = Json.tree(token.substring(2));
        } catch (RuntimeException e) {
            return -1;
        }
        for (int i = 0; i < list.size(); i++) {
            JsonNode item = list.get(i);
            if (token.startsWith("v:")) {
                if (StrategicMergePatch.same(item, want)) {
                    return i;
                }
            } else if (token.startsWith("k:") && want.isObject()) {
                boolean all = true;
                for (Map.Entry<String, JsonNode> kv : want.properties()) {
                    JsonNode have = item.get(kv.getKey());
                    if ((have == null || have.isNull()) && TypeModel.keyDefault(kv.getKey()) != null) {
                        have = Json.mapper().getNodeFactory().stringNode(TypeModel.keyDefault(kv.getKey()));
                    }
                    all &= have != null && StrategicMergePatch.same(have, kv.getValue());
                }
                if (all) {
                    return i;
                }
            }
        }
        return -1;
    }

    /** Removes the field (or list element, for paths ending in {@code .} or a {@code v:} token) at {@code path}. */
    public static void remove(JsonNode obj, List<String> path) {
        if (path.isEmpty()) {
            return;
        }
        String last = path.getLast();
        List<String> parentPath = path.subList(0, path.size() - 1);
        if (last.equals(".")) {
            if (parentPath.isEmpty()) {
                return;
            }
            JsonNode list = valueAt(obj, parentPath.subList(0, parentPath.size() - 1));
            int i = list == null ? -1 : elementIndex(list, parentPath.getLast());
            if (i >= 0) {
                ((ArrayNode) list).remove(i);
            }
            return;
        }
        JsonNode parent = valueAt(obj, parentPath);
        if (parent == null) {
            return;
        }
        if (last.startsWith("f:") && parent instanceof ObjectNode o) {
            o.remove(last.substring(2));
        } else if (last.startsWith("v:") && parent instanceof ArrayNode a) {
            int i = elementIndex(a, last);
            if (i >= 0) {
                a.remove(i);
            }
        }
    }

    /** A path as Kubernetes prints it in conflicts: {@code .spec.template.spec.containers[name="a"].image}. */
    public static String describe(List<String> path) {
        StringBuilder sb = new StringBuilder();
        for (String t : path) {
            if (t.startsWith("f:")) {
                sb.append('.').append(t.substring(2));
            } else if (t.startsWith("k:")) {
                JsonNode k = Json.tree(t.substring(2));
                StringBuilder sel = new StringBuilder();
                k.properties().forEach(e -> sel.append(sel.isEmpty() ? "" : ",").append(e.getKey()).append('=').append(Json.write(e.getValue())));
                sb.append('[').append(sel).append(']');
            } else if (t.startsWith("v:")) {
                sb.append('[').append(t.substring(2)).append(']');
            }
        }
        return sb.toString();
    }

    /** The nested FieldsV1 JSON of a set of leaf paths. */
    public static ObjectNode toFieldsV1(Set<List<String>> paths) {
        ObjectNode root = Json.mapper().createObjectNode();
        for (List<String> p : paths) {
            ObjectNode cur = root;
            for (String t : p) {
                cur = cur.get(t) instanceof ObjectNode o ? o : cur.putObject(t);
            }
        }
        return root;
    }

    /** The leaf paths of a FieldsV1 JSON (an empty object is a leaf). */
    public static Set<List<String>> fromFieldsV1(JsonNode fields) {
        Set<List<String>> out = new LinkedHashSet<>();
        collect(fields, new ArrayList<>(), out);
        return out;
    }

    private static void collect(JsonNode node, List<String> prefix, Set<List<String>> out) {
        if (node == null || !node.isObject()) {
            return;
        }
        if (node.isEmpty() && !prefix.isEmpty()) {
            out.add(List.copyOf(prefix));
            return;
        }
        for (Map.Entry<String, JsonNode> e : node.properties()) {
            collect(e.getValue(), append(prefix, e.getKey()), out);
        }
    }
}
