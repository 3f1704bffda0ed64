package io.kube4j.apiserver.table;

import io.kube4j.api.ResourceType;
import tools.jackson.databind.JsonNode;

import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * Tables of custom resources from their CRD version's {@code additionalPrinterColumns}: Name, then each
 * column's value at its JSONPath (the first result only; a missing value is a null cell; dates as
 * ages), or Name and Age when the CRD declares no columns.
 *
 * <p>Kubernetes: {@code apiextensions-apiserver/pkg/registry/customresource/tableconvertor/tableconvertor.go}
 * and the default Age column of {@code apiextensions-apiserver/pkg/apiserver/customresource_handler.go}.
 */
public final class CustomColumns {
    /** One printer column: name, type (integer, number, string, boolean, date), format, description, priority, JSONPath. */
    public record Column(String name, String type, String format, String description, int priority, String jsonPath) {
    }

    private static final Map<String, Printers.Printer> BY_TYPE = new ConcurrentHashMap<>();

    private CustomColumns() {
    }

    private static String key(ResourceType rt) {
        return rt.group() + "/" + rt.version() + "/" + rt.resource();
    }

    /** Prints {@code rt} with {@code columns} from now on (empty: the default Age column). */
    public static void register(ResourceType rt, List<Column> columns) {
        List<Column> cols = columns.isEmpty()
                ? List.of(new Column("Age", "date", "", SwaggerDocs.CREATION_TIMESTAMP, 0, ".metadata.creationTimestamp"))
                : List.copyOf(columns);
        List<Printers.Column> defs = new ArrayList<>();
        defs.add(new Printers.Column("Name", "string", "name", 0, SwaggerDocs.NAME));
        for (Column c : cols) {
            defs.add(new Printers.Column(c.name(), c.type(), c.format() == null ? "" : c.format(), c.priority(), c.description() == null ? "" : c.description()));
        }
        BY_TYPE.put(key(rt), new Printers.Printer(List.copyOf(defs), (o, now) -> cells(o, cols, now), o -> List.of()));
    }

    public static void unregister(ResourceType rt) {
        BY_TYPE.remove(key(rt));
    }

    /** The printer of a custom resource, or null for a built-in kind. */
    static Printers.Printer of(ResourceType rt) {
        return BY_TYPE.get(key(rt));
    }

    private static List<Object> cells(JsonNode o, List<Column> cols, Instant now) {
        List<Object> cells = new ArrayList<>();
        cells.add(Formats.name(o));
        for (Column c : cols) {
            JsonNode v = find(o, c.jsonPath());
            if (v == null || v.isMissingNode() || v.isNull()) {
                cells.add(null);
                continue;
            }
            cells.add(switch (c.type()) {
                case "integer" -> v.isIntegralNumber() ? (Object) v.asLong() : null;
                case "number" -> v.isNumber() ? (Object) v.asDouble() : null;
                case "boolean" -> v.isBoolean() ? (Object) v.asBoolean() : null;
                case "date" -> v.isString() ? Formats.since(v, now) : null;
                default -> v.isValueNode() ? v.asString("") : v.toString();
            });
        }
        return cells;
    }

    /**
     * The first result of a simple JSONPath ({@code .spec.replicas}, {@code .status.conditions[0].type},
     * {@code .metadata.labels.app}, optionally in braces), or null.
     */
    static JsonNode find(JsonNode o, String path) {
        String p = path.trim();
        if (p.startsWith("{") && p.endsWith("}")) {
            p = p.substring(1, p.length() - 1);
        }
        if (p.startsWith("$")) {
            p = p.substring(1);
        }
        JsonNode cur = o;
        int i = 0;
        while (i < p.length() && cur != null) {
            char ch = p.charAt(i);
            if (ch == '.') {
                int end = i + 1;
                while (end < p.length() && p.charAt(end) != '.' && p.charAt(end) != '[') {
                    end++;
                }
                cur = cur.get(p.substring(i + 1, end));
                i = end;
            } else if (ch == '[') {
                int end = p.indexOf(']', i);
                if (end < 0) {
                    return null;
                }
                String idx = p.substring(i + 1, end).trim();
                if (idx.equals("*")) {
                    cur = cur.isArray() && !cur.isEmpty() ? cur.get(0) : null;
                } else if (idx.startsWith("'") || idx.startsWith("\"")) {
                    cur = cur.get(idx.substring(1, idx.length() - 1));
                } else {
                    try {
                        int n = Integer.parseInt(idx);
                        cur = cur.isArray() ? cur.get(n < 0 ? cur.size() + n : n) : null;
                    } catch (NumberFormatException e) {
                        return null;
                    }
                }
                i = end + 1;
            } else {
                return null;
            }
        }
        return cur;
    }
}
