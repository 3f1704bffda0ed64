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
 * CRDs' {@code x-kubernetes-validations}: CEL rules over {@code self} (the root's with apiVersion, kind,
 * metadata.name and generateName) and {@code oldSelf} for transition rules, evaluated on update where an
 * old value correlates (by property, map key, or map-list keys; never for set or atomic list items), or
 * always with {@code optionalOldSelf} ({@code optional.none()} where there is none); on update, values
 * left unchanged are ratcheted (their rules not reported). Rules are type-checked against the schema when
 * the CRD is written ({@link CelSchemaTypes}) and see values of those types; with {@code message},
 * {@code messageExpression}, {@code reason} and {@code fieldPath}. Uses Google's CEL for Java
 * ({@code dev.cel:cel}), the maintained Java implementation of the language Kubernetes embeds
 * (cel-go), with the standard macros and the libraries of Kubernetes' 1.32 base environment that
 * cel-java has (strings, sets, optional types, two-variable comprehensions, cross-type numeric
 * comparisons) plus {@link KubernetesCelLibrary} (lists, regex, urls, quantity); not the ip and cidr
 * libraries. The runtime cost budget (10,000,000 per object, 1,000,000 per rule) is enforced with
 * Kubernetes' messages, counting one unit per evaluated expression; of the cost estimated when a CRD is
 * written only the rules certainly "more than 100x" over it are refused ({@link CelCostFloor}).
 *
 * <p>Kubernetes: {@code apiextensions-apiserver/pkg/apiserver/schema/cel/validation.go} (error wording:
 * {@code field.Invalid(path, "<type>", message)}, default message {@code failed rule: <rule>}).
 */
final class CelValidation {
    private static final dev.cel.common.CelOptions OPTIONS = dev.cel.common.CelOptions.current()
            // cel.CrossTypeNumericComparisons(true), in Kubernetes' base environment since 1.28
            .enableHeterogeneousNumericComparisons(true)
            .build();
    private static final Cel CEL = cel(SimpleType.DYN, SimpleType.DYN, null);
    /**
     * The environment of rules with {@code optionalOldSelf: true}, where {@code oldSelf} is an optional
     * (Kubernetes declares it {@code optional(<type of self>)}): declared as a dynamic value, the checker
     * binds {@code oldSelf.value()} to whatever the other operand is and picks a wrong overload.
     */
    private static final Cel CEL_OPTIONAL_OLD_SELF = cel(SimpleType.DYN, dev.cel.common.types.OptionalType.create(SimpleType.DYN), null);

    private static Cel cel(dev.cel.common.types.CelType self, dev.cel.common.types.CelType oldSelf, dev.cel.common.types.CelTypeProvider types) {
        dev.cel.bundle.CelBuilder b = CelFactory.standardCelBuilder();
        if (types != null) {
            b.setTypeProvider(types);
        }
        return b
            .setOptions(OPTIONS)
            .setStandardMacros(dev.cel.parser.CelStandardMacro.STANDARD_MACROS)
            // Kubernetes' base environment (apiserver/pkg/cel/environment/base.go, 1.32): cel-go's string
            // extensions, sets, optional types and two-variable comprehensions, all of which cel-java has
            .addCompilerLibraries(dev.cel.extensions.CelExtensions.strings(), dev.cel.extensions.CelExtensions.sets(OPTIONS),
                    dev.cel.extensions.CelExtensions.optional(), dev.cel.extensions.CelExtensions.comprehensions())
            .addRuntimeLibraries(dev.cel.extensions.CelExtensions.strings(), dev.cel.extensions.CelExtensions.sets(OPTIONS),
                    dev.cel.extensions.CelExtensions.optional(), dev.cel.extensions.CelExtensions.comprehensions())
            // ... and Kubernetes' own libraries (lists, regex, urls, quantity), which it does not
            .addFunctionDeclarations(KubernetesCelLibrary.declarations())
            .addFunctionBindings(KubernetesCelLibrary.bindings())
            .addVar("self", self)
            .addVar("oldSelf", oldSelf)
            .build();
    }
    /** celconfig.RuntimeCELCostBudget: the cost all rules of one object may use together. */
    static final long RUNTIME_COST_BUDGET = 10_000_000L;
    /** celconfig.PerCallLimit: the cost one rule evaluation may use. */
    static final long PER_CALL_LIMIT = 1_000_000L;
    static final String OUT_OF_BUDGET = "validation failed due to running out of cost budget, no further validation rules will be run";

    /**
     * What is left of {@link #RUNTIME_COST_BUDGET} while one object is validated; negative once a rule ran
     * out of it, after which no rule runs. Costs are counted as cel-java evaluates: one unit per evaluated
     * expression node (cel-go's tracker also charges string and list operations by size, so Kubernetes'
     * figures are somewhat higher for the same rule).
     */
    static final class Budget {
        long remaining;

        Budget(long remaining) {
            this.remaining = remaining;
        }
    }

    /** Thrown from the evaluation listener to stop a rule past {@link #PER_CALL_LIMIT}. */
    private static final class CostLimitExceeded extends RuntimeException {
        CostLimitExceeded() {
            super("operation cancelled: actual cost limit exceeded", null, false, false);
        }
    }
    private static final Map<String, CelAbstractSyntaxTree> COMPILED = new ConcurrentHashMap<>();
    private static final Map<String, CelAbstractSyntaxTree> COMPILED_OPTIONAL = new ConcurrentHashMap<>();

    private CelValidation() {
    }

    private static CelAbstractSyntaxTree compile(String expr) throws CelValidationException {
        return compile(expr, false);
    }

    /** The checked expression, {@code oldSelf} being an optional when {@code optionalOldSelf}. */
    private static CelAbstractSyntaxTree compile(String expr, boolean optionalOldSelf) throws CelValidationException {
        Map<String, CelAbstractSyntaxTree> cache = optionalOldSelf ? COMPILED_OPTIONAL : COMPILED;
        CelAbstractSyntaxTree ast = cache.get(expr);
        if (ast == null) {
            ast = (optionalOldSelf ? CEL_OPTIONAL_OLD_SELF : CEL).compile(expr).getAst();
            if (cache.size() < 10_000) {
                cache.put(expr, ast);
            }
        }
        return ast;
    }

    /**
     * Whether a rule is a transition rule: its checked expression refers to the variable {@code oldSelf}
     * (cel.Compile's UsesOldSelf), not merely the text (a string literal 'oldSelf' or a field oldSelfX).
     */
    static boolean usesOldSelf(String rule, boolean optionalOldSelf) {
        if (!rule.contains("oldSelf")) {
            return false;
        }
        try {
            return compile(rule, optionalOldSelf).getReferenceMap().values().stream().anyMatch(ref -> ref.name().equals("oldSelf"));
        } catch (CelValidationException e) {
            return true;
        }
    }

    private static Cel env(boolean optionalOldSelf) {
        return optionalOldSelf ? CEL_OPTIONAL_OLD_SELF : CEL;
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

    /** validation.go newlineMatcher: the line breaks of the CEL grammar. */
    private static final java.util.regex.Pattern NEWLINES = java.util.regex.Pattern.compile("[\\n\\r]+");

    /** A string as Go's %q shows it (quotes, backslashes and control characters escaped). */
    static String goQuote(String s) {
        StringBuilder b = new StringBuilder("\"");
        for (char c : s.toCharArray()) {
            switch (c) {
                case '"' -> b.append("\\\"");
                case '\\' -> b.append("\\\\");
                case '\n' -> b.append("\\n");
                case '\r' -> b.append("\\r");
                case '\t' -> b.append("\\t");
                default -> b.append(c);
            }
        }
        return b.append('"').toString();
    }

    /** The rules of a CRD schema (its root) that do not compile, as causes under {@code path}. */
    static void compileErrors(JsonNode schema, String path, List<Status.Cause> out) {
        compileErrors(schema, path, out, true);
    }

    /**
     * The rules under {@code schema} that do not compile, type-checked against the schema
     * ({@link CelSchemaTypes}: {@code self} and {@code oldSelf} have the type of the value the rule sits on,
     * as Kubernetes' cel.Compile declares them), as causes under {@code path}.
     */
    static void compileErrors(JsonNode schema, String path, List<Status.Cause> out, boolean resourceRoot) {
        if (schema == null || !schema.isObject()) {
            return;
        }
        JsonNode rules = schema.path("x-kubernetes-validations");
        Cel typed = null;
        Cel typedOptional = null;
        if (!rules.isEmpty()) {
            CelSchemaTypes types = new CelSchemaTypes();
            dev.cel.common.types.CelType self = types.typeOf(schema, resourceRoot);
            typed = cel(self, self, types);
            typedOptional = cel(self, dev.cel.common.types.OptionalType.create(self), types);
        }
        for (int i = 0; i < rules.size(); i++) {
            JsonNode r = rules.get(i);
            String rp = path + ".x-kubernetes-validations[" + i + "]";
            String rule = r.path("rule").asString("");
            String message = r.path("message").asString("");
            // validation.go: the rule and message themselves, before compiling
            if (rule.trim().isEmpty()) {
                out.add(new Status.Cause("FieldValueRequired", "Required value: rule is not specified", rp + ".rule"));
                continue;
            } else if (!message.isEmpty() && message.trim().isEmpty()) {
                out.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + goQuote(message) + ": message must be non-empty if specified", rp + ".message"));
            } else if (NEWLINES.matcher(message.trim()).find()) {
                out.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + goQuote(message) + ": message must not contain line breaks", rp + ".message"));
            } else if (NEWLINES.matcher(rule.trim()).find() && message.trim().isEmpty()) {
                out.add(new Status.Cause("FieldValueRequired", "Required value: message must be specified if rule contains line breaks", rp + ".message"));
            }
            boolean optionalOldSelf = r.path("optionalOldSelf").asBoolean(false);
            try {
                CelAbstractSyntaxTree ast = compile(rule, optionalOldSelf);
                // type-checked against the schema: undefined fields, wrong operand types
                dev.cel.common.types.CelType result = (optionalOldSelf ? typedOptional : typed).compile(rule).getAst().getResultType();
                if (!result.equals(SimpleType.BOOL) && !result.equals(SimpleType.DYN)) {
                    // (dyn passes: kube4j types some values dyn that Kubernetes types precisely)
                    out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + rule + "\": cel expression must evaluate to a bool", rp + ".rule"));
                } else if (CelCostFloor.moreThan100x(CelCostFloor.of(ast.getExpr(), schema))) {
                    // the cost estimated when the CRD is written: refused here only when certainly "more than 100x"
                    out.add(new Status.Cause("FieldValueForbidden", "Forbidden: " + CelCostFloor.message(), rp + ".rule"));
                }
            } catch (CelValidationException e) {
                out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + rule + "\": compilation failed: " + e.getMessage(), rp + ".rule"));
            }
            String me = r.path("messageExpression").asString("");
            if (!me.isEmpty()) {
                try {
                    compile(me, optionalOldSelf);
                    dev.cel.common.types.CelType result = (optionalOldSelf ? typedOptional : typed).compile(me).getAst().getResultType();
                    if (!result.equals(SimpleType.STRING) && !result.equals(SimpleType.DYN)) {
                        out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + me + "\": messageExpression must evaluate to a string", rp + ".messageExpression"));
                    }
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
            if (resourceRoot && e.getKey().equals("metadata")) {
                continue;
            }
            compileErrors(e.getValue(), path + ".properties[" + e.getKey() + "]", out, embedded(e.getValue()));
        }
        if (schema.path("additionalProperties").isObject()) {
            compileErrors(schema.get("additionalProperties"), path + ".additionalProperties", out, embedded(schema.get("additionalProperties")));
        }
        if (schema.has("items")) {
            compileErrors(schema.get("items"), path + ".items", out, embedded(schema.get("items")));
        }
    }

    /**
     * Evaluates every rule that applies to {@code value} (and below it). {@code old} is the previous
     * value at the same place, or null on create or where nothing correlates with it; transition rules
     * (those naming {@code oldSelf}) run only when it exists, except rules with {@code optionalOldSelf: true},
     * which then run with {@code oldSelf} = {@code optional.none()}. {@code value} is the root of a resource:
     * its apiVersion, kind, metadata.name and metadata.generateName are visible to the root's rules
     * (model/schemas.go WithTypeAndObjectMeta), nothing else of its metadata.
     */
    static void validate(JsonNode value, JsonNode old, JsonNode schema, String path, List<Status.Cause> out) {
        validate(value, old, schema, path, out, new Budget(RUNTIME_COST_BUDGET));
    }

    /** {@link #validate(JsonNode, JsonNode, JsonNode, String, List)} within what is left of {@code budget}. */
    static void validate(JsonNode value, JsonNode old, JsonNode schema, String path, List<Status.Cause> out, Budget budget) {
        validate(value, old, schema, path, out, budget, true);
    }

    private static void validate(JsonNode value, JsonNode old, JsonNode schema, String path, List<Status.Cause> out, Budget budget, boolean resourceRoot) {
        if (schema == null || !schema.isObject() || value == null || value.isMissingNode() || budget.remaining < 0) {
            return;
        }
        if (old != null && old.equals(value)) {
            // ratcheting (CRDValidationRatcheting, GA in 1.30): the rules of a value an update left unchanged
            // are not reported, nor those below it
            return;
        }
        JsonNode rules = schema.path("x-kubernetes-validations");
        if (!rules.isEmpty() && !value.isNull()) {
            String type = schema.path("type").asString(schema.path("x-kubernetes-int-or-string").asBoolean(false) ? "" : "object");
            if (budget.remaining == 0) {
                out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + type + "\": " + OUT_OF_BUDGET, path.isEmpty() ? "<nil>" : path));
                budget.remaining = -1;
                return;
            }
            JsonNode self = resourceRoot ? typeAndObjectMeta(value, schema) : value;
            JsonNode oldSelf = resourceRoot && old != null && !old.isMissingNode() ? typeAndObjectMeta(old, schema) : old;
            for (JsonNode r : rules) {
                evaluate(r, self, oldSelf, schema, type, path, out, budget);
                if (budget.remaining < 0) {
                    return;
                }
            }
        }
        if (value.isObject()) {
            for (Map.Entry<String, JsonNode> e : value.properties()) {
                if (resourceRoot && (e.getKey().equals("apiVersion") || e.getKey().equals("kind") || e.getKey().equals("metadata"))
                        && !schema.path("properties").has(e.getKey())) {
                    continue;
                }
                JsonNode ps = schema.path("properties").get(e.getKey());
                if (ps == null && schema.path("additionalProperties").isObject()) {
                    ps = schema.get("additionalProperties");
                }
                // properties and additionalProperties (map-type objects) correlate with the old value by key
                JsonNode o = old == null || !old.isObject() ? null : old.get(e.getKey());
                validate(e.getValue(), o, ps, child(path, e.getKey()), out, budget, embedded(ps));
                if (budget.remaining < 0) {
                    return;
                }
            }
        } else if (value.isArray() && schema.has("items")) {
            JsonNode items = schema.get("items");
            for (int i = 0; i < value.size(); i++) {
                // validation.go makeMapList: only the items of an x-kubernetes-list-type=map list correlate with old
                // items (by their map keys); set and atomic list items have no oldSelf
                validate(value.get(i), correlated(value.get(i), old, schema), items, path + "[" + i + "]", out, budget, embedded(items));
                if (budget.remaining < 0) {
                    return;
                }
            }
        }
    }

    private static boolean embedded(JsonNode schema) {
        return schema != null && schema.path("x-kubernetes-embedded-resource").asBoolean(false);
    }

    /**
     * The old item of a map list with the same values at every {@code x-kubernetes-list-map-keys} key as
     * {@code item}, or null (no map list, no old list, no such item).
     */
    static JsonNode correlated(JsonNode item, JsonNode oldList, JsonNode listSchema) {
        if (oldList == null || !oldList.isArray() || !item.isObject()
                || !"map".equals(listSchema.path("x-kubernetes-list-type").asString(""))) {
            return null;
        }
        List<String> keys = new ArrayList<>();
        listSchema.path("x-kubernetes-list-map-keys").forEach(k -> keys.add(k.asString()));
        JsonNode itemSchema = listSchema.path("items");
        for (JsonNode o : oldList) {
            boolean same = o.isObject();
            for (String k : keys) {
                same &= java.util.Objects.equals(keyValue(item, k, itemSchema), keyValue(o, k, itemSchema));
            }
            if (same) {
                return o;
            }
        }
        return null;
    }

    // a key's value, or its schema default when the item lacks it (as the defaulted object would have it)
    private static JsonNode keyValue(JsonNode item, String key, JsonNode itemSchema) {
        JsonNode v = item.get(key);
        return v != null ? v : itemSchema.path("properties").path(key).get("default");
    }

    /**
     * What CEL sees of a resource's root: the object with its apiVersion and kind, and of its metadata
     * only name and generateName (plus what the schema itself specifies under metadata).
     */
    static JsonNode typeAndObjectMeta(JsonNode value, JsonNode schema) {
        if (!(value instanceof tools.jackson.databind.node.ObjectNode o) || !o.has("metadata")) {
            return value;
        }
        tools.jackson.databind.node.ObjectNode copy = o.deepCopy();
        JsonNode meta = o.get("metadata");
        tools.jackson.databind.node.ObjectNode m = copy.putObject("metadata");
        if (meta.isObject()) {
            for (Map.Entry<String, JsonNode> e : meta.properties()) {
                if (e.getKey().equals("name") || e.getKey().equals("generateName")
                        || schema.path("properties").path("metadata").path("properties").has(e.getKey())) {
                    m.set(e.getKey(), e.getValue());
                }
            }
        }
        return copy;
    }

    private static void evaluate(JsonNode r, JsonNode value, JsonNode old, JsonNode schema, String type, String path, List<Status.Cause> out, Budget budget) {
        String rule = r.path("rule").asString("");
        boolean optionalOldSelf = r.path("optionalOldSelf").asBoolean(false);
        boolean transition = usesOldSelf(rule, optionalOldSelf);
        boolean hasOld = old != null && !old.isMissingNode();
        if (transition && !hasOld && !optionalOldSelf) {
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
        vars.put("self", toCel(value, schema));
        if (transition) {
            // optionalOldSelf: oldSelf is an optional, none where there is no old value (a create, a new item)
            vars.put("oldSelf", optionalOldSelf ? (hasOld ? java.util.Optional.of(toCel(old, schema)) : java.util.Optional.empty()) : toCel(old, schema));
        }
        String at = path.isEmpty() ? "<nil>" : path;
        // ruleErrorString: the rule's message when it has one, else the rule
        String ruleString = r.path("message").asString("").isBlank() ? rule.trim() : r.path("message").asString().trim();
        Object result;
        long[] cost = {0};
        try {
            result = env(optionalOldSelf).createProgram(compile(rule, optionalOldSelf)).trace(vars, (expr, v) -> {
                if (++cost[0] > PER_CALL_LIMIT) {
                    throw new CostLimitExceeded();
                }
            });
        } catch (CelValidationException e) {
            return; // refused when the CRD was written
        } catch (CostLimitExceeded e) {
            callLimit(type, at, ruleString, out, budget);
            return;
        } catch (CelEvaluationException e) {
            if (e.getCause() instanceof CostLimitExceeded) {
                callLimit(type, at, ruleString, out, budget);
                return;
            }
            if (!charge(cost[0], type, at, out, budget)) {
                return;
            }
            out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + type + "\": " + evaluationError(e) + " evaluating rule: " + ruleString, at));
            return;
        }
        if (!charge(cost[0], type, at, out, budget)) {
            return;
        }
        if (Boolean.TRUE.equals(result)) {
            return;
        }
        String message = r.path("message").asString("");
        String me = r.path("messageExpression").asString("");
        if (!me.isEmpty()) {
            try {
                Object m = env(optionalOldSelf).createProgram(compile(me, optionalOldSelf)).eval(vars);
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

    // the rule's cost is taken from the budget; more than is left: Kubernetes' out-of-budget error, and no further rule runs
    private static boolean charge(long cost, String type, String at, List<Status.Cause> out, Budget budget) {
        if (cost > budget.remaining) {
            out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + type + "\": " + OUT_OF_BUDGET, at));
            budget.remaining = -1;
            return false;
        }
        budget.remaining -= cost;
        return true;
    }

    private static void callLimit(String type, String at, String ruleString, List<Status.Cause> out, Budget budget) {
        out.add(new Status.Cause("FieldValueInvalid", "Invalid value: \"" + type + "\": 'operation cancelled: actual cost limit exceeded': "
                + "no further validation rules will be run due to call cost exceeds limit for rule: " + ruleString, at));
        budget.remaining = -1;
    }

    // cel-java prefixes its messages with where the error happened ("evaluation error at <expr>@<offset>: ...");
    // cel-go's errors are the bare cause ("no such key: x", "min called on empty list")
    private static String evaluationError(CelEvaluationException e) {
        String m = String.valueOf(e.getMessage());
        int colon = m.startsWith("evaluation error") ? m.indexOf(": ") : -1;
        return colon >= 0 ? m.substring(colon + 2) : m;
    }

    private static String child(String path, String key) {
        return path.isEmpty() || path.equals("<nil>") ? key : path + "." + key;
    }

    /**
     * A JSON value as CEL sees it under its schema {@code s} (UnstructuredToVal): a {@code number} is a
     * double even when written as an integer, a string of format date or date-time a timestamp, of
     * format duration a duration and of format byte the bytes it encodes in base64 (as the rules were type-checked, {@link CelSchemaTypes}); a value that does
     * not parse stays a string, as does everything without a schema.
     */
    static Object toCel(JsonNode n, JsonNode s) {
        if (s == null || !s.isObject() || n == null || n.isNull() || n.isMissingNode() || s.path("x-kubernetes-int-or-string").asBoolean(false)) {
            return toCel(n);
        }
        String type = s.path("type").asString("");
        if (n.isObject()) {
            JsonNode props = s.path("properties");
            JsonNode additional = s.path("additionalProperties").isObject() ? s.get("additionalProperties") : null;
            Map<String, Object> m = new LinkedHashMap<>();
            n.properties().forEach(e -> {
                if (props.has(e.getKey())) {
                    // a declared property under the name rules use for it (escaping.go); map keys stay as they are
                    String name = CelSchemaTypes.escape(e.getKey());
                    m.put(name == null ? e.getKey() : name, toCel(e.getValue(), props.get(e.getKey())));
                } else {
                    m.put(e.getKey(), toCel(e.getValue(), additional));
                }
            });
            return m;
        }
        if (n.isArray()) {
            List<Object> l = new ArrayList<>();
            n.forEach(x -> l.add(toCel(x, s.get("items"))));
            return l;
        }
        if (type.equals("number") && n.isNumber()) {
            return n.asDouble();
        }
        if (type.equals("string") && n.isString()) {
            try {
                switch (s.path("format").asString("")) {
                    case "date-time" -> {
                        return java.time.OffsetDateTime.parse(n.asString()).toInstant();
                    }
                    case "date" -> {
                        return java.time.LocalDate.parse(n.asString()).atStartOfDay(java.time.ZoneOffset.UTC).toInstant();
                    }
                    case "byte" -> {
                        return dev.cel.common.values.CelByteString.of(java.util.Base64.getDecoder().decode(n.asString()));
                    }
                    case "duration" -> {
                        java.time.Duration d = parseDuration(n.asString());
                        if (d != null) {
                            return d;
                        }
                    }
                    default -> {
                    }
                }
            } catch (java.time.format.DateTimeParseException | IllegalArgumentException e) {
                // not of its format: the schema validation says so; CEL sees the string
            }
        }
        return toCel(n);
    }

    private static final java.util.regex.Pattern DURATION_PART = java.util.regex.Pattern.compile("(\\d+(?:\\.\\d*)?|\\.\\d+)(ns|us|µs|ms|s|m|h)");

    /** A Go duration ({@code 1h30m}, {@code -1.5s}, {@code 300ms}), or null when it is none. */
    static java.time.Duration parseDuration(String text) {
        String str = text;
        boolean negative = str.startsWith("-");
        if (negative || str.startsWith("+")) {
            str = str.substring(1);
        }
        if (str.equals("0")) {
            return java.time.Duration.ZERO;
        }
        java.util.regex.Matcher m = DURATION_PART.matcher(str);
        java.math.BigDecimal nanos = java.math.BigDecimal.ZERO;
        int at = 0;
        while (m.find() && m.start() == at) {
            long unit = switch (m.group(2)) {
                case "ns" -> 1L;
                case "us", "µs" -> 1_000L;
                case "ms" -> 1_000_000L;
                case "s" -> 1_000_000_000L;
                case "m" -> 60_000_000_000L;
                default -> 3_600_000_000_000L;
            };
            nanos = nanos.add(new java.math.BigDecimal(m.group(1)).multiply(java.math.BigDecimal.valueOf(unit)));
            at = m.end();
        }
        if (at == 0 || at != str.length()) {
            return null;
        }
        java.time.Duration d = java.time.Duration.ofNanos(nanos.longValue());
        return negative ? d.negated() : d;
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
