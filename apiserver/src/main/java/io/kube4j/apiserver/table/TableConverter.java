package io.kube4j.apiserver.table;

import io.kube4j.api.ResourceType;
import io.kube4j.json.Json;
import jakarta.servlet.http.HttpServletRequest;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.time.Instant;
import java.util.List;

/**
 * Server-side printing: turns an object or a list into a {@code meta.k8s.io/v1} Table when the client
 * asks for one in Accept ({@code application/json;as=Table;v=v1;g=meta.k8s.io}), as kubectl get does.
 * Each row carries the object's metadata as a PartialObjectMetadata (kubectl needs it for {@code -A}
 * and {@code --show-labels}), or the whole object with {@code includeObject=Object}, and the row conditions
 * its printer gives (Completed for finished pods). Columns and cells come from {@link Printers}.
 */
public final class TableConverter {
    /** The Content-Type of a Table answer. */
    public static final String CONTENT_TYPE = "application/json;as=Table;v=v1;g=meta.k8s.io";

    private TableConverter() {
    }

    /** Whether the first JSON media range of Accept asks for a Table. */
    public static boolean wanted(HttpServletRequest req) {
        String accept = req.getHeader("Accept");
        if (accept == null) {
            return false;
        }
        for (String range : accept.split(",")) {
            String[] parts = range.split(";");
            String type = parts[0].trim();
            if (!type.equals("application/json") && !type.equals("*/*") && !type.equals("application/*")) {
                continue;
            }
            boolean table = false;
            boolean meta = false;
            for (int i = 1; i < parts.length; i++) {
                String p = parts[i].trim();
                table |= p.equals("as=Table");
                meta |= p.equals("g=meta.k8s.io");
            }
            return table && meta;
        }
        return false;
    }

    /**
     * The Table of {@code body} if it is an object or a list of {@code rt} (anything else, a Status for
     * instance, is not printed: null). {@code includeObject} is Metadata (default), Object or None.
     */
    public static ObjectNode toTable(ResourceType rt, JsonNode body, String includeObject, boolean withColumns) {
        return toTable(rt, body, includeObject, withColumns, Instant.now());
    }

    /** As {@link #toTable(ResourceType, JsonNode, String, boolean)}, with ages computed at {@code now}. */
    static ObjectNode toTable(ResourceType rt, JsonNode body, String includeObject, boolean withColumns, Instant now) {
        String kind = body.path("kind").asString("");
        List<JsonNode> items;
        ObjectNode listMeta = Json.mapper().createObjectNode();
        if (kind.equals(rt.listKind()) || (kind.isEmpty() && body.has("items"))) {
            items = new java.util.ArrayList<>();
            body.path("items").forEach(items::add);
            JsonNode m = body.path("metadata");
            if (m.has("resourceVersion")) {
                listMeta.set("resourceVersion", m.get("resourceVersion"));
            }
            if (m.has("continue")) {
                listMeta.set("continue", m.get("continue"));
            }
        } else if (kind.equals(rt.kind())) {
            items = List.of(body);
            if (body.path("metadata").has("resourceVersion")) {
                listMeta.set("resourceVersion", body.path("metadata").get("resourceVersion"));
            }
        } else {
            return null;
        }
        Printers.Printer custom = CustomColumns.of(rt);
        Printers.Printer printer = custom != null ? custom : Printers.forResource(rt.resource());
        ObjectNode table = Json.mapper().createObjectNode();
        table.put("kind", "Table");
        table.put("apiVersion", "meta.k8s.io/v1");
        table.set("metadata", listMeta);
        if (withColumns) {
            ArrayNode cols = table.putArray("columnDefinitions");
            for (Printers.Column c : printer.columns()) {
                ObjectNode col = cols.addObject();
                col.put("name", c.name());
                col.put("type", c.type());
                col.put("format", c.format());
                col.put("description", c.description());
                col.put("priority", c.priority());
            }
        }
        ArrayNode rows = table.putArray("rows");
        for (JsonNode item : items) {
            ObjectNode row = rows.addObject();
            ArrayNode cells = row.putArray("cells");
            for (Object cell : printer.cells().of(item, now)) {
                switch (cell) {
                    case null -> cells.addNull();
                    case Double d -> cells.add(d);
                    case Integer i -> cells.add(i);
                    case Long l -> cells.add(l);
                    case Boolean b -> cells.add(b);
                    default -> cells.add(String.valueOf(cell));
                }
            }
            List<Printers.RowCondition> conditions = printer.conditions().apply(item);
            if (!conditions.isEmpty()) {
                ArrayNode conds = row.putArray("conditions");
                for (Printers.RowCondition c : conditions) {
                    ObjectNode cond = conds.addObject();
                    cond.put("type", c.type());
                    cond.put("status", c.status());
                    cond.put("reason", c.reason());
                    cond.put("message", c.message());
                }
            }
            switch (includeObject == null || includeObject.isEmpty() ? "Metadata" : includeObject) {
                case "None" -> {
                }
                case "Object" -> row.set("object", item);
                default -> row.set("object", partialMetadata(item));
            }
        }
        return table;
    }

    private static ObjectNode partialMetadata(JsonNode item) {
        ObjectNode p = Json.mapper().createObjectNode();
        p.put("kind", "PartialObjectMetadata");
        p.put("apiVersion", "meta.k8s.io/v1");
        ObjectNode m = item.path("metadata").isObject() ? ((ObjectNode) item.get("metadata")).deepCopy() : Json.mapper().createObjectNode();
        m.remove("managedFields");
        p.set("metadata", m);
        return p;
    }
}
