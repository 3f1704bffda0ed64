package io.kube4j.apiserver.crd;

import dev.cel.common.CelFunctionDecl;
import dev.cel.common.CelOverloadDecl;
import dev.cel.common.types.CelType;
import dev.cel.common.types.ListType;
import dev.cel.common.types.MapType;
import dev.cel.common.types.OpaqueType;
import dev.cel.common.types.SimpleType;
import dev.cel.common.types.TypeParamType;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelEvaluationExceptionBuilder;
import dev.cel.runtime.CelFunctionBinding;
import io.kube4j.quantity.Quantity;

import java.math.BigDecimal;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.regex.PatternSyntaxException;

/**
 * The Kubernetes CEL libraries that cel-java (dev.cel 0.14) does not bring, declared and bound for
 * CRD validation rules: {@code k8s.io/apiserver/pkg/cel/library} lists.go ({@code isSorted}, {@code sum},
 * {@code min}, {@code max}, {@code indexOf}, {@code lastIndexOf} on lists), regex.go ({@code find},
 * {@code findAll}), urls.go ({@code url}, {@code isURL}, {@code getScheme}, {@code getHost},
 * {@code getHostname}, {@code getPort}, {@code getEscapedPath}, {@code getQuery}) and quantity.go
 * ({@code quantity}, {@code isQuantity}, {@code sign}, {@code isInteger}, {@code asInteger},
 * {@code asApproximateFloat}, {@code add}, {@code sub}, {@code isGreaterThan}, {@code isLessThan},
 * {@code compareTo}), with their error texts where they have one ({@code min called on empty list}).
 * Regular expressions are Java's (Kubernetes uses RE2, whose syntax is nearly a subset). The ip and cidr
 * libraries are not provided.
 */
final class KubernetesCelLibrary {
    static final OpaqueType URL = OpaqueType.create("kubernetes.URL");
    static final OpaqueType QUANTITY = OpaqueType.create("kubernetes.Quantity");
    private static final TypeParamType A = TypeParamType.create("A");
    private static final ListType LIST_A = ListType.create(A);
    private static final CelType STRING = SimpleType.STRING;

    private KubernetesCelLibrary() {
    }

    /** A parsed URL value (urls.go's {@code apiservercel.URL}). */
    record Url(URI uri) {
    }

    static List<CelFunctionDecl> declarations() {
        return List.of(
                fn("isSorted", CelOverloadDecl.newMemberOverload("list_a_is_sorted_bool", SimpleType.BOOL, LIST_A)),
                fn("sum", CelOverloadDecl.newMemberOverload("list_a_sum_a", A, LIST_A)),
                fn("min", CelOverloadDecl.newMemberOverload("list_a_min_a", A, LIST_A)),
                fn("max", CelOverloadDecl.newMemberOverload("list_a_max_a", A, LIST_A)),
                fn("indexOf", CelOverloadDecl.newMemberOverload("list_a_index_of_int", SimpleType.INT, LIST_A, A)),
                fn("lastIndexOf", CelOverloadDecl.newMemberOverload("list_a_last_index_of_int", SimpleType.INT, LIST_A, A)),
                fn("find", CelOverloadDecl.newMemberOverload("string_find_string", STRING, STRING, STRING)),
                fn("findAll",
                        CelOverloadDecl.newMemberOverload("string_find_all_string", ListType.create(STRING), STRING, STRING),
                        CelOverloadDecl.newMemberOverload("string_find_all_string_int", ListType.create(STRING), STRING, STRING, SimpleType.INT)),
                fn("url", CelOverloadDecl.newGlobalOverload("string_to_url", URL, STRING)),
                fn("isURL", CelOverloadDecl.newGlobalOverload("is_url_string", SimpleType.BOOL, STRING)),
                fn("getScheme", CelOverloadDecl.newMemberOverload("url_get_scheme", STRING, URL)),
                fn("getHost", CelOverloadDecl.newMemberOverload("url_get_host", STRING, URL)),
                fn("getHostname", CelOverloadDecl.newMemberOverload("url_get_hostname", STRING, URL)),
                fn("getPort", CelOverloadDecl.newMemberOverload("url_get_port", STRING, URL)),
                fn("getEscapedPath", CelOverloadDecl.newMemberOverload("url_get_escaped_path", STRING, URL)),
                fn("getQuery", CelOverloadDecl.newMemberOverload("url_get_query", MapType.create(STRING, ListType.create(STRING)), URL)),
                fn("quantity", CelOverloadDecl.newGlobalOverload("string_to_quantity", QUANTITY, STRING)),
                fn("isQuantity", CelOverloadDecl.newGlobalOverload("is_quantity_string", SimpleType.BOOL, STRING)),
                fn("sign", CelOverloadDecl.newMemberOverload("quantity_sign", SimpleType.INT, QUANTITY)),
                fn("isInteger", CelOverloadDecl.newMemberOverload("quantity_is_integer", SimpleType.BOOL, QUANTITY)),
                fn("asInteger", CelOverloadDecl.newMemberOverload("quantity_get_integer", SimpleType.INT, QUANTITY)),
                fn("asApproximateFloat", CelOverloadDecl.newMemberOverload("quantity_get_float", SimpleType.DOUBLE, QUANTITY)),
                fn("add",
                        CelOverloadDecl.newMemberOverload("quantity_add", QUANTITY, QUANTITY, QUANTITY),
                        CelOverloadDecl.newMemberOverload("quantity_add_int", QUANTITY, QUANTITY, SimpleType.INT)),
                fn("sub",
                        CelOverloadDecl.newMemberOverload("quantity_sub", QUANTITY, QUANTITY, QUANTITY),
                        CelOverloadDecl.newMemberOverload("quantity_sub_int", QUANTITY, QUANTITY, SimpleType.INT)),
                fn("isGreaterThan", CelOverloadDecl.newMemberOverload("quantity_is_greater_than", SimpleType.BOOL, QUANTITY, QUANTITY)),
                fn("isLessThan", CelOverloadDecl.newMemberOverload("quantity_is_less_than", SimpleType.BOOL, QUANTITY, QUANTITY)),
                fn("compareTo", CelOverloadDecl.newMemberOverload("quantity_compare_to", SimpleType.INT, QUANTITY, QUANTITY)));
    }

    private static CelFunctionDecl fn(String name, CelOverloadDecl... overloads) {
        return CelFunctionDecl.newFunctionDeclaration(name, overloads);
    }

    @SuppressWarnings("unchecked")
    static List<CelFunctionBinding> bindings() {
        return List.of(
                CelFunctionBinding.from("list_a_is_sorted_bool", List.class, l -> isSorted((List<Object>) l)),
                CelFunctionBinding.from("list_a_sum_a", List.class, l -> sum((List<Object>) l)),
                CelFunctionBinding.from("list_a_min_a", List.class, l -> extreme((List<Object>) l, "min", 1)),
                CelFunctionBinding.from("list_a_max_a", List.class, l -> extreme((List<Object>) l, "max", -1)),
                CelFunctionBinding.from("list_a_index_of_int", List.class, Object.class, (l, x) -> indexOf((List<Object>) l, x, false)),
                CelFunctionBinding.from("list_a_last_index_of_int", List.class, Object.class, (l, x) -> indexOf((List<Object>) l, x, true)),
                CelFunctionBinding.from("string_find_string", String.class, String.class, (s, re) -> {
                    Matcher m = regex(re).matcher(s);
                    return m.find() ? m.group() : "";
                }),
                CelFunctionBinding.from("string_find_all_string", String.class, String.class, (s, re) -> findAll(s, re, -1)),
                CelFunctionBinding.from("string_find_all_string_int", List.of(String.class, String.class, Long.class),
                        args -> findAll((String) args[0], (String) args[1], (Long) args[2])),
                CelFunctionBinding.from("string_to_url", String.class, KubernetesCelLibrary::url),
                CelFunctionBinding.from("is_url_string", String.class, s -> parseRequestUri(s) != null),
                CelFunctionBinding.from("url_get_scheme", Url.class, u -> Objects.toString(u.uri().getScheme(), "")),
                CelFunctionBinding.from("url_get_host", Url.class, u -> Objects.toString(u.uri().getRawAuthority(), "").replaceFirst("^.*@", "")),
                CelFunctionBinding.from("url_get_hostname", Url.class, u -> hostname(u.uri())),
                CelFunctionBinding.from("url_get_port", Url.class, u -> u.uri().getPort() < 0 ? "" : String.valueOf(u.uri().getPort())),
                CelFunctionBinding.from("url_get_escaped_path", Url.class, u -> Objects.toString(u.uri().getRawPath(), "")),
                CelFunctionBinding.from("url_get_query", Url.class, u -> query(u.uri())),
                CelFunctionBinding.from("string_to_quantity", String.class, KubernetesCelLibrary::quantity),
                CelFunctionBinding.from("is_quantity_string", String.class, s -> {
                    try {
                        Quantity.parse(s);
                        return true;
                    } catch (IllegalArgumentException e) {
                        return false;
                    }
                }),
                CelFunctionBinding.from("quantity_sign", Quantity.class, q -> (long) q.exact().signum()),
                CelFunctionBinding.from("quantity_is_integer", Quantity.class, q -> isInteger(q.exact())),
                CelFunctionBinding.from("quantity_get_integer", Quantity.class, q -> {
                    if (!isInteger(q.exact())) {
                        throw error("cannot convert value to integer");
                    }
                    try {
                        return q.exact().longValueExact();
                    } catch (ArithmeticException e) {
                        throw error("cannot convert value to integer");
                    }
                }),
                CelFunctionBinding.from("quantity_get_float", Quantity.class, q -> q.exact().doubleValue()),
                CelFunctionBinding.from("quantity_add", Quantity.class, Quantity.class, Quantity::add),
                CelFunctionBinding.from("quantity_add_int", Quantity.class, Long.class, (q, i) -> q.add(Quantity.of(i))),
                CelFunctionBinding.from("quantity_sub", Quantity.class, Quantity.class, Quantity::subtract),
                CelFunctionBinding.from("quantity_sub_int", Quantity.class, Long.class, (q, i) -> q.subtract(Quantity.of(i))),
                CelFunctionBinding.from("quantity_is_greater_than", Quantity.class, Quantity.class, (a, b) -> a.compareTo(b) > 0),
                CelFunctionBinding.from("quantity_is_less_than", Quantity.class, Quantity.class, (a, b) -> a.compareTo(b) < 0),
                CelFunctionBinding.from("quantity_compare_to", Quantity.class, Quantity.class, (a, b) -> (long) Integer.signum(a.compareTo(b))));
    }

    private static CelEvaluationException error(String message) {
        return CelEvaluationExceptionBuilder.newBuilder("%s", message).build();
    }

    // ---- lists.go ----------------------------------------------------------------------------

    private static int compare(Object a, Object b) throws CelEvaluationException {
        if (a instanceof Number x && b instanceof Number y) {
            return (x instanceof Double || y instanceof Double) ? Double.compare(x.doubleValue(), y.doubleValue()) : Long.compare(x.longValue(), y.longValue());
        }
        if (a != null && b != null && a.getClass() == b.getClass() && a instanceof Comparable<?>) {
            @SuppressWarnings("unchecked")
            Comparable<Object> c = (Comparable<Object>) a;
            return c.compareTo(b);
        }
        throw error("no such overload");
    }

    private static boolean isSorted(List<Object> l) throws CelEvaluationException {
        for (int i = 1; i < l.size(); i++) {
            if (compare(l.get(i - 1), l.get(i)) > 0) {
                return false;
            }
        }
        return true;
    }

    private static Object sum(List<Object> l) throws CelEvaluationException {
        if (l.isEmpty()) {
            return 0L;
        }
        if (l.stream().allMatch(o -> o instanceof Long)) {
            long s = 0;
            for (Object o : l) {
                try {
                    s = Math.addExact(s, (Long) o);
                } catch (ArithmeticException e) {
                    throw error("integer overflow");
                }
            }
            return s;
        }
        if (l.stream().allMatch(o -> o instanceof Double)) {
            double s = 0;
            for (Object o : l) {
                s += (Double) o;
            }
            return s;
        }
        throw error("no such overload");
    }

    // prefer: the comparison result of (current best vs next) that makes next the new best
    private static Object extreme(List<Object> l, String op, int prefer) throws CelEvaluationException {
        if (l.isEmpty()) {
            throw error(op + " called on empty list");
        }
        Object best = l.getFirst();
        for (int i = 1; i < l.size(); i++) {
            if (Integer.signum(compare(best, l.get(i))) == prefer) {
                best = l.get(i);
            }
        }
        return best;
    }

    private static long indexOf(List<Object> l, Object x, boolean last) {
        if (last) {
            for (int i = l.size() - 1; i >= 0; i--) {
                if (celEquals(l.get(i), x)) {
                    return i;
                }
            }
        } else {
            for (int i = 0; i < l.size(); i++) {
                if (celEquals(l.get(i), x)) {
                    return i;
                }
            }
        }
        return -1L;
    }

    private static boolean celEquals(Object a, Object b) {
        if (a instanceof Number x && b instanceof Number y) {
            return x.doubleValue() == y.doubleValue();
        }
        return Objects.equals(a, b);
    }

    // ---- regex.go ----------------------------------------------------------------------------

    private static Pattern regex(String re) throws CelEvaluationException {
        try {
            return Pattern.compile(re);
        } catch (PatternSyntaxException e) {
            throw error("error parsing regexp: " + e.getDescription());
        }
    }

    private static List<String> findAll(String s, String re, long limit) throws CelEvaluationException {
        List<String> out = new ArrayList<>();
        Matcher m = regex(re).matcher(s);
        while ((limit < 0 || out.size() < limit) && m.find()) {
            out.add(m.group());
        }
        return out;
    }

    // ---- urls.go -----------------------------------------------------------------------------

    /** Go's url.ParseRequestURI: an absolute URI, or an absolute path; null when it is neither. */
    private static URI parseRequestUri(String s) {
        if (s.isEmpty() || s.contains(" ") || s.contains("#")) {
            return null;
        }
        try {
            URI u = new URI(s);
            if (u.isAbsolute() || (u.getRawPath() != null && u.getRawPath().startsWith("/"))) {
                return u;
            }
            return null;
        } catch (URISyntaxException e) {
            return null;
        }
    }

    private static Url url(String s) throws CelEvaluationException {
        URI u = parseRequestUri(s);
        if (u == null) {
            throw error("URL parse error during conversion from string: parse \"" + s + "\": invalid URI for request");
        }
        return new Url(u);
    }

    private static String hostname(URI u) {
        String host = Objects.toString(u.getHost(), "");
        return host.startsWith("[") && host.endsWith("]") ? host.substring(1, host.length() - 1) : host;
    }

    private static Map<String, List<String>> query(URI u) {
        Map<String, List<String>> out = new LinkedHashMap<>();
        String q = u.getRawQuery();
        if (q == null || q.isEmpty()) {
            return out;
        }
        for (String pair : q.split("&")) {
            if (pair.isEmpty()) {
                continue;
            }
            int eq = pair.indexOf('=');
            String k = URLDecoder.decode(eq < 0 ? pair : pair.substring(0, eq), StandardCharsets.UTF_8);
            String v = eq < 0 ? "" : URLDecoder.decode(pair.substring(eq + 1), StandardCharsets.UTF_8);
            out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
        }
        return out;
    }

    // ---- quantity.go -------------------------------------------------------------------------

    private static Quantity quantity(String s) throws CelEvaluationException {
        try {
            return Quantity.parse(s);
        } catch (IllegalArgumentException e) {
            throw error(e.getMessage());
        }
    }

    private static boolean isInteger(BigDecimal v) {
        return v.signum() == 0 || v.stripTrailingZeros().scale() <= 0;
    }
}
