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
    /**
     * One managedFields entry; a manager is identified by name, operation and subresource together (a
     * status write by a manager is a different entry from its main-resource writes).
     */
    record Entry(String manager, String operation, String apiVersion, String time, Set<List<String>> fields, String subresource) {
        boolean is(String manager, String operation, String subresource) {
            return this.manager.equals(manager) && this.operation.equals(operation) && this.subresource.equals(subresource);
        }

        Entry withFields(Set<List<String>> fields) {
            return new Entry(manager, operation, apiVersion, time, fields, subresource);
        }
    }

    /** The subresource of status writes, as managedFields name it. */
    public static final String STATUS = "status";

    private ManagedFields() {
    }

    /** Whether {@code path} is one a write through {@code subresource} ("" for the main resource) can own. */
    private static boolean inScope(List<String> path, String subresource) {
        boolean status = !path.isEmpty() && path.getFirst().equals("f:status");
        // approval writes status.conditions alone (a CertificateSigningRequest's approval strategy resets the rest)
        return (STATUS.equals(subresource) || "approval".equals(subresource)) == status;
    }

    private static Set<List<String>> scoped(Set<List<String>> paths, String subresource) {
        Set<List<String>> out = new LinkedHashSet<>();
        for (List<String> p : paths) {
            if (inScope(p, subresource)) {
                out.add(p);
            }
        }
        return out;
    }

    /**
     * Records an Update by {@code manager} on the main resource of a built-in kind; see
     * {@link #recordUpdate(ObjectNode, ObjectNode, String, String, FieldModel, String)}.
     */
    public static ObjectNode recordUpdate(ObjectNode old, ObjectNode next, String manager, ResourceType rt) {
        return recordUpdate(old, next, manager, rt.apiVersion(), FieldModel.of(rt.type()), "");
    }

    /**
     * Records an Update by {@code manager} through {@code subresource} ("" or {@link #STATUS}) that turned
     * {@code old} (null on create) into {@code next}; {@code next}'s managedFields are rewritten in place.
     * The entries are those the client sent with a main-resource write, else (omitted, or a subresource
     * write, which cannot set them) the live object's; an explicit empty list, or one empty entry, resets
     * them (fieldmanager.go decodeLiveOrNew, isResetManagedFields). Only paths the write can touch move:
     * status paths for a status write, the others for a main write.
     */
    public static ObjectNode recordUpdate(ObjectNode old, ObjectNode next, String manager, String apiVersion, FieldModel model, String subresource) {
        ObjectNode meta = meta(next);
        List<Entry> entries;
        if (old != null && (!subresource.isEmpty() || !meta.has("managedFields") || meta.get("managedFields").isNull())) {
            entries = read(meta(old));
        } else {
            entries = read(meta);
        }
        Set<List<String>> now = scoped(model.paths(next), subresource);
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
            // a field gone from the part this write replaces is nobody's any more; the other part is untouched
            fields.removeIf(p -> inScope(p, subresource) && !now.contains(p));
            if (e.is(manager, "Update", subresource)) {
                fields.addAll(changed);
                found = true;
                out.add(new Entry(manager, "Update", apiVersion, changed.isEmpty() ? e.time() : Times.now(), fields, subresource));
            } else {
                fields.removeAll(changed);
                out.add(e.withFields(fields));
            }
        }
        if (!found && !changed.isEmpty()) {
            out.add(new Entry(manager, "Update", apiVersion, Times.now(), changed, subresource));
        }
        write(meta, out);
        return next;
    }

    /** Server-side apply on the main resource of a built-in kind; see {@link #apply(ObjectNode, ObjectNode, String, boolean, ResourceType, FieldModel, String)}. */
    public static ObjectNode apply(ObjectNode live, ObjectNode config, String manager, boolean force, ResourceType rt) {
        return apply(live, config, manager, force, rt, FieldModel.of(rt.type()), "");
    }

    /**
     * Server-side apply of {@code config} by {@code manager} through {@code subresource} ("" or
     * {@link #STATUS}) onto {@code live} (null when the object does not exist yet): the merged object with
     * its managedFields, or 409 with one cause per conflicting field. A status apply owns the status fields
     * of its configuration; the rest of it is dropped by the status write, as Kubernetes' status strategy
     * resets everything but status.
     */
    public static ObjectNode apply(ObjectNode live, ObjectNode config, String manager, boolean force, ResourceType rt, FieldModel model, String subresource) {
        Set<List<String>> applied = scoped(model.paths(config), subresource);
        if (live == null) {
            ObjectNode created = config.deepCopy();
            write(meta(created), List.of(new Entry(manager, "Apply", rt.apiVersion(), Times.now(), applied, subresource)));
            return created;
        }
        List<Entry> entries = read(meta(live));
        Map<Entry, Set<List<String>>> conflicts = new LinkedHashMap<>();
        for (Entry e : entries) {
            if (e.is(manager, "Apply", subresource)) {
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
        ObjectNode merged = model.applyConfiguration(live, config);
        Set<List<String>> previous = Set.of();
        Set<List<String>> ownedByOthers = new LinkedHashSet<>();
        List<Entry> out = new ArrayList<>();
        Entry self = null;
        for (Entry e : entries) {
            if (e.is(manager, "Apply", subresource)) {
                previous = e.fields();
                self = e;
                continue;
            }
            Set<List<String>> fields = new LinkedHashSet<>(e.fields());
            // forcing moves the conflicting fields to the applier
            fields.removeAll(conflicts.getOrDefault(e, Set.of()));
            ownedByOthers.addAll(fields);
            out.add(e.withFields(fields));
        }
        boolean removed = false;
        for (List<String> p : previous) {
            if (!applied.contains(p) && !ownedByOthers.contains(p)) {
                FieldPaths.remove(merged, p);
                removed = true;
            }
        }
        // the timestamp moves only when the applier's fields or their values change (managedfieldsupdater.go)
        boolean same = self != null && !removed && previous.equals(applied) && conflicts.isEmpty()
                && withoutManagedFields(merged).equals(withoutManagedFields(live));
        out.add(new Entry(manager, "Apply", rt.apiVersion(), same ? self.time() : Times.now(), applied, subresource));
        write(meta(merged), out);
        return merged;
    }

    private static JsonNode withoutManagedFields(ObjectNode obj) {
        ObjectNode copy = obj.deepCopy();
        meta(copy).remove("managedFields");
        meta(copy).remove("resourceVersion");
        // through JSON text, so numbers compare by value whatever node type built them
        return Json.tree(Json.writeBytes(copy));
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
                    e.path("time").asString(null), FieldPaths.fromFieldsV1(e.path("fieldsV1")), e.path("subresource").asString("")));
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
            if (!e.subresource().isEmpty()) {
                o.put("subresource", e.subresource());
            }
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
