package io.kube4j.kubelet.status;

import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.BiPredicate;

/**
 * apimachinery's {@code strategicpatch.CreateTwoWayMergePatch} for the status documents the kubelet writes (pod
 * status: {@code statusutil.PatchPodStatus}; node status: {@code nodeutil.PatchNodeStatus}): the strategic merge patch
 * that turns {@code from} into {@code to}. Maps are diffed field by field ({@code null} deletes a field), lists named
 * in {@code mergeKeys} are merged by their key (only changed or new elements, each changed one as its own diff with
 * the merge key; {@code $patch: delete} for elements gone; {@code $setElementOrder/<list>}), all other lists are
 * atomic and sent whole when they differ. Keys come out sorted, as Go's encoder writes a patch's maps.
 */
public final class TwoWayMergePatch {
    private TwoWayMergePatch() {
    }

    /**
     * @param mergeKeys list name -> merge key, for the lists of the top level with {@code patchStrategy:"merge"}
     * @param mayDelete (list, key) -> whether an element gone from {@code to} is deleted (false: left to its owner)
     * @return the patch; empty when nothing changed
     */
    public static ObjectNode diff(ObjectNode from, ObjectNode to, Map<String, String> mergeKeys, BiPredicate<String, String> mayDelete) {
        return diffMaps(from, to, mergeKeys, mayDelete);
    }

    private static String text(JsonNode n, String field) {
        JsonNode v = n.get(field);
        return v == null || v.isNull() ? "" : v.asString("");
    }

    // keys sorted, as Go marshals the patch's maps
    private static ObjectNode diffMaps(ObjectNode from, ObjectNode to, Map<String, String> mergeKeys, BiPredicate<String, String> mayDelete) {
        ObjectNode patch = Json.mapper().createObjectNode();
        Set<String> keys = new TreeSet<>();
        from.propertyNames().forEach(keys::add);
        to.propertyNames().forEach(keys::add);
        for (String key : keys) {
            JsonNode a = from.get(key);
            JsonNode b = to.get(key);
            if (b == null || b.isNull()) {
                if (a != null && !a.isNull()) {
                    patch.putNull(key);
                }
            } else if (a == null || a.isNull()) {
                patch.set(key, sorted(b));
            } else if (a.isObject() && b.isObject()) {
                ObjectNode sub = diffMaps((ObjectNode) a, (ObjectNode) b, Map.of(), mayDelete);
                if (!sub.isEmpty()) {
                    patch.set(key, sub);
                }
            } else if (mergeKeys.containsKey(key) && a.isArray() && b.isArray()) {
                diffMergeList(patch, key, mergeKeys.get(key), a, b, mayDelete);
            } else if (!b.equals(a)) {
                patch.set(key, sorted(b));
            }
        }
        return sortedKeys(patch);
    }

    /**
     * A list merged by {@code mergeKey}: its changed or new elements (a changed one as the diff of its fields with
     * the merge key), {@code $patch: delete} for elements gone, and {@code $setElementOrder/<key>} (the new order
     * of merge keys) when anything changed, or the order did. Elements {@code mayDelete} refuses are left alone.
     */
    private static void diffMergeList(ObjectNode patch, String key, String mergeKey, JsonNode from, JsonNode to, BiPredicate<String, String> mayDelete) {
        Map<String, JsonNode> old = new LinkedHashMap<>();
        from.forEach(e -> old.put(text(e, mergeKey), e));
        List<String> newOrder = new ArrayList<>();
        ArrayNode changed = Json.mapper().createArrayNode();
        for (JsonNode e : to) {
            String k = text(e, mergeKey);
            newOrder.add(k);
            JsonNode before = old.get(k);
            if (before == null) {
                changed.add(sorted(e));
            } else if (!before.equals(e) && before.isObject() && e.isObject()) {
                ObjectNode d = diffMaps((ObjectNode) before, (ObjectNode) e, Map.of(), mayDelete);
                if (!d.isEmpty()) {
                    d.put(mergeKey, k);
                    changed.add(sortedKeys(d));
                }
            }
        }
        ArrayNode deleted = Json.mapper().createArrayNode();
        for (String k : old.keySet()) {
            if (!newOrder.contains(k) && mayDelete.test(key, k)) {
                ObjectNode delete = deleted.addObject();
                delete.put("$patch", "delete");
                delete.put(mergeKey, k);
            }
        }
        List<String> oldOrder = old.keySet().stream().filter(newOrder::contains).toList();
        boolean reordered = !oldOrder.equals(newOrder.stream().filter(old::containsKey).toList());
        if (changed.isEmpty() && deleted.isEmpty() && !reordered) {
            return;
        }
        ArrayNode order = patch.putArray("$setElementOrder/" + key);
        newOrder.forEach(k -> order.addObject().put(mergeKey, k));
        if (!changed.isEmpty() || !deleted.isEmpty()) {
            changed.addAll(deleted);
            patch.set(key, changed);
        }
    }

    private static JsonNode sorted(JsonNode n) {
        if (n.isObject()) {
            ObjectNode out = Json.mapper().createObjectNode();
            new TreeSet<>(n.propertyNames()).forEach(k -> out.set(k, sorted(n.get(k))));
            return out;
        }
        if (n.isArray()) {
            ArrayNode out = Json.mapper().createArrayNode();
            n.forEach(e -> out.add(sorted(e)));
            return out;
        }
        return n;
    }

    private static ObjectNode sortedKeys(ObjectNode n) {
        ObjectNode out = Json.mapper().createObjectNode();
        new TreeSet<>(n.propertyNames()).forEach(k -> out.set(k, n.get(k)));
        return out;
    }
}
