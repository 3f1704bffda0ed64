package io.kube4j.apiserver.crd;

import io.kube4j.api.Status;
import io.kube4j.json.Json;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.node.ArrayNode;
import tools.jackson.databind.node.ObjectNode;

import java.math.BigDecimal;
import java.net.InetAddress;
import java.time.LocalDate;
import java.time.OffsetDateTime;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * A CRD version's structural OpenAPI v3 schema (a JSON tree) and what the apiserver does with it:
 * the structural invariants a CRD must meet ({@link #structuralErrors}), and for every custom resource
 * pruning of unknown fields ({@link #prune}), defaulting ({@link #applyDefaults}) and validation
 * ({@link #validate}) with Kubernetes' field paths and messages.
 *
 * <p>Kubernetes: {@code staging/src/k8s.io/apiextensions-apiserver/pkg/apiserver/schema/validation.go}
 * (structural invariants), {@code .../schema/pruning/algorithm.go}, {@code .../schema/defaulting/algorithm.go}
 * and {@code .../apiserver/validation/validation.go} with kube-openapi's validators for the messages
 * ({@code "spec.replicas in body must be of type integer: \"string\""}).
 */
public final class StructuralSchema {
    private final JsonNode root;

    /** @param root the {@code openAPIV3Schema} tree; null means no schema (everything is kept, nothing validated) */
    public StructuralSchema(JsonNode root) {
        this.root = root == null || root.isNull() || root.isMissingNode() ? null : root;
    }

    public JsonNode root() {
        return root;
    }

    // ---- structural invariants (for the CRD itself) -------------------------------------------

    private enum Level { ROOT, ITEM, FIELD }

    /** The structural-schema violations of {@code schema}, with paths under {@code path} ({@code spec.versions[0].schema.openAPIV3Schema}). */
    public static List<Status.Cause> structuralErrors(JsonNode schema, String path) {
        List<Status.Cause> out = new ArrayList<>();
        structural(schema, Level.ROOT, path, out);
        return out;
    }

    private static void structural(JsonNode s, Level lvl, String path, List<Status.Cause> out) {
        if (s == null || !s.isObject()) {
            return;
        }
        String type = s.path("type").asString("");
        boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        boolean embedded = s.path("x-kubernetes-embedded-resource").asBoolean(false);
        if (s.has("x-kubernetes-preserve-unknown-fields") && !preserve) {
            out.add(invalid(path + ".x-kubernetes-preserve-unknown-fields", "false", "must be true or undefined"));
        }
        if (type.equals("array") && !s.has("items")) {
            out.add(required(path + ".items", "must be specified"));
        }
        if (s.has("items")) {
            structural(s.get("items"), Level.ITEM, path + ".items", out);
        }
        if (s.path("properties").isObject()) {
            for (Map.Entry<String, JsonNode> e : s.get("properties").properties()) {
                structural(e.getValue(), Level.FIELD, path + ".properties[" + e.getKey() + "]", out);
            }
        }
        if (s.has("additionalProperties")) {
            if (lvl == Level.ROOT) {
                out.add(forbidden(path + ".additionalProperties", "must not be used at the root"));
            }
            if (s.path("properties").isObject() && !s.get("properties").isEmpty()
                    && (s.get("additionalProperties").isObject() || !s.get("additionalProperties").asBoolean(true))) {
                out.add(forbidden(path + ".additionalProperties", "additionalProperties and properties are mutual exclusive"));
            }
            if (s.get("additionalProperties").isObject()) {
                structural(s.get("additionalProperties"), Level.FIELD, path + ".additionalProperties", out);
            }
        }
        if (intOrString && preserve) {
            out.add(invalid(path + ".x-kubernetes-preserve-unknown-fields", true, "must be false if x-kubernetes-int-or-string is true"));
        }
        if (intOrString && embedded) {
            out.add(invalid(path + ".x-kubernetes-embedded-resource", true, "must be false if x-kubernetes-int-or-string is true"));
        }
        if (s.path("pattern").isString()) {
            try {
                Pattern.compile(s.get("pattern").asString());
            } catch (PatternSyntaxException e) {
                out.add(invalid(path + ".pattern", s.get("pattern").asString(), "must be a valid regular expression, but isn't: " + e.getDescription()));
            }
        }
        if (embedded && !type.equals("object")) {
            if (type.isEmpty()) {
                out.add(required(path + ".type", "must be object if x-kubernetes-embedded-resource is true"));
            } else {
                out.add(invalid(path + ".type", type, "must be object if x-kubernetes-embedded-resource is true"));
            }
        } else if (type.isEmpty() && !intOrString && !preserve) {
            out.add(required(path + ".type", switch (lvl) {
                case ROOT -> "must not be empty at the root";
                case ITEM -> "must not be empty for specified array items";
                case FIELD -> "must not be empty for specified object fields";
            }));
        }
        if (type.equals("null")) {
            out.add(forbidden(path + ".type", "type cannot be set to null"));
        }
        if (lvl == Level.ROOT && !type.isEmpty() && !type.equals("object")) {
            out.add(invalid(path + ".type", type, "must be object at the root"));
        }
        // the IntOrString patterns are allowed: anyOf [integer, string], or allOf whose first item is that anyOf
        boolean skipAnyOf = isIntOrStringAnyOf(s.get("anyOf"));
        boolean skipFirstAllOfAnyOf = s.path("allOf").size() >= 1 && isIntOrStringAnyOf(s.get("allOf").get(0).get("anyOf"));
        for (String junctor : List.of("anyOf", "allOf", "oneOf")) {
            if (junctor.equals("anyOf") && skipAnyOf) {
                continue;
            }
            JsonNode list = s.path(junctor);
            for (int i = 0; i < list.size(); i++) {
                JsonNode item = list.get(i);
                if (junctor.equals("allOf") && i == 0 && skipFirstAllOfAnyOf) {
                    item = item.deepCopy();
                    ((ObjectNode) item).remove("anyOf");
                }
                nested(item, path + "." + junctor + "[" + i + "]", out);
            }
        }
        if (s.has("not")) {
            nested(s.get("not"), path + ".not", out);
        }
        JsonNode metadata = s.path("properties").path("metadata");
        if (lvl == Level.ROOT && metadata.isObject()) {
            ObjectNode m = (ObjectNode) metadata.deepCopy();
            m.remove("type");
            m.remove("description");
            JsonNode props = m.path("properties");
            boolean onlyNames = true;
            for (Map.Entry<String, JsonNode> e : props.properties()) {
                onlyNames &= e.getKey().equals("name") || e.getKey().equals("generateName");
            }
            m.remove("properties");
            if (!onlyNames || !m.isEmpty()) {
                out.add(forbidden(path + ".properties[metadata]", "must not specify anything other than name and generateName, but metadata is implicitly specified"));
            }
        }
        if (embedded && !preserve && (!s.path("properties").isObject() || s.get("properties").isEmpty())) {
            out.add(required(path + ".properties", "must not be empty if x-kubernetes-embedded-resource is true without x-kubernetes-preserve-unknown-fields"));
        }
    }

    private static boolean isIntOrStringAnyOf(JsonNode anyOf) {
        return anyOf != null && anyOf.isArray() && anyOf.size() == 2
                && anyOf.get(0).size() == 1 && "integer".equals(anyOf.get(0).path("type").asString(""))
                && anyOf.get(1).size() == 1 && "string".equals(anyOf.get(1).path("type").asString(""));
    }

    /** validateNestedValueValidation: inside anyOf/allOf/oneOf/not only value validations are structural. */
    private static void nested(JsonNode v, String path, List<Status.Cause> out) {
        if (v == null || !v.isObject()) {
            return;
        }
        if (v.has("type")) {
            out.add(forbidden(path + ".type", "must be empty to be structural"));
        }
        if (v.has("additionalProperties")) {
            out.add(forbidden(path + ".additionalProperties", "must be undefined to be structural"));
        }
        if (v.has("default")) {
            out.add(forbidden(path + ".default", "must be undefined to be structural"));
        }
        if (v.has("title")) {
            out.add(forbidden(path + ".title", "must be empty to be structural"));
        }
        if (v.has("description")) {
            out.add(forbidden(path + ".description", "must be empty to be structural"));
        }
        if (v.path("nullable").asBoolean(false)) {
            out.add(forbidden(path + ".nullable", "must be false to be structural"));
        }
        for (String x : List.of("x-kubernetes-preserve-unknown-fields", "x-kubernetes-embedded-resource", "x-kubernetes-int-or-string")) {
            if (v.path(x).asBoolean(false)) {
                out.add(forbidden(path + "." + x, "must be false to be structural"));
            }
        }
        if (v.path("properties").has("metadata")) {
            out.add(forbidden(path + ".properties[metadata]", "must not be specified in a nested context"));
        }
        if (v.has("items")) {
            nested(v.get("items"), path + ".items", out);
        }
        for (Map.Entry<String, JsonNode> e : v.path("properties").properties()) {
            nested(e.getValue(), path + ".properties[" + e.getKey() + "]", out);
        }
    }

    // ---- Kubernetes extensions (for the CRD itself) --------------------------------------------

    /**
     * The misuses of {@code x-kubernetes-map-type}, {@code x-kubernetes-list-type} and
     * {@code x-kubernetes-list-map-keys} in {@code schema} (paths under {@code path}), children first as
     * Kubernetes walks: map-type only on objects and only granular or atomic; list-type only on arrays and
     * only atomic, set or map; a set's items scalar or atomic; a map list's keys non-empty, unique, scalar
     * properties of object items that are required or defaulted and not nullable; set and map items not
     * nullable. Kubernetes: {@code apiextensions/validation/validation.go}
     * ValidateCustomResourceDefinitionOpenAPISchema and validateMapListKeysMapSet (both options on, as for a
     * new CRD).
     */
    public static List<Status.Cause> extensionErrors(JsonNode schema, String path) {
        io.kube4j.apiserver.validation.FieldErrors errs = new io.kube4j.apiserver.validation.FieldErrors();
        extensions(schema, path, errs);
        return errs.causes();
    }

    private static void extensions(JsonNode s, String path, io.kube4j.apiserver.validation.FieldErrors errs) {
        if (s == null || !s.isObject()) {
            return;
        }
        for (Map.Entry<String, JsonNode> e : s.path("properties").properties()) {
            extensions(e.getValue(), path + ".properties[" + e.getKey() + "]", errs);
        }
        if (s.path("additionalProperties").isObject()) {
            extensions(s.get("additionalProperties"), path + ".additionalProperties", errs);
        }
        if (s.has("items")) {
            extensions(s.get("items"), path + ".items", errs);
        }
        String type = s.path("type").asString("");
        JsonNode mapType = s.get("x-kubernetes-map-type");
        if (mapType != null && !mapType.isNull()) {
            if (!type.equals("object")) {
                if (type.isEmpty()) {
                    errs.required(path + ".type", "must be object if x-kubernetes-map-type is specified");
                } else {
                    errs.invalid(path + ".type", type, "must be object if x-kubernetes-map-type is specified");
                }
            }
            if (!mapType.asString("").equals("atomic") && !mapType.asString("").equals("granular")) {
                errs.notSupported(path + ".x-kubernetes-map-type", mapType.asString(""), List.of("atomic", "granular"));
            }
        }
        JsonNode lt = s.get("x-kubernetes-list-type");
        String listType = lt == null || lt.isNull() ? null : lt.asString("");
        JsonNode items = s.get("items");
        if (listType != null && !type.equals("array")) {
            if (type.isEmpty()) {
                errs.required(path + ".type", "must be array if x-kubernetes-list-type is specified");
            } else {
                errs.invalid(path + ".type", type, "must be array if x-kubernetes-list-type is specified");
            }
        } else if ("set".equals(listType) && items != null && items.isObject()) {
            String itemType = items.path("type").asString("");
            if (itemType.equals("array")) {
                String itemList = items.path("x-kubernetes-list-type").asString(null);
                if (itemList != null && !itemList.equals("atomic")) {
                    errs.invalid(path + ".items.x-kubernetes-list-type", itemList, "must be atomic as item of a list with x-kubernetes-list-type=set");
                }
            } else if (itemType.equals("object") && !"atomic".equals(items.path("x-kubernetes-map-type").asString(""))) {
                // Kubernetes shows the items' x-kubernetes-list-type here (nil: "null")
                errs.invalid(path + ".items.x-kubernetes-map-type", items.path("x-kubernetes-list-type").asString("null"),
                        "must be atomic as item of a list with x-kubernetes-list-type=set");
            }
        }
        if (listType != null && !List.of("atomic", "set", "map").contains(listType)) {
            errs.notSupported(path + ".x-kubernetes-list-type", listType, List.of("atomic", "set", "map"));
        }
        List<String> keys = new ArrayList<>();
        s.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asString("")));
        if (!keys.isEmpty()) {
            if (listType == null) {
                errs.required(path + ".x-kubernetes-list-type", "must be map if x-kubernetes-list-map-keys is non-empty");
            } else if (!listType.equals("map")) {
                errs.invalid(path + ".x-kubernetes-list-type", listType, "must be map if x-kubernetes-list-map-keys is non-empty");
            }
        }
        String goKeys = "[]string{" + String.join(", ", keys.stream().map(k -> "\"" + k + "\"").toList()) + "}";
        if ("map".equals(listType)) {
            if (keys.isEmpty()) {
                errs.required(path + ".x-kubernetes-list-map-keys", "must not be empty if x-kubernetes-list-type is map");
            }
            if (items == null) {
                errs.required(path + ".items", "must have a schema if x-kubernetes-list-type is map");
            } else if (!items.path("type").asString("").equals("object")) {
                errs.invalid(path + ".items.type", items.path("type").asString(""), "must be object if parent array's x-kubernetes-list-type is map");
            } else {
                java.util.Set<String> seen = new java.util.HashSet<>();
                for (String k : keys) {
                    JsonNode prop = items.path("properties").get(k);
                    if (prop != null) {
                        String pt = prop.path("type").asString("");
                        if (pt.equals("array") || pt.equals("object")) {
                            // Kubernetes shows the items' type ("object") as the value
                            errs.invalid(path + ".items.properties[" + k + "].type", "object", "must be a scalar type if parent array's x-kubernetes-list-type is map");
                        }
                    } else {
                        errs.causes().add(new Status.Cause("FieldValueInvalid", "Invalid value: " + goKeys + ": entries must all be names of item properties",
                                path + ".x-kubernetes-list-map-keys"));
                    }
                    if (!seen.add(k)) {
                        errs.causes().add(new Status.Cause("FieldValueInvalid", "Invalid value: " + goKeys + ": must not contain duplicate entries",
                                path + ".x-kubernetes-list-map-keys"));
                    }
                }
            }
        }
        // validateMapListKeysMapSet
        if (items != null && items.isObject() && ("set".equals(listType) || "map".equals(listType))) {
            if (items.path("nullable").asBoolean(false)) {
                errs.forbidden(path + ".items.nullable", "cannot be nullable when x-kubernetes-list-type is " + listType);
            }
            if (listType.equals("map")) {
                java.util.Set<String> required = new java.util.HashSet<>();
                items.path("required").forEach(r -> required.add(r.asString("")));
                for (String k : keys) {
                    JsonNode prop = items.path("properties").get(k);
                    if (prop == null) {
                        continue;
                    }
                    if (!required.contains(k) && !prop.has("default")) {
                        errs.required(path + ".items.properties[" + k + "].default",
                                "this property is in x-kubernetes-list-map-keys, so it must have a default or be a required property");
                    }
                    if (prop.path("nullable").asBoolean(false)) {
                        errs.forbidden(path + ".items.properties[" + k + "].nullable", "this property is in x-kubernetes-list-map-keys, so it cannot be nullable");
                    }
                }
            }
        }
    }

    // ---- defaults -----------------------------------------------------------------------------

    /**
     * The errors of the {@code default} values in {@code schema} (paths under {@code path}): each default
     * must validate against the schema it sits in (type, enum, formats, bounds...) and must not carry
     * fields pruning would drop ("must not have unknown fields"); additionalProperties are not followed,
     * as defaults are forbidden there. Causes are at {@code <path>.default} (or below it, for a nested
     * value of an object default), worded as the OpenAPI validator words them with the default as the body.
     * Kubernetes: {@code apiextensions-apiserver/pkg/apiserver/schema/defaulting/validation.go} ValidateDefaults.
     * The CEL rules of a default are not evaluated here.
     */
    public static List<Status.Cause> defaultErrors(JsonNode schema, String path) {
        List<Status.Cause> out = new ArrayList<>();
        defaults(schema, path, out, true);
        return out;
    }

    private static void defaults(JsonNode s, String path, List<Status.Cause> out, boolean resourceRoot) {
        if (s == null || !s.isObject()) {
            return;
        }
        JsonNode def = s.get("default");
        if (def != null && !resourceRoot) {
            String at = path + ".default";
            JsonNode pruned = def.deepCopy();
            if (pruned instanceof ObjectNode o) {
                pruneObject(o, s, s.path("x-kubernetes-embedded-resource").asBoolean(false), "", new ArrayList<>());
            } else {
                prune(pruned, s, "", new ArrayList<>());
            }
            if (!pruned.equals(def)) {
                out.add(invalid(at, def, "must not have unknown fields"));
            }
            List<Status.Cause> found = new ArrayList<>();
            value(def, s, "", found);
            for (Status.Cause c : found) {
                String field = c.field == null || c.field.isEmpty() ? at : at + "." + c.field;
                // the validator's root has no name: "<name> in body ..." reads " in body ..." for the default itself
                String message = c.message.replace(": body in body ", ":  in body ");
                out.add(new Status.Cause(c.reason, message, field));
            }
        }
        if (s.has("items")) {
            defaults(s.get("items"), path + ".items", out, false);
        }
        for (Map.Entry<String, JsonNode> e : s.path("properties").properties()) {
            defaults(e.getValue(), path + ".properties[" + e.getKey() + "]", out, false);
        }
    }

    // ---- pruning ------------------------------------------------------------------------------

    /**
     * Removes the fields the schema does not specify (pruning/algorithm.go): at the root and in embedded
     * resources apiVersion, kind and metadata stay; {@code x-kubernetes-preserve-unknown-fields} keeps
     * everything below it. Returns the paths removed ({@code spec.foo}), which strict field validation
     * reports as unknown fields.
     */
    public List<String> prune(ObjectNode obj) {
        List<String> pruned = new ArrayList<>();
        if (root != null) {
            pruneObject(obj, root, true, "", pruned);
        }
        return pruned;
    }

    private static void prune(JsonNode value, JsonNode s, String path, List<String> pruned) {
        if (s == null || !s.isObject() || value == null) {
            return;
        }
        if (value instanceof ObjectNode o) {
            pruneObject(o, s, s.path("x-kubernetes-embedded-resource").asBoolean(false), path, pruned);
        } else if (value instanceof ArrayNode a && s.has("items")) {
            for (int i = 0; i < a.size(); i++) {
                prune(a.get(i), s.get("items"), path + "[" + i + "]", pruned);
            }
        }
    }

    private static void pruneObject(ObjectNode o, JsonNode s, boolean isResource, String path, List<String> pruned) {
        boolean preserve = s.path("x-kubernetes-preserve-unknown-fields").asBoolean(false);
        JsonNode props = s.path("properties");
        JsonNode additional = s.get("additionalProperties");
        List<String> remove = new ArrayList<>();
        for (Map.Entry<String, JsonNode> e : o.properties()) {
            String k = e.getKey();
            String p = path.isEmpty() ? k : path + "." + k;
            if (isResource && (k.equals("apiVersion") || k.equals("kind"))) {
                continue;
            }
            if (isResource && k.equals("metadata")) {
                pruneMetadata(e.getValue(), p, pruned);
                continue;
            }
            if (props.has(k)) {
                prune(e.getValue(), props.get(k), p, pruned);
            } else if (additional != null && additional.isObject()) {
                prune(e.getValue(), additional, p, pruned);
            } else if (!preserve && !(additional != null && additional.asBoolean(false))) {
                remove.add(k);
                pruned.add(p);
            }
        }
        remove.forEach(o::remove);
    }

    /**
     * A resource's metadata (the root's or an embedded resource's) is decoded as ObjectMeta
     * (objectmeta.Coerce with dropInvalidFields and returnUnknownFieldPaths): the fields ObjectMeta does not
     * have are dropped and reported as {@code metadata.<field>} under the resource's path.
     */
    private static void pruneMetadata(JsonNode meta, String path, List<String> pruned) {
        if (!(meta instanceof ObjectNode m)) {
            return;
        }
        for (String unknown : io.kube4j.apiserver.schema.UnknownFields.of(m, io.kube4j.api.ObjectMeta.class)) {
            if (unknown.equals("selfLink")) {
                continue; // still an ObjectMeta field in Kubernetes (never set since 1.20), not unknown
            }
            removePath(m, unknown);
            pruned.add(path + "." + unknown);
        }
    }

    /** Removes the field at a dotted path with list indexes ({@code ownerReferences[0].bogus}). */
    private static void removePath(JsonNode node, String path) {
        String[] parts = path.split("\\.");
        JsonNode cur = node;
        for (int i = 0; i < parts.length && cur != null; i++) {
            String part = parts[i];
            int bracket = part.indexOf('[');
            String name = bracket < 0 ? part : part.substring(0, bracket);
            if (i == parts.length - 1 && bracket < 0) {
                if (cur instanceof ObjectNode o) {
                    o.remove(name);
                }
                return;
            }
            cur = cur.get(name);
            while (bracket >= 0 && cur != null) {
                int close = part.indexOf(']', bracket);
                cur = cur.get(Integer.parseInt(part.substring(bracket + 1, close)));
                bracket = part.indexOf('[', close);
            }
        }
    }

    // ---- defaulting ---------------------------------------------------------------------------

    /** Sets {@code default} values of unspecified properties (and of nulls where the field is not nullable), top-down. */
    public void applyDefaults(ObjectNode obj) {
        if (root != null) {
            defaults(obj, root);
        }
    }

    private static void defaults(JsonNode value, JsonNode s) {
        if (s == null || !s.isObject()) {
            return;
        }
        if (value instanceof ObjectNode o) {
            for (Map.Entry<String, JsonNode> e : s.path("properties").properties()) {
                JsonNode def = e.getValue().get("default");
                JsonNode cur = o.get(e.getKey());
                if (def != null && (cur == null || (cur.isNull() && !e.getValue().path("nullable").asBoolean(false)))) {
                    o.set(e.getKey(), def.deepCopy());
                }
            }
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                JsonNode ps = s.path("properties").get(e.getKey());
                if (ps == null && s.path("additionalProperties").isObject()) {
                    ps = s.get("additionalProperties");
                }
                defaults(e.getValue(), ps);
            }
        } else if (value instanceof ArrayNode a && s.has("items")) {
            for (JsonNode item : a) {
                defaults(item, s.get("items"));
            }
        }
    }

    // ---- validation ---------------------------------------------------------------------------

    /** Adds one cause per violation of the schema by {@code obj} (metadata is checked by the registry, not here), as on create. */
    public void validate(JsonNode obj, List<Status.Cause> out) {
        validate(obj, null, out);
    }

    /**
     * Adds one cause per violation of the schema by {@code obj}, and runs the CEL rules with {@code old}
     * (null on create) as {@code oldSelf}: Kubernetes' strategy Validate / ValidateUpdate, which run the
     * CEL validator once over the whole object ({@code celValidator.Validate(ctx, nil, schema, obj, old, budget)}).
     */
    public void validate(JsonNode obj, JsonNode old, List<Status.Cause> out) {
        if (root == null) {
            return;
        }
        ObjectNode copy = (ObjectNode) obj.deepCopy();
        copy.remove("metadata");
        copy.remove("apiVersion");
        copy.remove("kind");
        JsonNode rootNoMeta = rootNoMeta();
        JsonNode oldCopy = null;
        if (old instanceof ObjectNode o) {
            ObjectNode oc = o.deepCopy();
            oc.remove("metadata");
            oc.remove("apiVersion");
            oc.remove("kind");
            oldCopy = oc;
        }
        // only this object's schema errors decide whether its rules run (not what the caller collected before)
        List<Status.Cause> own = new ArrayList<>();
        value(copy, rootNoMeta, "", own, oldCopy);
        // schemaobjectmeta.Validate: the embedded resources' apiVersion, kind and metadata
        EmbeddedResources.validate(copy, rootNoMeta, "", own);
        out.addAll(own);
        if (CelValidation.hasRules(root)) {
            if (blocking(own)) {
                out.add(NOT_CHECKED);
            } else {
                out.addAll(celErrors(obj, old));
            }
        }
    }

    private JsonNode rootNoMeta() {
        if (root.path("properties").has("metadata")) {
            ObjectNode r = (ObjectNode) root.deepCopy();
            ((ObjectNode) r.get("properties")).remove("metadata");
            return r;
        }
        return root;
    }

    /** The CEL rules' errors for {@code obj} (the whole object: the root's rules see apiVersion, kind, metadata.name and generateName), {@code old} null on create. */
    List<Status.Cause> celErrors(JsonNode obj, JsonNode old) {
        List<Status.Cause> out = new ArrayList<>();
        if (root != null && CelValidation.hasRules(root)) {
            CelValidation.validate(obj, old, rootNoMeta(), "", out);
        }
        return out;
    }

    /**
     * The cause Kubernetes adds instead of running the CEL rules of an object with a blocking error
     * (strategy.go {@code hasBlockingErr}: {@code field.Invalid(nil, nil, ...)}).
     */
    static final Status.Cause NOT_CHECKED = new Status.Cause("FieldValueInvalid",
            "Invalid value: \"null\": some validation rules were not checked because the object was invalid; correct the existing errors to complete validation", "<nil>");

    /**
     * hasBlockingErr: a type, required, enum, too-long or too-many violation means the object does not
     * have the shape its CEL rules were written for, so they are not run.
     */
    static boolean blocking(List<Status.Cause> causes) {
        return causes.stream().anyMatch(c -> List.of("FieldValueNotSupported", "FieldValueRequired", "FieldValueTooLong", "FieldValueTooMany",
                "FieldValueTypeInvalid").contains(c.reason));
    }

    /**
     * Turns the causes {@link #validate(JsonNode, List)} put in {@code out} for {@code obj} as a create into
     * those of an update from {@code old}: the create-time results are replaced by the update's, where
     * schema errors and rules on values the update did not change are ratcheted (not reported) and the
     * rules run once with {@code oldSelf} (transition rules, optionalOldSelf as {@code optional.of(old)}).
     */
    public void validateTransition(JsonNode obj, JsonNode old, List<Status.Cause> out) {
        if (root == null) {
            return;
        }
        List<Status.Cause> created = new ArrayList<>();
        validate(obj, null, created);
        for (Status.Cause c : created) {
            for (int i = 0; i < out.size(); i++) {
                Status.Cause o = out.get(i);
                if (java.util.Objects.equals(o.field, c.field) && java.util.Objects.equals(o.message, c.message) && java.util.Objects.equals(o.reason, c.reason)) {
                    out.remove(i);
                    break;
                }
            }
        }
        validate(obj, old, out);
    }

    private static String bodyPath(String path) {
        return path.isEmpty() ? "body" : path;
    }

    private static void value(JsonNode v, JsonNode s, String path, List<Status.Cause> out) {
        value(v, s, path, out, null);
    }

    /**
     * Validation of {@code v} against {@code s}; {@code old} is the correlated old value on update, null on
     * create or where nothing correlates. Ratcheting (CRDValidationRatcheting, GA in 1.30): a value equal to
     * its old value is not validated, so errors on what an update did not change are not reported.
     */
    private static void value(JsonNode v, JsonNode s, String path, List<Status.Cause> out, JsonNode old) {
        if (s == null || !s.isObject()) {
            return;
        }
        if (old != null && old.equals(v)) {
            return;
        }
        String type = s.path("type").asString("");
        boolean intOrString = s.path("x-kubernetes-int-or-string").asBoolean(false);
        if (v.isNull()) {
            if (!s.path("nullable").asBoolean(false) && !type.isEmpty()) {
                out.add(typeInvalid(path, "null", bodyPath(path) + " in body must be of type " + type + ": \"null\""));
            }
            return;
        }
        String actual = jsonType(v);
        if (intOrString) {
            if (!v.isString() && !v.isIntegralNumber()) {
                out.add(typeInvalid(path, actual, bodyPath(path) + " in body must be of type integer,string: \"" + actual + "\""));
                return;
            }
        } else if (!type.isEmpty() && !typeMatches(type, v)) {
            out.add(typeInvalid(path, actual, bodyPath(path) + " in body must be of type " + type + ": \"" + actual + "\""));
            return;
        }
        JsonNode en = s.get("enum");
        if (en != null && en.isArray()) {
            boolean found = false;
            for (JsonNode e : en) {
                found |= e.equals(v) || (e.isNumber() && v.isNumber() && e.decimalValue().compareTo(v.decimalValue()) == 0);
            }
            if (!found) {
                List<String> supported = new ArrayList<>();
                en.forEach(e -> supported.add(e.isString() ? "\"" + e.asString() + "\"" : e.toString()));
                out.add(new Status.Cause("FieldValueNotSupported", "Unsupported value: " + show(v) + ": supported values: " + String.join(", ", supported), path));
            }
        }
        if (v.isString()) {
            string(v.asString(), s, path, out);
        } else if (v.isNumber()) {
            number(v, s, path, out);
        } else if (v instanceof ArrayNode a) {
            if (s.has("maxItems") && a.size() > s.get("maxItems").asLong()) {
                out.add(new Status.Cause("FieldValueTooMany", "Too many: " + a.size() + ": must have at most " + s.get("maxItems").asLong() + " items", path));
            }
            if (s.has("minItems") && a.size() < s.get("minItems").asLong()) {
                out.add(invalid(path, v, bodyPath(path) + " in body should have at least " + s.get("minItems").asLong() + " items"));
            }
            if (s.has("items")) {
                for (int i = 0; i < a.size(); i++) {
                    value(a.get(i), s.get("items"), path + "[" + i + "]", out, CelValidation.correlated(a.get(i), old, s));
                }
            }
            listType(a, s, path, out);
        } else if (v instanceof ObjectNode o) {
            if (s.has("maxProperties") && o.size() > s.get("maxProperties").asLong()) {
                out.add(new Status.Cause("FieldValueTooMany", "Too many: " + o.size() + ": must have at most " + s.get("maxProperties").asLong() + " items", path));
            }
            if (s.has("minProperties") && o.size() < s.get("minProperties").asLong()) {
                out.add(invalid(path, v, bodyPath(path) + " in body should have at least " + s.get("minProperties").asLong() + " properties"));
            }
            for (JsonNode r : s.path("required")) {
                if (!o.has(r.asString())) {
                    out.add(new Status.Cause("FieldValueRequired", "Required value", child(path, r.asString())));
                }
            }
            boolean embedded = s.path("x-kubernetes-embedded-resource").asBoolean(false);
            for (Map.Entry<String, JsonNode> e : o.properties()) {
                if (embedded && e.getKey().equals("metadata")) {
                    continue;
                }
                JsonNode ps = s.path("properties").get(e.getKey());
                if (ps == null && s.path("additionalProperties").isObject()) {
                    ps = s.get("additionalProperties");
                }
                value(e.getValue(), ps, child(path, e.getKey()), out, old == null || !old.isObject() ? null : old.get(e.getKey()));
            }
        }
    }

    /**
     * {@code x-kubernetes-list-type}: a {@code set} may not repeat a value, a {@code map} may not repeat a
     * key (listtype/validation.go, field.Duplicate on the later element).
     */
    private static void listType(ArrayNode a, JsonNode s, String path, List<Status.Cause> out) {
        String type = s.path("x-kubernetes-list-type").asString("");
        if (type.equals("set")) {
            java.util.Set<JsonNode> seen = new java.util.HashSet<>();
            for (int i = 0; i < a.size(); i++) {
                if (!seen.add(a.get(i))) {
                    out.add(new Status.Cause("FieldValueDuplicate", "Duplicate value: " + show(a.get(i)), path + "[" + i + "]"));
                }
            }
        } else if (type.equals("map")) {
            List<String> keys = new ArrayList<>();
            s.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asString()));
            java.util.Set<List<JsonNode>> seen = new java.util.HashSet<>();
            for (int i = 0; i < a.size(); i++) {
                List<JsonNode> key = new ArrayList<>();
                StringBuilder shown = new StringBuilder("map[string]interface {}{");
                for (int k = 0; k < keys.size(); k++) {
                    JsonNode v = a.get(i).path(keys.get(k));
                    key.add(v);
                    shown.append(k == 0 ? "" : ", ").append('"').append(keys.get(k)).append("\":").append(show(v));
                }
                if (!seen.add(key)) {
                    out.add(new Status.Cause("FieldValueDuplicate", "Duplicate value: " + shown.append('}'), path + "[" + i + "]"));
                }
            }
        }
    }

    private static void string(String str, JsonNode s, String path, List<Status.Cause> out) {
        int len = str.codePointCount(0, str.length());
        if (s.has("maxLength") && len > s.get("maxLength").asLong()) {
            out.add(new Status.Cause("FieldValueTooLong", "Too long: may not be more than " + s.get("maxLength").asLong() + " bytes", path));
        }
        if (s.has("minLength") && len < s.get("minLength").asLong()) {
            out.add(invalid(path, str, bodyPath(path) + " in body should be at least " + s.get("minLength").asLong() + " chars long"));
        }
        if (s.path("pattern").isString()) {
            String pattern = s.get("pattern").asString();
            try {
                if (!Pattern.compile(pattern).matcher(str).find()) {
                    out.add(invalid(path, str, bodyPath(path) + " in body should match '" + pattern + "'"));
                }
            } catch (PatternSyntaxException e) {
                // refused when the CRD was written; nothing to check against
            }
        }
        String format = s.path("format").asString("");
        if (!format.isEmpty() && !formatMatches(format, str)) {
            out.add(invalid(path, str, bodyPath(path) + " in body must be of type " + format + ": \"" + str + "\""));
        }
    }

    private static void number(JsonNode v, JsonNode s, String path, List<Status.Cause> out) {
        BigDecimal n = v.decimalValue();
        if (s.has("maximum")) {
            BigDecimal max = s.get("maximum").decimalValue();
            boolean exclusive = s.path("exclusiveMaximum").asBoolean(false);
            if (exclusive ? n.compareTo(max) >= 0 : n.compareTo(max) > 0) {
                out.add(invalid(path, v, bodyPath(path) + " in body should be less than " + (exclusive ? "" : "or equal to ") + goNumber(s.get("maximum"))));
            }
        }
        if (s.has("minimum")) {
            BigDecimal min = s.get("minimum").decimalValue();
            boolean exclusive = s.path("exclusiveMinimum").asBoolean(false);
            if (exclusive ? n.compareTo(min) <= 0 : n.compareTo(min) < 0) {
                out.add(invalid(path, v, bodyPath(path) + " in body should be greater than " + (exclusive ? "" : "or equal to ") + goNumber(s.get("minimum"))));
            }
        }
        if (s.has("multipleOf")) {
            BigDecimal m = s.get("multipleOf").decimalValue();
            if (m.signum() != 0 && n.remainder(m).signum() != 0) {
                out.add(invalid(path, v, bodyPath(path) + " in body should be a multiple of " + goNumber(s.get("multipleOf"))));
            }
        }
    }

    /** A schema bound as Go prints a float64 with %v: {@code 1}, {@code 1.5} (the schema may say {@code 1.0}). */
    private static String goNumber(JsonNode n) {
        return n.decimalValue().stripTrailingZeros().toPlainString();
    }

    private static boolean typeMatches(String type, JsonNode v) {
        return switch (type) {
            case "object" -> v.isObject();
            case "array" -> v.isArray();
            case "string" -> v.isString();
            case "integer" -> v.isIntegralNumber() || (v.isNumber() && v.decimalValue().stripTrailingZeros().scale() <= 0);
            case "number" -> v.isNumber();
            case "boolean" -> v.isBoolean();
            default -> true;
        };
    }

    /** The JSON type name kube-openapi reports for a value. */
    private static String jsonType(JsonNode v) {
        if (v.isObject()) {
            return "object";
        }
        if (v.isArray()) {
            return "array";
        }
        if (v.isString()) {
            return "string";
        }
        if (v.isBoolean()) {
            return "boolean";
        }
        if (v.isIntegralNumber()) {
            return "integer";
        }
        if (v.isNumber()) {
            return "number";
        }
        return "null";
    }

    /** The formats Kubernetes' CRD validation checks (kube-openapi strfmt registry); unknown formats pass. */
    static boolean formatMatches(String format, String s) {
        try {
            return switch (format) {
                case "int32" -> {
                    Integer.parseInt(s);
                    yield true;
                }
                case "int64" -> {
                    Long.parseLong(s);
                    yield true;
                }
                case "date" -> {
                    LocalDate.parse(s);
                    yield true;
                }
                case "date-time", "datetime" -> {
                    OffsetDateTime.parse(s);
                    yield true;
                }
                case "uuid" -> {
                    UUID.fromString(s);
                    yield s.length() == 36;
                }
                case "email" -> s.matches("^[^@\\s]+@[^@\\s]+$");
                case "ipv4" -> s.matches("^(\\d{1,3})(\\.\\d{1,3}){3}$") && InetAddress.getByName(s) != null;
                case "ipv6" -> s.contains(":") && InetAddress.getByName(s) != null;
                case "hostname" -> s.length() <= 255 && s.matches("^[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?(\\.[A-Za-z0-9]([-A-Za-z0-9]*[A-Za-z0-9])?)*$");
                case "byte" -> {
                    java.util.Base64.getDecoder().decode(s);
                    yield true;
                }
                default -> true;
            };
        } catch (NumberFormatException | DateTimeParseException | java.net.UnknownHostException e) {
            return false;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static String child(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static String show(JsonNode v) {
        return v.isString() ? "\"" + v.asString() + "\"" : v.toString();
    }

    private static Status.Cause typeInvalid(String path, String actual, String detail) {
        return new Status.Cause("FieldValueTypeInvalid", "Invalid value: \"" + actual + "\": " + detail, path);
    }

    private static Status.Cause invalid(String path, Object value, String detail) {
        String shown = value instanceof JsonNode n ? show(n) : value instanceof String str ? "\"" + str + "\"" : String.valueOf(value);
        return new Status.Cause("FieldValueInvalid", "Invalid value: " + shown + ": " + detail, path);
    }

    private static Status.Cause required(String path, String detail) {
        return new Status.Cause("FieldValueRequired", "Required value: " + detail, path);
    }

    private static Status.Cause forbidden(String path, String detail) {
        return new Status.Cause("FieldValueForbidden", "Forbidden: " + detail, path);
    }

    /** Reads a schema given as a Java map (the typed CRD's free-form field). */
    public static StructuralSchema of(Map<String, Object> schema) {
        return new StructuralSchema(schema == null ? null : Json.mapper().valueToTree(schema));
    }
}
