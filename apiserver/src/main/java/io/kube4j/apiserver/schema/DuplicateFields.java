package io.kube4j.apiserver.schema;

import io.kube4j.json.Json;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.StreamReadFeature;
import tools.jackson.core.exc.StreamReadException;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectReader;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashSet;
import java.util.List;
import java.util.Set;

/**
 * Keys that appear twice in one JSON object of a request body, which Kubernetes' strict decoder
 * (sigs.k8s.io/json) reports as {@code duplicate field "spec.paused"} — an error under
 * {@code fieldValidation=Strict}, a warning under Warn — while, as Go's decoder, the last value wins.
 *
 * <p>{@link #read} parses with Jackson's duplicate detection on, so a body without duplicates is parsed
 * once; only a body with a duplicate is scanned again to name every one.
 */
public final class DuplicateFields {
    /** The request attribute holding the duplicate paths of the request's body ({@code List<String>}). */
    public static final String ATTRIBUTE = DuplicateFields.class.getName();

    private static final ObjectReader STRICT = Json.mapper().reader().with(StreamReadFeature.STRICT_DUPLICATE_DETECTION);

    private DuplicateFields() {
    }

    /** A parsed body and the dotted paths of its duplicate keys, in document order. */
    public record Parsed(JsonNode tree, List<String> duplicates) {
    }

    /**
     * Parses JSON {@code body}; the tree keeps the last value of a duplicate key.
     *
     * @throws JacksonException when the body is not JSON
     */
    public static Parsed read(byte[] body) {
        try {
            return new Parsed(STRICT.readTree(body), List.of());
        } catch (StreamReadException e) {
            List<String> duplicates = find(body);
            if (duplicates.isEmpty()) throw e;
            return new Parsed(Json.tree(body), duplicates);
        }
    }

    /** The paths of every duplicate key in {@code body} ({@code spec.containers[0].imagePullPolicy}), in document order. */
    public static List<String> find(byte[] body) {
        List<String> out = new ArrayList<>();
        Deque<Frame> stack = new ArrayDeque<>();
        try (JsonParser p = Json.mapper().createParser(body)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                Frame top = stack.peek();
                if (top != null && top.array && t != JsonToken.END_ARRAY) {
                    top.index++;
                }
                switch (t) {
                    case START_OBJECT -> stack.push(new Frame(path(stack), false));
                    case START_ARRAY -> stack.push(new Frame(path(stack), true));
                    case END_OBJECT, END_ARRAY -> stack.pop();
                    case PROPERTY_NAME -> {
                        String name = p.currentName();
                        top.key = name;
                        if (!top.seen.add(name)) out.add(top.path.isEmpty() ? name : top.path + "." + name);
                    }
                    default -> {
                    }
                }
            }
        }
        return out;
    }

    /** The path of the value the parser is about to open, from the enclosing frames. */
    private static String path(Deque<Frame> stack) {
        Frame top = stack.peek();
        if (top == null) return "";
        if (top.array) return top.path + "[" + (top.index - 1) + "]";
        return top.path.isEmpty() ? top.key : top.path + "." + top.key;
    }

    private static final class Frame {
        final String path;
        final boolean array;
        final Set<String> seen = new HashSet<>();
        String key;
        int index;

        Frame(String path, boolean array) {
            this.path = path;
            this.array = array;
        }
    }
}
