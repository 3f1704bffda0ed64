package io.kube4j.apiserver.apply;

import io.kube4j.api.ResourceType;
import io.kube4j.api.Status;
import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.json.Json;
import io.kube4j.json.Times;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;

/**
 * Field ownership in {@code metadata.managedFields}: which manager set which field, by operation.
 * An {@code Update} (create, PUT, PATCH with a {@code fieldManager}) takes the fields it changed from
 * everyone else. An {@code Apply} (server-side apply) owns exactly the fields of its configuration:
 * taking a field another manager owns with a different value is a conflict (409) unless forced, and a
 * field the applier stops applying is removed unless someone else still owns it.
 */
public final class ManagedFields {
    /** One managedFields entry; a manager is identified by name and operation together. */
    record Entry(String manager, String operation, String apiVersion, String time, Set<List<String>> fields) {
        boolean is(String manager, String operation) {
            return this.manager.equals(manager) && this.operation.equals(operation);
        }
    }

    private ManagedFields() {
    }

    /**
     * Records an Update by {@code manager} that turned {@code old} (null on create) into {@code next};
     * {@code next}'s managedFields are rewritten in place. Entries the client sent with the object are
     * kept, as Kubernetes does for a PUT that carries them.
     */
    public static ObjectNode recordUpdate(ObjectNode old, ObjectNode next, String manager, ResourceType rt) {
        ObjectNode meta = meta(next);
        List<Entry> entries = read(meta.has("managedFields") ? meta : old == null ? meta : meta(old));
        Set<List<String>> now = FieldPaths.of(next, rt.type());
        Set<List<String>> changed = new LinkedHashSet<>();
        for (List<String> p : now) {
            if (old == null) {
                changed.add(p);
            } else if (p.getLast().equals(".")) {
                if (FieldPaths.valueAt(old, p) == null) {
                    changed.add(p);
                }
            } else {
                JsonNode a = FieldPaths.valueAt(next, p);
                JsonNode b = FieldPaths.valueAt(old, p);
                if (b == null || !StrategicMergePatch.same(a, b)) {
                    changed.add(p);
                }
            }
        }
        List<Entry> out = new ArrayList<>();
        boolean found = false;
        for (Entry e : entries) {
            Set<List<String>> fields = new LinkedHashSet<>(e.fields());
            fields.retainAll(now);
            if (e.is(manager, "Update")) {
                fields.addAll(changed);
                found = true;
                out.add(new Entry(manager, "Update", rt.apiVersion(), changed.isEmpty() ? e.time() : Times.now(), fields));
            } else {
                fields.removeAll(changed);
                out.add(new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), fields));
            }
        }
        if (!found && !changed.isEmpty()) {
            out.add(new Entry(manager, "Update", rt.apiVersion(), Times.now(), changed));
        }
        write(meta, out);
        return next;
    }

    /**
     * Server-side apply of {@code config} by {@code manager} onto {@code live} (null when the object does
     * not exist yet): the merged object with its managedFields, or 409 with one cause per conflicting field.
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode config, String manager, boolean force, ResourceType rt) {
        Set<List<String>> applied = FieldPaths.of(config, rt.type());
        if (live == null) {
            ObjectNode created = config.deepCopy();
            write(meta(created), List.of(new Entry(manager, "Apply", rt.apiVersion(), Times.now(), applied)));
            return created;
        }
        List<Entry> entries = read(meta(live));
        Map<Entry, Set<List<String>>> conflicts = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.is(manager, "Apply")) {
                continue;
            }
            for (List<String> p : e.fields()) {
                if (applied.contains(p) && !p.getLast().equals(".")) {
                    JsonNode want = FieldPaths.valueAt(config, p);
                    JsonNode have = FieldPaths.valueAt(live, p);
                    if (have != null && want != null && !StrategicMergePatch.same(want, have)) {
                        conflicts.computeIfAbsent(e, k -> new LinkedHashSet<>()).add(p);
                    }
                }
            }
        }
        if (!conflicts.isEmpty() && !force) {
            throw conflict(rt, meta(live).path("name").asString(""), conflicts);
        }
        ObjectNode merged = StrategicMergePatch.applyConfiguration(live, config, rt.type());
        Set<List<String>> previous = Set.of();
        Set<List<String>> ownedByOthers = new LinkedHashSet<>();
        List<Entry> out = new ArrayList<>();
        for (Entry e : entries) {
            if (e.is(manager, "Apply")) {
                previous = e.fields();
                continue;
            }
            Set<List<String>> fields = new LinkedHashSet<>(e.fields());
            // forcing moves the conflicting fields to the applier
            fields.removeAll(conflicts.getOrDefault(e, Set.of()));
            ownedByOthers.addAll(fields);
            out.add(new Entry(e.manager(), e.operation(), e.apiVersion(), e.time(), fields));
        }
        for (List<String> p : previous) {
            if (!applied.contains(p) && !ownedByOthers.contains(p)) {
                FieldPaths.remove(merged, p);
            }
        }
        out.add(new Entry(manager, "Apply", rt.apiVersion(), Times.now(), applied));
        write(meta(merged), out);
        return merged;
    }

    private static ApiError conflict(ResourceType rt, String name, Map<Entry, Set<List<String>>> conflicts) {
        List<Status.Cause> causes = new ArrayList<>();
        StringBuilder msg = new StringBuilder();
        int n = conflicts.values().stream().mapToInt(Set::size).sum();
        msg.append("Apply failed with ").append(n).append(n == 1 ? " conflict: " : " conflicts: ");
        List<String> parts = new ArrayList<>();
        conflicts.forEach((e, paths) -> {
            for (List<String> p : paths) {
                String who = "conflict with \"" + e.manager() + "\"" + (Objects.equals(e.operation(), "Update") ? " using " + e.apiVersion() : "");
                causes.add(new Status.Cause("FieldManagerConflict", who, FieldPaths.describe(p)));
                parts.add(who + ": " + FieldPaths.describe(p));
            }
        });
        msg.append(String.join("\n", parts));
        Status s = Status.failure(409, "Conflict", msg.toString());
        s.details = new Status.Details();
        s.details.name = name;
        s.details.group = rt.group().isEmpty() ? null : rt.group();
        s.details.kind = rt.resource();
        s.details.causes = causes;
        return new ApiError(s);
    }

    static List<Entry> read(ObjectNode meta) {
        List<Entry> out = new ArrayList<>();
        for (JsonNode e : meta.path("managedFields")) {
            out.add(new Entry(e.path("manager").asString(""), e.path("operation").asString("Update"), e.path("apiVersion").asString(""),
                    e.path("time").asString(null), FieldPaths.fromFieldsV1(e.path("fieldsV1"))));
        }
        return out;
    }

    private static void write(ObjectNode meta, List<Entry> entries) {
        ArrayNode arr = Json.mapper().createArrayNode();
        for (Entry e : entries) {
            if (e.fields().isEmpty()) {
                continue;
            }
            ObjectNode o = arr.addObject();
            o.put("manager", e.manager());
            o.put("operation", e.operation());
            o.put("apiVersion", e.apiVersion());
            if (e.time() != null) {
                o.put("time", e.time());
            }
            o.put("fieldsType", "FieldsV1");
            o.set("fieldsV1", FieldPaths.toFieldsV1(e.fields()));
        }
        if (arr.isEmpty()) {
            meta.remove("managedFields");
        } else {
            meta.set("managedFields", arr);
        }
    }

    private static ObjectNode meta(ObjectNode obj) {
        return obj.get("metadata") instanceof ObjectNode m ? m : obj.putObject("metadata");
    }
}
