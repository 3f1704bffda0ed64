package io.kube4j.apiserver.crd;

import dev.cel.bundle.Cel;
import dev.cel.bundle.CelFactory;
import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.SimpleType;
import dev.cel.common.values.NullValue;
import dev.cel.runtime.CelEvaluationException;
import io.kube4j.api.Status;
import tools.jackson.databind.JsonNode;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;

/**
 * CRDs' {@code x-kubernetes-validations}: CEL rules over {@code self} (and {@code oldSelf} for
 * transition rules, evaluated only on update when the old value exists), with {@code message},
 * {@code messageExpression}, {@code reason} and {@code fieldPath}. Uses Google's CEL for Java
 * ({@code dev.cel:cel}), the maintained Java implementation of the language Kubernetes embeds
 * (cel-go), with the standard macros (has, all, exists, map, filter) and the string extensions;
 * Kubernetes' own CEL libraries (quantity, url, ip, lists' isSorted, regex find, ...) and the cost
 * budget are not provided.
 *
 * <p>Kubernetes: {@code apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go} (error wording:
 * {@code field.Invalid(path, "<type>", message)}, default message {@code failed rule: <rule>}).
 */
final class CelValidation {
    private static final Cel CEL = CelFactory.standardCelBuilder()
            .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
            // Kubernetes' environment includes cel-go's string extensions (lowerAscii, split, replace, ...)
            .addCompilerLibraries(dev.cel.extensions.CelExtensions.strings())
            .addRuntimeLibraries(dev.cel.extensions.CelExtensions.strings())
            .addVar("self", SimpleType.DYN)
            .addVar("oldSelf", SimpleType.DYN)
            .build();
    private static final Map<String, CelAbstractSyntaxTree> COMPILED = new ConcurrentHashMap<>();

    private CelValidation() {
    }

    private static CelAbstractSyntaxTree compile(String expr) throws CelValidationException {
        CelAbstractSyntaxTree ast = COMPILED.get(expr);
        if (ast == null) {
            ast = CEL.compile(expr).getAst();
            if (COMPILED.size() < 10_000) {
                COMPILED.put(expr, ast);
            }
        }
        return ast;
    }

    /** Whether {@code schema} has an {@code x-kubernetes-validations} rule anywhere (else Kubernetes has no CEL validator). */
    static boolean hasRules(JsonNode schema) {
        if (schema == null || !schema.isObject()) {
            return false;
        }
        if (!schema.path("x-kubernetes-validations").isEmpty()) {
            return true;
        }
        for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
            if (hasRules(e.getValue())) {
                return true;
            }
        }
        return hasRules(schema.get("additionalProperties")) || hasRules(schema.get("items"));
    }

    /** The rules of a CRD schema that do not compile, as causes under {@code path}. */
    static void compileErrors(JsonNode schema, String path, List<Status.Cause> out) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        JsonNode rules = schema.path("x-kubernetes-validations");
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            String rp = path + ".x-kubernetes-validations[" + i + "]";
            String rule = r.path("rule").asString("");
            if (rule.isEmpty()) {
                out.add(new Status.Cause("FieldValueRequired", "Required value", rp + ".rule"));
                continue;
            }
            try {
                compile(rule);
            } catch (CelValidationException e) {
                out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + rule + "\": compilation failed: " + e.getMessage(), rp + ".rule"));
            }
            String me = r.path("messageExpression").asString("");
            if (!me.isEmpty()) {
                try {
                    compile(me);
                } catch (CelValidationException e) {
                    out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + me + "\": messageExpression compilation failed: " + e.getMessage(), rp + ".messageExpression"));
                }
            }
            String reason = r.path("reason").asString("");
            if (!reason.isEmpty() && !List.of("FieldValueInvalid", "FieldValueForbidden", "FieldValueRequired", "FieldValueDuplicate").contains(reason)) {
                out.add(new Status.Cause("FieldValueNotSupported", "Unsupported value: \"" + reason
                        + "\": supported values: \"FieldValueDuplicate\", \"FieldValueForbidden\", \"FieldValueInvalid\", \"FieldValueRequired\"", rp + ".reason"));
            }
        }
        for (Map.Entry<String, JsonNode> e : schema.path("properties").properties()) {
            compileErrors(e.getValue(), path + ".properties[" + e.getKey() + "]", out);
        }
        if (schema.path("additionalProperties").isObject()) {
            compileErrors(schema.get("additionalProperties"), path + ".additionalProperties", out);
        }
        if (schema.has("items")) {
            compileErrors(schema.get("items"), path + ".items", out);
        }
    }

    /**
     * Evaluates every rule that applies to {@code value} (and below it). {@code old} is the previous
     * value at the same place, or null on create; transition rules (those naming {@code oldSelf}) run
     * only when it exists, and only they run when {@code transitionOnly}.
     */
    static void validate(JsonNode value, JsonNode old, JsonNode schema, String path, List<Status.Cause> out) {
        if (schema == null || !schema.isObject() || value == null || value.isMissingNode()) {
            return;
        }
        JsonNode rules = schema.path("x-kubernetes-validations");
        if (!rules.isEmpty() && !value.isNull()) {
            String type = schema.path("type").asString(schema.path("x-kubernetes-int-or-string").asBoolean(false) ? "" : "object");
            for (JsonNode r : rules) {
                evaluate(r, value, old, type, path, out);
            }
        }
        if (value.isObject()) {
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                JsonNode ps = schema.path("properties").get(e.getKey());
                if (ps == null && schema.path("additionalProperties").isObject()) {
                    ps = schema.get("additionalProperties");
                }
                JsonNode o = old == null || !old.isObject() ? null : old.get(e.getKey());
                validate(e.getValue(), o, ps, child(path, e.getKey()), out);
            }
        } else if (value.isArray() && schema.has("items")) {
            for (int i = 0; i < value.size(); i++) {
                // Kubernetes correlates list items for oldSelf only in map lists and sets; by index is not allowed
                validate(value.get(i), null, schema.get("items"), path + "[" + i + "]", out);
            }
        }
    }

    private static void evaluate(JsonNode r, JsonNode value, JsonNode old, String type, String path, List<Status.Cause> out) {
        String rule = r.path("rule").asString("");
        boolean transition = rule.contains("oldSelf");
        if (transition && (old == null || old.isMissingNode())) {
            return;
        }
        String field = path;
        String fp = r.path("fieldPath").asString("");
        if (!fp.isEmpty()) {
            field = path.isEmpty() || path.equals("<nil>") ? fp.substring(fp.startsWith(".") ? 1 : 0) : path + fp;
        }
        if (field.isEmpty()) {
            field = "<nil>";
        }
        Map<String, Object> vars = new HashMap<>();
        vars.put("self", toCel(value));
        if (transition) {
            vars.put("oldSelf", toCel(old));
        }
        Object result;
        try {
            result = CEL.createProgram(compile(rule)).eval(vars);
        } catch (CelValidationException e) {
            return; // refused when the CRD was written
        } catch (CelEvaluationException e) {
            out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + type + "\": " + e.getMessage() + " evaluating rule: " + rule.trim(), field));
            return;
        }
        if (Boolean.TRUE.equals(result)) {
            return;
        }
        String message = r.path("message").asString("");
        String me = r.path("messageExpression").asString("");
        if (!me.isEmpty()) {
            try {
                Object m = CEL.createProgram(compile(me)).eval(vars);
                if (m instanceof String s && !s.isBlank()) {
                    message = s;
                }
            } catch (CelValidationException | CelEvaluationException e) {
                // Kubernetes falls back to message (or the rule) when messageExpression fails
            }
        }
        if (message.isEmpty()) {
            message = "failed rule: " + rule.trim().replace("\n", " ");
        }
        String reason = r.path("reason").asString("FieldValueInvalid");
        out.add(switch (reason) {
            case "FieldValueForbidden" -> new Status.Cause(reason, "Forbidden: " + message, field);
            case "FieldValueRequired" -> new Status.Cause(reason, "Required value: " + message, field);
            case "FieldValueDuplicate" -> new Status.Cause(reason, "Duplicate value: \"" + type + "\"", field);
            default -> new Status.Cause("FieldValueInvalid", "Invalid value: \"" + type + "\": " + message, field);
        });
    }

    private static String child(String path, String key) {
        return path.isEmpty() || path.equals("<nil>") ? key : path + "." + key;
    }

    /** A JSON value as CEL sees it: maps, lists, int64, double, string, bool, null. */
    static Object toCel(JsonNode n) {
        if (n == null || n.isNull() || n.isMissingNode()) {
            return NullValue.NULL_VALUE;
        }
        if (n.isObject()) {
            Map<String, Object> m = new LinkedHashMap<>();
            n.properties().forEach(e -> m.put(e.getKey(), toCel(e.getValue())));
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(toCel(x)));
            return l;
        }
        if (n.isIntegralNumber()) {
            return n.asLong();
        }
        if (n.isNumber()) {
            return n.asDouble();
        }
        if (n.isBoolean()) {
            return n.asBoolean();
        }
        return n.asString();
    }
}
