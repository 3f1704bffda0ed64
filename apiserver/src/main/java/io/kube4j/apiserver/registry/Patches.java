package io.kube4j.apiserver.registry;

import io.kube4j.apiserver.errors.ApiError;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/** JSON merge patch (RFC 7386) and JSON patch (RFC 6902) on JSON trees. */
public final class Patches {
    private Patches() {
    }

    /** The patch content types served (server-side apply is handled apart, in ServerSideApply). */
    public static final List<String> CONTENT_TYPES = List.of("application/json-patch+json", "application/merge-patch+json", "application/strategic-merge-patch+json");

    /**
     * Applies a PATCH body of the given content type to {@code current}, an object of {@code type} (which
     * gives strategic merge its merge keys); 415 for other types, 400 when the result is not an object.
     */
    public static ObjectNode apply(String contentType, ObjectNode current, JsonNode patch, Class<?> type) {
        JsonNode patched = switch (contentType) {
            case "application/merge-patch+json" -> mergePatch(current, patch);
            case "application/json-patch+json" -> jsonPatch(current, patch);
            case "application/strategic-merge-patch+json" -> io.kube4j.apiserver.apply.StrategicMergePatch.apply(current, patch, type);
            default -> throw ApiError.unsupportedMediaType(contentType, CONTENT_TYPES);
        };
        if (!(patched instanceof ObjectNode o)) {
            throw ApiError.badRequest("the patch did not produce an object");
        }
        return o;
    }

    /** RFC 7386: objects merge recursively, null removes a key, anything else replaces. */
    public static JsonNode mergePatch(JsonNode target, JsonNode patch) {
        if (!patch.isObject()) {
            return patch.deepCopy();
        }
        ObjectNode result = target != null && target.isObject() ? ((ObjectNode) target).deepCopy() : io.kube4j.json.Json.mapper().createObjectNode();
        for (Map.Entry<String, JsonNode> e : patch.properties()) {
            if (e.getValue().isNull()) {
                result.remove(e.getKey());
            } else {
                result.set(e.getKey(), mergePatch(result.get(e.getKey()), e.getValue()));
            }
        }
        return result;
    }

    /** maxJSONPatchOperations in Kubernetes' patch handler. */
    static final int MAX_JSON_PATCH_OPERATIONS = 10000;
    /**
     * How many bytes {@code copy} operations may add in total: twice the largest request body, as
     * Kubernetes sets json-patch's AccumulatedCopySizeLimit, so a small patch cannot blow up the heap.
     */
    static final long MAX_ACCUMULATED_COPY_BYTES = 2L * 3 * 1024 * 1024;

    /**
     * RFC 6902: add, remove, replace, move, copy, test; a failed op or test is 422 with the op's index.
     * At most {@value #MAX_JSON_PATCH_OPERATIONS} operations (413), and copies adding at most
     * {@value #MAX_ACCUMULATED_COPY_BYTES} bytes (422).
     */
    public static JsonNode jsonPatch(JsonNode target, JsonNode ops) {
        if (!ops.isArray()) {
            throw ApiError.badRequest("a json patch must be a JSON array of operations");
        }
        if (ops.size() > MAX_JSON_PATCH_OPERATIONS) {
            throw new ApiError(io.kube4j.api.Status.failure(413, "RequestEntityTooLarge", "Request entity too large: The allowed maximum operations in a JSON patch is "
                    + MAX_JSON_PATCH_OPERATIONS + ", got " + ops.size()));
        }
        JsonNode doc = target.deepCopy();
        long copied = 0;
        int i = 0;
        for (JsonNode op : ops) {
            String name = op.path("op").asString("");
            String path = op.path("path").asString(null);
            if (path == null) {
                throw ApiError.badRequest("json patch operation " + i + " has no path");
            }
            try {
                doc = switch (name) {
                    case "add" -> add(doc, path, required(op, "value", i));
                    case "remove" -> remove(doc, path);
                    case "replace" -> add(remove(doc, path), path, required(op, "value", i));
                    case "move" -> {
                        String from = op.path("from").asString("");
                        JsonNode v = get(doc, from);
                        yield add(remove(doc, from), path, v);
                    }
                    case "copy" -> {
                        JsonNode v = get(doc, op.path("from").asString(""));
                        copied += io.kube4j.json.Json.writeBytes(v).length;
                        if (copied > MAX_ACCUMULATED_COPY_BYTES) {
                            throw new IllegalArgumentException("Unable to copy, the accumulated size increase of copy is " + copied
                                    + ", exceeding the limit " + MAX_ACCUMULATED_COPY_BYTES);
                        }
                        yield add(doc, path, v.deepCopy());
                    }
                    case "test" -> {
                        if (!get(doc, path).equals(required(op, "value", i))) {
                            throw new IllegalArgumentException("testing value " + path + " failed");
                        }
                        yield doc;
                    }
                    default -> throw ApiError.badRequest("json patch operation " + i + ": unknown op \"" + name + "\"");
                };
            } catch (IllegalArgumentException e) {
                throw new ApiError(io.kube4j.api.Status.failure(422, "Invalid", "the server rejected our request due to an error in our request: json patch operation " + i + " (" + name + " " + path + "): " + e.getMessage()));
            }
            i++;
        }
        return doc;
    }

    private static JsonNode required(JsonNode op, String field, int i) {
        if (!op.has(field)) {
            throw ApiError.badRequest("json patch operation " + i + " needs \"" + field + "\"");
        }
        return op.get(field);
    }

    private static List<String> tokens(String path) {
        List<String> out = new ArrayList<>();
        if (path.isEmpty()) {
            return out;
        }
        if (!path.startsWith("/")) {
            throw new IllegalArgumentException("path must start with '/'");
        }
        for (String t : path.substring(1).split("/", -1)) {
            out.add(t.replace("~1", "/").replace("~0", "~"));
        }
        return out;
    }

    private static JsonNode get(JsonNode doc, String path) {
        JsonNode cur = doc;
        for (String t : tokens(path)) {
            cur = cur.isArray() ? cur.get(index(t, cur.size(), false)) : cur.get(t);
            if (cur == null) {
                throw new IllegalArgumentException("path " + path + " does not exist");
            }
        }
        return cur;
    }

    private static int index(String t, int size, boolean forAdd) {
        if (forAdd && t.equals("-")) {
            return size;
        }
        int i;
        try {
            i = Integer.parseInt(t);
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("\"" + t + "\" is not an array index");
        }
        if (i < 0 || i > size || (!forAdd && i == size)) {
            throw new IllegalArgumentException("array index " + i + " out of bounds");
        }
        return i;
    }

    private static JsonNode add(JsonNode doc, String path, JsonNode value) {
        List<String> t = tokens(path);
        if (t.isEmpty()) {
            return value.deepCopy();
        }
        JsonNode parent = doc;
        for (String s : t.subList(0, t.size() - 1)) {
            parent = parent.isArray() ? parent.get(index(s, parent.size(), false)) : parent.get(s);
            if (parent == null) {
                throw new IllegalArgumentException("path " + path + " does not exist");
            }
        }
        String last = t.get(t.size() - 1);
        if (parent.isArray()) {
            ((ArrayNode) parent).insert(index(last, parent.size(), true), value.deepCopy());
        } else if (parent.isObject()) {
            ((ObjectNode) parent).set(last, value.deepCopy());
        } else {
            throw new IllegalArgumentException("path " + path + " does not exist");
        }
        return doc;
    }

    private static JsonNode remove(JsonNode doc, String path) {
        List<String> t = tokens(path);
        if (t.isEmpty()) {
            throw new IllegalArgumentException("cannot remove the whole document");
        }
        JsonNode parent = get(doc, path.substring(0, path.lastIndexOf('/')));
        String last = t.get(t.size() - 1);
        if (parent.isArray()) {
            ((ArrayNode) parent).remove(index(last, parent.size(), false));
        } else if (parent.isObject() && parent.has(last)) {
            ((ObjectNode) parent).remove(last);
        } else {
            throw new IllegalArgumentException("path " + path + " does not exist");
        }
        return doc;
    }
}
