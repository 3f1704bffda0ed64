package io.kube4j.apiserver.crd;

import dev.cel.common.ast.CelExpr;
import tools.jackson.databind.JsonNode;

import java.util.HashMap;
import java.util.Map;

/**
 * A lower bound of the cost Kubernetes estimates for a CRD validation rule when the CRD is written
 * (cel-go's checker cost estimator over the schema's types, in apiextensions validation.go), used to
 * refuse only the rules Kubernetes certainly refuses with "more than 100x": those whose floor exceeds 100
 * times {@link #STATIC_ESTIMATED_COST_LIMIT}. That is the usual case of nested comprehensions over lists
 * without {@code maxItems} ({@code self.l.all(x, self.l.all(y, ...))}), which Kubernetes estimates at
 * about 10^12. Every comprehension counts one unit per iteration; a list's size is its {@code maxItems}, or
 * for a list without one the number of its items that fit in a 3 MiB request
 * ({@code estimateMaxArrayItemsFromMinSize}) taking each item as at least 8 bytes, more than Kubernetes
 * assumes for scalars (1 to 4 bytes), so the floor stays below Kubernetes' figure; lists of objects with
 * required fields, maps, strings' lengths and the cardinality of rules inside lists count as 1.
 * Rules between 1x and 100x of the limit, which Kubernetes refuses with an exact factor, are not refused here.
 */
final class CelCostFloor {
    /** apiextensions validation.StaticEstimatedCostLimit: the estimated cost one rule may have. */
    static final long STATIC_ESTIMATED_COST_LIMIT = 10_000_000L;
    /** apiserver's max request size, from which unbounded lists' sizes are estimated. */
    private static final long MAX_REQUEST_SIZE_BYTES = 3L * 1024 * 1024;
    private static final long ASSUMED_MIN_ITEM_BYTES = 8;

    private CelCostFloor() {
    }

    /** The floor of the rule's estimated cost, with {@code self} of {@code schema}. */
    static double of(CelExpr rule, JsonNode schema) {
        Map<String, JsonNode> vars = new HashMap<>();
        vars.put("self", schema);
        return cost(rule, vars);
    }

    /** The message Kubernetes gives a rule whose estimate is more than 100 times the limit (getCostErrorMessage). */
    static String message() {
        return "estimated rule cost exceeds budget by factor of more than 100x (try simplifying the rule, or adding maxItems, "
                + "maxProperties, and maxLength where arrays, maps, and strings are declared)";
    }

    static boolean moreThan100x(double floor) {
        return floor > 100.0 * STATIC_ESTIMATED_COST_LIMIT;
    }

    private static double cost(CelExpr e, Map<String, JsonNode> vars) {
        if (e == null) {
            return 0;
        }
        switch (e.exprKind().getKind()) {
            case SELECT -> {
                return 1 + cost(e.select().operand(), vars);
            }
            case CALL -> {
                double c = 1 + e.call().target().map(t -> cost(t, vars)).orElse(0.0);
                for (CelExpr a : e.call().args()) {
                    c += cost(a, vars);
                }
                return c;
            }
            case LIST -> {
                double c = 1;
                for (CelExpr x : e.list().elements()) {
                    c += cost(x, vars);
                }
                return c;
            }
            case COMPREHENSION -> {
                CelExpr.CelComprehension c = e.comprehension();
                double range = cost(c.iterRange(), vars);
                JsonNode rangeSchema = schemaOf(c.iterRange(), vars);
                double size = size(rangeSchema);
                Map<String, JsonNode> inner = new HashMap<>(vars);
                JsonNode item = rangeSchema == null ? null : rangeSchema.get("items");
                if (item != null) {
                    inner.put(c.iterVar(), item);
                } else {
                    inner.remove(c.iterVar());
                }
                double step = Math.max(1, cost(c.loopStep(), inner));
                return range + size * step;
            }
            default -> {
                return 1;
            }
        }
    }

    /** The schema an expression denotes when it is a path from {@code self} or a bound item ({@code self.spec.items}). */
    private static JsonNode schemaOf(CelExpr e, Map<String, JsonNode> vars) {
        switch (e.exprKind().getKind()) {
            case IDENT -> {
                return vars.get(e.ident().name());
            }
            case SELECT -> {
                if (e.select().testOnly()) {
                    return null;
                }
                JsonNode parent = schemaOf(e.select().operand(), vars);
                if (parent == null) {
                    return null;
                }
                JsonNode p = parent.path("properties").get(e.select().field());
                if (p == null && parent.path("additionalProperties").isObject()) {
                    p = parent.get("additionalProperties");
                }
                return p;
            }
            default -> {
                return null;
            }
        }
    }

    // a list's size as Kubernetes estimates it at least; anything else (maps, unknown ranges) 1
    private static double size(JsonNode s) {
        if (s == null || !"array".equals(s.path("type").asString(""))) {
            return 1;
        }
        if (s.has("maxItems")) {
            return s.get("maxItems").asDouble();
        }
        JsonNode item = s.path("items");
        if (item.path("type").asString("").equals("object") && !item.path("required").isEmpty()) {
            return 1;
        }
        return (double) (MAX_REQUEST_SIZE_BYTES - 2) / (ASSUMED_MIN_ITEM_BYTES + 1);
    }
}
