package io.kube4j.apiserver.crd;

import io.kube4j.api.Status;
import io.kube4j.apiserver.validation.FieldErrors;
import tools.jackson.databind.JsonNode;

import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The objects a CRD schema marks {@code x-kubernetes-embedded-resource: true} (e.g. a pod template in a
 * custom resource): each must carry {@code apiVersion} and {@code kind}, and its {@code metadata} is
 * validated as ObjectMeta. Mirrors {@code apiextensions-apiserver/pkg/apiserver/schema/objectmeta/validation.go}
 * ({@code Validate} with {@code isResourceRoot=false}, as the custom resource strategy calls it: the root
 * object's own metadata is validated by the registry), with Kubernetes' field paths ({@code spec.template.kind},
 * {@code spec.items[0].apiVersion}, {@code spec.byName[key].kind}) and messages.
 */
final class EmbeddedResources {
    private static final Pattern DNS1035 = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    private static final String DNS1035_MSG = "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic "
            + "character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')";

    private EmbeddedResources() {
    }

    /**
     * Adds a cause per problem of every embedded resource in {@code value} (at {@code path}, {@code ""}
     * for the root), following {@code schema}'s properties, additionalProperties and items.
     */
    static void validate(JsonNode value, JsonNode schema, String path, List<Status.Cause> out) {
        if (schema == null || !schema.isObject() || value == null) {
            return;
        }
        if (value.isObject()) {
            if (schema.path("x-kubernetes-embedded-resource").asBoolean(false)) {
                embedded(value, path, out);
            }
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                JsonNode ps = schema.path("properties").get(e.getKey());
                if (ps != null) {
                    validate(e.getValue(), ps, child(path, e.getKey()), out);
                } else if (schema.path("additionalProperties").isObject()) {
                    validate(e.getValue(), schema.get("additionalProperties"), (path.isEmpty() ? "<nil>" : path) + "[" + e.getKey() + "]", out);
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                validate(value.get(i), schema.get("items"), (path.isEmpty() ? "<nil>" : path) + "[" + i + "]", out);
            }
        }
    }

    /** validateEmbeddedResource: apiVersion and kind required (metadata not), each checked, metadata as ObjectMeta. */
    private static void embedded(JsonNode x, String path, List<Status.Cause> out) {
        if (!x.has("apiVersion")) {
            out.add(new Status.Cause("FieldValueRequired", "Required value", child(path, "apiVersion")));
        }
        if (!x.has("kind")) {
            out.add(new Status.Cause("FieldValueRequired", "Required value", child(path, "kind")));
        }
        for (Map.Entry<String, JsonNode> e : x.properties()) {
            JsonNode v = e.getValue();
            String p = child(path, e.getKey());
            switch (e.getKey()) {
                case "apiVersion" -> {
                    if (!v.isString()) {
                        out.add(invalid(p, v, "must be a string"));
                    } else if (v.asString().isEmpty()) {
                        out.add(invalid(p, v, "must not be empty"));
                    } else if (v.asString().chars().filter(c -> c == '/').count() > 1 && !v.asString().equals("/")) {
                        // schema.ParseGroupVersion: at most one '/'
                        out.add(invalid(p, v, "unexpected GroupVersion string: " + v.asString()));
                    }
                }
                case "kind" -> {
                    if (!v.isString()) {
                        out.add(invalid(p, v, "must be a string"));
                    } else if (v.asString().isEmpty()) {
                        out.add(invalid(p, v, "must not be empty"));
                    } else if (!dns1035(v.asString().toLowerCase(Locale.ROOT))) {
                        out.add(invalid(p, v, "may have mixed case, but should otherwise match: " + DNS1035_MSG));
                    }
                }
                case "metadata" -> metadata(v, p, out);
                default -> {
                }
            }
        }
    }

    /**
     * GetObjectMeta then ValidateObjectMeta with ValidatePathSegmentName for the name (a missing name is
     * fine: Kubernetes validates a stand-in {@code fakename}); the namespace, when set, must be a DNS-1123
     * label; labels and annotations as everywhere.
     */
    private static void metadata(JsonNode m, String path, List<Status.Cause> out) {
        if (!m.isObject()) {
            // the Go JSON decoder's error for a metadata that is no object
            out.add(invalid(path, m, "json: cannot unmarshal " + goJsonType(m) + " into Go value of type v1.ObjectMeta"));
            return;
        }
        for (String f : List.of("name", "namespace", "generateName")) {
            if (m.has(f) && !m.get(f).isString() && !m.get(f).isNull()) {
                out.add(invalid(path, m, "json: cannot unmarshal " + goJsonType(m.get(f)) + " into Go struct field ObjectMeta." + f + " of type string"));
                return;
            }
        }
        for (String f : List.of("labels", "annotations")) {
            if (m.has(f) && !m.get(f).isObject() && !m.get(f).isNull()) {
                out.add(invalid(path, m, "json: cannot unmarshal " + goJsonType(m.get(f)) + " into Go struct field ObjectMeta." + f + " of type map[string]string"));
                return;
            }
        }
        FieldErrors errs = new FieldErrors();
        String name = m.path("name").asString("");
        if (name.equals(".") || name.equals("..")) {
            errs.invalid(path + ".name", name, "may not be '" + name + "'");
        } else if (name.contains("/") || name.contains("%")) {
            errs.invalid(path + ".name", name, "may not contain '" + (name.contains("/") ? "/" : "%") + "'");
        }
        String namespace = m.path("namespace").asString("");
        if (!namespace.isEmpty()) {
            errs.dns1123Label(path + ".namespace", namespace);
        }
        for (Map.Entry<String, JsonNode> l : m.path("labels").properties()) {
            errs.qualifiedKey(path + ".labels", l.getKey());
            errs.labelValue(path + ".labels", l.getValue().asString(""));
        }
        for (Map.Entry<String, JsonNode> a : m.path("annotations").properties()) {
            errs.qualifiedKey(path + ".annotations", a.getKey());
        }
        out.addAll(errs.causes());
    }

    private static String goJsonType(JsonNode v) {
        if (v.isString()) {
            return "string";
        }
        if (v.isNumber()) {
            return "number";
        }
        if (v.isBoolean()) {
            return "bool";
        }
        if (v.isArray()) {
            return "array";
        }
        return "object";
    }

    private static boolean dns1035(String s) {
        return s.length() <= 63 && DNS1035.matcher(s).matches();
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static Status.Cause invalid(String path, JsonNode value, String detail) {
        String shown = value.isString() ? "\"" + value.asString() + "\"" : value.toString();
        return new Status.Cause("FieldValueInvalid", "Invalid value: " + shown + ": " + detail, path);
    }
}
