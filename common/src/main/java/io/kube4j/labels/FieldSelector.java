package io.kube4j.labels;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;

/**
 * A field selector: {@code metadata.name=x,spec.nodeName!=}, evaluated against a map of the
 * selectable fields of an object (see the apiserver's field extractors).
 */
public final class FieldSelector {
    /** One {@code field=value} or {@code field!=value} term. */
    public record Term(String field, boolean equals, String value) {
    }

    private static final FieldSelector EVERYTHING = new FieldSelector(List.of());
    private final List<Term> terms;

    private FieldSelector(List<Term> terms) {
        this.terms = terms;
    }

    public static FieldSelector everything() {
        return EVERYTHING;
    }

    public List<Term> terms() {
        return terms;
    }

    public boolean isEverything() {
        return terms.isEmpty();
    }

    public static FieldSelector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Term> terms = new ArrayList<>();
        for (String part : text.split(",")) {
            part = part.trim();
            if (part.isEmpty()) {
                continue;
            }
            int ne = part.indexOf("!=");
            if (ne > 0) {
                terms.add(new Term(part.substring(0, ne).trim(), false, part.substring(ne + 2).trim()));
                continue;
            }
            int eq2 = part.indexOf("==");
            if (eq2 > 0) {
                terms.add(new Term(part.substring(0, eq2).trim(), true, part.substring(eq2 + 2).trim()));
                continue;
            }
            int eq = part.indexOf('=');
            if (eq > 0) {
                terms.add(new Term(part.substring(0, eq).trim(), true, part.substring(eq + 1).trim()));
                continue;
            }
            throw new IllegalArgumentException("invalid selector: '" + text + "'; can't understand '" + part + "'");
        }
        return new FieldSelector(terms);
    }

    /** Whether the object's fields satisfy every term; a field the object lacks counts as "". */
    public boolean matches(Map<String, String> fields) {
        for (Term t : terms) {
            String v = fields.getOrDefault(t.field, "");
            if (t.equals != v.equals(t.value)) {
                return false;
            }
        }
        return true;
    }

    /** The one term about {@code field} with '=', if present (used to narrow e.g. a name lookup). */
    public String exactValue(String field) {
        for (Term t : terms) {
            if (t.equals && t.field.equals(field)) {
                return t.value;
            }
        }
        return null;
    }

    @Override
    public String toString() {
        return String.join(",", terms.stream().map(t -> t.field + (t.equals ? "=" : "!=") + t.value).toList());
    }
}
