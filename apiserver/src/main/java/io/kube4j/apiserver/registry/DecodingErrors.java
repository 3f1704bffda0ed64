package io.kube4j.apiserver.registry;

import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.databind.DatabindException;
import tools.jackson.databind.exc.MismatchedInputException;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.StringJoiner;

/**
 * Turns a decoding failure into the words of Go's encoding/json, as Kubernetes answers a body whose
 * field has the wrong type: {@code json: cannot unmarshal string into Go struct field
 * DeploymentSpec.spec.replicas of type int32} (the struct, the field's JSON path, the expected type),
 * never a Java class name of kube4j's.
 */
final class DecodingErrors {
    private DecodingErrors() {
    }

    static String describe(Throwable e) {
        Throwable t = e;
        while (t != null && !(t instanceof DatabindException)) {
            t = t.getCause();
        }
        if (t instanceof MismatchedInputException m && !m.getPath().isEmpty()) {
            List<tools.jackson.core.JacksonException.Reference> path = m.getPath();
            StringJoiner dotted = new StringJoiner(".");
            for (tools.jackson.core.JacksonException.Reference r : path) {
                // Go names the field, not the map key or list index inside it
                if (r.getPropertyName() != null && !isContainer(r.from())) {
                    dotted.add(r.getPropertyName());
                }
            }
            String struct = structOf(path);
            return "json: cannot unmarshal " + inputType(m) + " into Go struct field " + struct + "." + dotted + " of type " + goType(m.getTargetType());
        }
        String msg = (t == null ? e : t).getMessage();
        return msg == null ? e.toString() : msg.lines().findFirst().orElse(msg);
    }

    /** The innermost non-container owner on the path: the struct a map or list field belongs to. */
    private static String structOf(List<tools.jackson.core.JacksonException.Reference> path) {
        for (int i = path.size() - 1; i >= 0; i--) {
            Object from = path.get(i).from();
            if (from != null && !isContainer(from)) {
                return goName(from instanceof Class<?> c ? c : from.getClass());
            }
        }
        return "Object";
    }

    /** A map or list (given as an instance or, for some references, as its class). */
    private static boolean isContainer(Object from) {
        Class<?> c = from instanceof Class<?> k ? k : from == null ? null : from.getClass();
        return c != null && (Map.class.isAssignableFrom(c) || Collection.class.isAssignableFrom(c));
    }

    private static String goName(Class<?> c) {
        return c.getSimpleName();
    }

    private static String inputType(MismatchedInputException m) {
        JsonToken token = m.processor() instanceof JsonParser p ? p.currentToken() : null;
        if (token == null) {
            return "value";
        }
        return switch (token) {
            case VALUE_STRING -> "string";
            case VALUE_NUMBER_INT, VALUE_NUMBER_FLOAT -> "number";
            case VALUE_TRUE, VALUE_FALSE -> "bool";
            case START_ARRAY -> "array";
            case START_OBJECT -> "object";
            default -> "value";
        };
    }

    /** The Go type Kubernetes declares for a field of this Java type. */
    private static String goType(Class<?> c) {
        if (c == null) {
            return "value";
        }
        if (c == Integer.class || c == int.class) {
            return "int32";
        }
        if (c == Long.class || c == long.class) {
            return "int64";
        }
        if (c == Boolean.class || c == boolean.class) {
            return "bool";
        }
        if (c == String.class) {
            return "string";
        }
        if (c == Double.class || c == double.class) {
            return "float64";
        }
        if (Map.class.isAssignableFrom(c)) {
            return "map[string]string";
        }
        if (Collection.class.isAssignableFrom(c)) {
            return "[]string";
        }
        return "v1." + c.getSimpleName();
    }
}
