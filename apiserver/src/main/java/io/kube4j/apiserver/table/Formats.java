package io.kube4j.apiserver.table;

import io.kube4j.quantity.Quantity;
import tools.jackson.databind.JsonNode;

import java.time.Duration;
import java.time.Instant;
import java.time.format.DateTimeParseException;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.StringJoiner;
import java.util.TreeSet;

/**
 * The small formatters Kubernetes' printers share, ported onto JSON trees: ages
 * ({@code translateTimestampSince}), label maps ({@code labels.FormatLabels}), label selectors
 * ({@code metav1.FormatLabelSelector}), container lists ({@code layoutContainerCells}), quantities
 * ({@code resource.Quantity.String}), access modes ({@code helper.GetAccessModesAsString}).
 */
final class Formats {
    /** What Go's zero {@code metav1.Time} prints as in RFC 3339 (the default table convertor's Created At). */
    static final String ZERO_TIME_RFC3339 = "0001-01-01T00:00:00Z";

    private Formats() {
    }

    /** A scalar as a string; {@code ""} for a missing, null or structured node (Go's zero string). */
    static String str(JsonNode n) {
        return n != null && n.isValueNode() && !n.isNull() ? n.asString("") : "";
    }

    /** {@code s}, or {@code dflt} when empty. */
    static String or(String s, String dflt) {
        return s == null || s.isEmpty() ? dflt : s;
    }

    /** The object's metadata.name. */
    static String name(JsonNode o) {
        return str(o.path("metadata").path("name"));
    }

    /** translateTimestampSince(obj.CreationTimestamp). */
    static String age(JsonNode o, Instant now) {
        return since(o.path("metadata").path("creationTimestamp"), now);
    }

    /** translateTimestampSince: the human age of a timestamp, {@code <unknown>} when unset. */
    static String since(JsonNode timestamp, Instant now) {
        Instant t = instant(timestamp);
        return t == null ? "<unknown>" : HumanDuration.format(Duration.between(t, now));
    }

    /** An RFC 3339 timestamp, or null when unset or unreadable (Go's zero time). */
    static Instant instant(JsonNode timestamp) {
        String s = str(timestamp);
        if (s.isEmpty()) {
            return null;
        }
        try {
            return Instant.parse(s);
        } catch (DateTimeParseException e) {
            return null;
        }
    }

    /** The later of two instants, either possibly null (Go's {@code a.Before(&b)} with zero times). */
    static Instant later(Instant a, Instant b) {
        if (b == null) {
            return a;
        }
        return a == null || a.isBefore(b) ? b : a;
    }

    /** labels.FormatLabels: {@code k=v} pairs sorted, comma-joined; {@code <none>} when empty. */
    static String formatLabels(JsonNode labels) {
        List<String> pairs = new ArrayList<>();
        labels.properties().forEach(e -> pairs.add(e.getKey() + "=" + str(e.getValue())));
        pairs.sort(Comparator.naturalOrder());
        return pairs.isEmpty() ? "<none>" : String.join(",", pairs);
    }

    /** metav1.FormatLabelSelector: the selector's string, {@code <none>} when it is empty or missing, {@code <error>} when invalid. */
    static String formatLabelSelector(JsonNode selector) {
        String s = labelSelectorString(selector);
        return s == null ? "<error>" : or(s, "<none>");
    }

    /**
     * LabelSelectorAsSelector(sel).String(): one requirement per matchLabels entry ({@code k=v}) and per
     * expression ({@code k in (a,b)}, {@code k notin (a,b)}, {@code k}, {@code !k}, values sorted), all
     * sorted by key and comma-joined; {@code ""} for a missing or empty selector; null when
     * LabelSelectorAsSelector would fail (an unknown operator, In/NotIn without values, Exists/DoesNotExist with).
     */
    static String labelSelectorString(JsonNode selector) {
        record Requirement(String key, String text) {
        }
        List<Requirement> reqs = new ArrayList<>();
        selector.path("matchLabels").properties().forEach(e -> reqs.add(new Requirement(e.getKey(), e.getKey() + "=" + str(e.getValue()))));
        for (JsonNode r : selector.path("matchExpressions")) {
            String key = str(r.path("key"));
            List<String> values = new ArrayList<>();
            r.path("values").forEach(v -> values.add(str(v)));
            values.sort(Comparator.naturalOrder());
            String vals = "(" + String.join(",", values) + ")";
            String op = str(r.path("operator"));
            boolean setOp = op.equals("In") || op.equals("NotIn");
            if (setOp == values.isEmpty() && (setOp || op.equals("Exists") || op.equals("DoesNotExist"))) {
                // labels.NewRequirement: In/NotIn need values, Exists/DoesNotExist take none
                return null;
            }
            String text = switch (op) {
                case "In" -> key + " in " + vals;
                case "NotIn" -> key + " notin " + vals;
                case "Exists" -> key;
                case "DoesNotExist" -> "!" + key;
                default -> null;
            };
            if (text == null) {
                return null;
            }
            reqs.add(new Requirement(key, text));
        }
        reqs.sort(Comparator.comparing(Requirement::key));
        StringJoiner j = new StringJoiner(",");
        reqs.forEach(r -> j.add(r.text()));
        return j.toString();
    }

    /** layoutContainerCells: container names and images, each comma-joined. */
    static String[] layoutContainerCells(JsonNode containers) {
        StringJoiner names = new StringJoiner(",");
        StringJoiner images = new StringJoiner(",");
        for (JsonNode c : containers) {
            names.add(str(c.path("name")));
            images.add(str(c.path("image")));
        }
        return new String[]{names.toString(), images.toString()};
    }

    /**
     * resource.Quantity.String() of a stored quantity: its canonical form (the apiserver stores quantities
     * canonicalized); {@code 0} for a missing one (Go's zero Quantity), the raw text if it does not parse.
     */
    static String quantity(JsonNode q) {
        String s = str(q);
        if (s.isEmpty()) {
            return "0";
        }
        try {
            return Quantity.parse(s).canonical();
        } catch (IllegalArgumentException e) {
            return s;
        }
    }

    /** (*resource.Quantity).String(): as {@link #quantity}, but {@code <nil>} for a missing pointer. */
    static String quantityPointer(JsonNode q) {
        return q.isMissingNode() || q.isNull() ? "<nil>" : quantity(q);
    }

    /** intstr.IntOrString.String(): the number or the string as written. */
    static String intOrString(JsonNode v) {
        return v.isNumber() ? Long.toString(v.asLong()) : str(v);
    }

    /** helper.GetAccessModesAsString: RWO, ROX, RWX, RWOP in that order, each once, comma-joined. */
    static String accessModes(JsonNode modes) {
        List<String> present = new ArrayList<>();
        modes.forEach(m -> present.add(str(m)));
        List<String> out = new ArrayList<>();
        if (present.contains("ReadWriteOnce")) {
            out.add("RWO");
        }
        if (present.contains("ReadOnlyMany")) {
            out.add("ROX");
        }
        if (present.contains("ReadWriteMany")) {
            out.add("RWX");
        }
        if (present.contains("ReadWriteOncePod")) {
            out.add("RWOP");
        }
        return String.join(",", out);
    }

    /** The sorted, de-duplicated IPs (or else hostnames) of a load balancer status, comma-joined (wide: not clipped). */
    static String loadBalancerStatus(JsonNode loadBalancer) {
        TreeSet<String> result = new TreeSet<>();
        for (JsonNode ingress : loadBalancer.path("ingress")) {
            String ip = str(ingress.path("ip"));
            String hostname = str(ingress.path("hostname"));
            if (!ip.isEmpty()) {
                result.add(ip);
            } else if (!hostname.isEmpty()) {
                result.add(hostname);
            }
        }
        return String.join(",", result);
    }

    /** net.JoinHostPort: IPv6 hosts in brackets. */
    static String joinHostPort(String host, long port) {
        return host.contains(":") ? "[" + host + "]:" + port : host + ":" + port;
    }

    /** listWithMoreString: the first {@code max} items, {@code + N more...} past them, {@code <unset>} when empty. */
    static String listWithMore(List<String> list, boolean more, int count, int max) {
        String ret = String.join(",", list);
        if (more) {
            return ret + " + " + (count - max) + " more...";
        }
        return ret.isEmpty() ? "<unset>" : ret;
    }

    /** printBoolPtr: {@code True}, {@code False}, or {@code <unset>} when missing. */
    static String boolPointer(JsonNode b) {
        if (b.isMissingNode() || b.isNull()) {
            return "<unset>";
        }
        return b.asBoolean(false) ? "True" : "False";
    }
}
