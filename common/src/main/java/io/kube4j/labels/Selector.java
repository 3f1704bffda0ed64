package io.kube4j.labels;

import io.kube4j.api.LabelSelector;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.stream.Collectors;

/**
 * A label selector: a conjunction of requirements, parsed from the string form
 * ({@code a=b,c!=d,e in (x,y),f notin (z),g,!h}) or built from a {@link LabelSelector}.
 */
public final class Selector {
    /** One requirement on one label key. */
    public record Requirement(String key, Operator op, Set<String> values) {
        public boolean matches(Map<String, String> labels) {
            String v = labels == null ? null : labels.get(key);
            return switch (op) {
                case EQUALS, IN -> v != null && values.contains(v);
                case NOT_EQUALS, NOT_IN -> v == null || !values.contains(v);
                case EXISTS -> v != null;
                case DOES_NOT_EXIST -> v == null;
                case GT, LT -> v != null && compareNumber(v, op);
            };
        }

        private boolean compareNumber(String v, Operator op) {
            try {
                long left = Long.parseLong(v);
                long right = Long.parseLong(values.iterator().next());
                return op == Operator.GT ? left > right : left < right;
            } catch (NumberFormatException e) {
                return false;
            }
        }

        @Override
        public String toString() {
            return switch (op) {
                case EQUALS -> key + "=" + values.iterator().next();
                case NOT_EQUALS -> key + "!=" + values.iterator().next();
                case IN -> key + " in (" + String.join(",", values) + ")";
                case NOT_IN -> key + " notin (" + String.join(",", values) + ")";
                case EXISTS -> key;
                case DOES_NOT_EXIST -> "!" + key;
                case GT -> key + ">" + values.iterator().next();
                case LT -> key + "<" + values.iterator().next();
            };
        }
    }

    /** Selector operators, set-based and equality-based. */
    public enum Operator { EQUALS, NOT_EQUALS, IN, NOT_IN, EXISTS, DOES_NOT_EXIST, GT, LT }

    private static final Selector EVERYTHING = new Selector(List.of());
    private static final Selector NOTHING = new Selector(null);

    private final List<Requirement> requirements;

    private Selector(List<Requirement> requirements) {
        this.requirements = requirements;
    }

    public static Selector everything() {
        return EVERYTHING;
    }

    /** Matches no object (a nil LabelSelector in a Service-less context). */
    public static Selector nothing() {
        return NOTHING;
    }

    public List<Requirement> requirements() {
        return requirements == null ? List.of() : requirements;
    }

    public boolean isEverything() {
        return requirements != null && requirements.isEmpty();
    }

    public boolean matches(Map<String, String> labels) {
        if (requirements == null) {
            return false;
        }
        for (Requirement r : requirements) {
            if (!r.matches(labels)) {
                return false;
            }
        }
        return true;
    }

    /** A selector requiring each of the labels (a Service's or ReplicationController's selector). */
    public static Selector of(Map<String, String> labels) {
        List<Requirement> reqs = new ArrayList<>();
        new java.util.TreeMap<>(labels).forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, Set.of(v))));
        return new Selector(reqs);
    }

    /** The selector of a {@link LabelSelector}; null selects nothing, an empty one everything (as Kubernetes). */
    public static Selector from(LabelSelector ls) {
        if (ls == null) {
            return NOTHING;
        }
        List<Requirement> reqs = new ArrayList<>();
        if (ls.matchLabels != null) {
            new java.util.TreeMap<>(ls.matchLabels).forEach((k, v) -> reqs.add(new Requirement(k, Operator.EQUALS, Set.of(v))));
        }
        if (ls.matchExpressions != null) {
            for (LabelSelector.Requirement e : ls.matchExpressions) {
                Operator op = switch (e.operator == null ? "" : e.operator) {
                    case "In" -> Operator.IN;
                    case "NotIn" -> Operator.NOT_IN;
                    case "Exists" -> Operator.EXISTS;
                    case "DoesNotExist" -> Operator.DOES_NOT_EXIST;
                    default -> throw new IllegalArgumentException("\"" + e.operator + "\" is not a valid label selector operator");
                };
                if ((op == Operator.IN || op == Operator.NOT_IN) && (e.values == null || e.values.isEmpty())) {
                    throw new IllegalArgumentException("values: Required value: must be specified when `operator` is 'In' or 'NotIn'");
                }
                reqs.add(new Requirement(e.key, op, new TreeSet<>(e.values == null ? List.of() : e.values)));
            }
        }
        return new Selector(reqs);
    }

    /** Parses the string form; throws {@link IllegalArgumentException} naming the bad part. */
    public static Selector parse(String text) {
        if (text == null || text.isBlank()) {
            return EVERYTHING;
        }
        List<Requirement> reqs = new ArrayList<>();
        for (String part : splitTopLevel(text)) {
            reqs.add(parseRequirement(part.trim(), text));
        }
        return new Selector(reqs);
    }

    // commas inside "in (a,b)" do not separate requirements
    private static List<String> splitTopLevel(String text) {
        List<String> parts = new ArrayList<>();
        int depth = 0;
        StringBuilder cur = new StringBuilder();
        for (char c : text.toCharArray()) {
            if (c == '(') {
                depth++;
            } else if (c == ')') {
                depth--;
            }
            if (c == ',' && depth == 0) {
                parts.add(cur.toString());
                cur.setLength(0);
            } else {
                cur.append(c);
            }
        }
        parts.add(cur.toString());
        return parts;
    }

    private static Requirement parseRequirement(String part, String whole) {
        if (part.isEmpty()) {
            throw new IllegalArgumentException("unable to parse requirement: empty requirement in \"" + whole + "\"");
        }
        java.util.regex.Matcher set = java.util.regex.Pattern.compile("^(\\S+)\\s+(in|notin)\\s*\\((.*)\\)$").matcher(part);
        if (set.matches()) {
            Set<String> values = new TreeSet<>();
            for (String v : set.group(3).split(",")) {
                if (!v.isBlank()) {
                    values.add(checkValue(v.trim(), whole));
                }
            }
            if (values.isEmpty()) {
                throw new IllegalArgumentException("unable to parse requirement: " + part + ": for 'in', 'notin' operators, values set can't be empty");
            }
            return new Requirement(checkKey(set.group(1), whole), set.group(2).equals("in") ? Operator.IN : Operator.NOT_IN, values);
        }
        for (String op : new String[] {"!=", "==", "=", ">", "<"}) {
            int i = part.indexOf(op);
            if (i > 0) {
                String key = checkKey(part.substring(0, i).trim(), whole);
                String value = checkValue(part.substring(i + op.length()).trim(), whole);
                Operator o = switch (op) {
                    case "!=" -> Operator.NOT_EQUALS;
                    case ">" -> Operator.GT;
                    case "<" -> Operator.LT;
                    default -> Operator.EQUALS;
                };
                if (o == Operator.GT || o == Operator.LT) {
                    // labels.NewRequirement: Gt and Lt compare integers
                    try {
                        Long.parseLong(value);
                    } catch (NumberFormatException e) {
                        throw new IllegalArgumentException("unable to parse requirement: values[0]: Invalid value: \"" + value
                                + "\": for 'Gt', 'Lt' operators, the value must be an integer");
                    }
                }
                return new Requirement(key, o, Set.of(value));
            }
        }
        if (part.startsWith("!")) {
            return new Requirement(checkKey(part.substring(1).trim(), whole), Operator.DOES_NOT_EXIST, Set.of());
        }
        return new Requirement(checkKey(part, whole), Operator.EXISTS, Set.of());
    }

    private static final java.util.regex.Pattern KEY = java.util.regex.Pattern.compile("^([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?$");
    private static final java.util.regex.Pattern VALUE = java.util.regex.Pattern.compile("^([A-Za-z0-9]([-A-Za-z0-9_.]*[A-Za-z0-9])?)?$");

    private static String checkKey(String key, String whole) {
        // validation.IsQualifiedName: a name part of at most 63 characters after an optional DNS-subdomain prefix
        int slash = key.indexOf('/');
        if (key.length() - slash - 1 > 63) {
            throw new IllegalArgumentException("unable to parse requirement: key: Invalid value: \"" + key
                    + "\": name part must be no more than 63 characters");
        }
        if (slash > 253) {
            throw new IllegalArgumentException("unable to parse requirement: key: Invalid value: \"" + key
                    + "\": prefix part must be no more than 253 characters");
        }
        if (!KEY.matcher(key).matches()) {
            throw new IllegalArgumentException("unable to parse requirement: invalid label key \"" + key + "\" in \"" + whole + "\"");
        }
        return key;
    }

    private static String checkValue(String value, String whole) {
        if (value.length() > 63 || !VALUE.matcher(value).matches()) {
            throw new IllegalArgumentException("unable to parse requirement: invalid label value \"" + value + "\" in \"" + whole + "\"");
        }
        return value;
    }

    /** The string form, as used in {@code labelSelector=} and a Scale's {@code status.selector}. */
    @Override
    public String toString() {
        return requirements().stream().map(Requirement::toString).collect(Collectors.joining(","));
    }
}
