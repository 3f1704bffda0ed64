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
 * {@code compareTo}), ip.go and cidr.go ({@code ip}, {@code isIP}, {@code family}, {@code isLoopback} and the
 * other address tests, {@code cidr}, {@code isCIDR}, {@code containsIP}, {@code containsCIDR}, {@code ip()},
 * {@code masked}, {@code prefixLength}; not {@code ip.isCanonical} nor {@code string()} of an address), with
 * their error texts where they have one ({@code min called on empty list}). Regular expressions are Java's
 * (Kubernetes uses RE2, whose syntax is nearly a subset); parse errors name the input as Kubernetes does
 * but not always Go's exact reason.
 */
final class KubernetesCelLibrary {
    static final OpaqueType URL = OpaqueType.create("kubernetes.URL");
    static final OpaqueType QUANTITY = OpaqueType.create("kubernetes.Quantity");
    static final OpaqueType IP = OpaqueType.create("net.IP");
    static final OpaqueType CIDR = OpaqueType.create("net.CIDR");
    private static final TypeParamType A = TypeParamType.create("A");
    private static final ListType LIST_A = ListType.create(A);
    private static final CelType STRING = SimpleType.STRING;

    private KubernetesCelLibrary() {
    }

    /** An IP address (ip.go's {@code apiservercel.IP}): 4 or 16 bytes. */
    record Ip(byte[] bytes) {
        @Override
        public boolean equals(Object o) {
            return o instanceof Ip other && java.util.Arrays.equals(bytes, other.bytes);
        }

        @Override
        public int hashCode() {
            return java.util.Arrays.hashCode(bytes);
        }

        java.net.InetAddress address() {
            try {
                return java.net.InetAddress.getByAddress(bytes);
            } catch (java.net.UnknownHostException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** A network prefix (cidr.go's {@code apiservercel.CIDR}): an address and a prefix length. */
    record Cidr(Ip ip, int prefixLength) {
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
                fn("compareTo", CelOverloadDecl.newMemberOverload("quantity_compare_to", SimpleType.INT, QUANTITY, QUANTITY)),
                fn("ip",
                        CelOverloadDecl.newGlobalOverload("string_to_ip", IP, STRING),
                        CelOverloadDecl.newMemberOverload("cidr_ip", IP, CIDR)),
                fn("isIP", CelOverloadDecl.newGlobalOverload("is_ip", SimpleType.BOOL, STRING)),
                fn("family", CelOverloadDecl.newMemberOverload("ip_family", SimpleType.INT, IP)),
                fn("isUnspecified", CelOverloadDecl.newMemberOverload("ip_is_unspecified", SimpleType.BOOL, IP)),
                fn("isLoopback", CelOverloadDecl.newMemberOverload("ip_is_loopback", SimpleType.BOOL, IP)),
                fn("isLinkLocalMulticast", CelOverloadDecl.newMemberOverload("ip_is_link_local_multicast", SimpleType.BOOL, IP)),
                fn("isLinkLocalUnicast", CelOverloadDecl.newMemberOverload("ip_is_link_local_unicast", SimpleType.BOOL, IP)),
                fn("isGlobalUnicast", CelOverloadDecl.newMemberOverload("ip_is_global_unicast", SimpleType.BOOL, IP)),
                fn("cidr", CelOverloadDecl.newGlobalOverload("string_to_cidr", CIDR, STRING)),
                fn("isCIDR", CelOverloadDecl.newGlobalOverload("is_cidr", SimpleType.BOOL, STRING)),
                fn("containsIP",
                        CelOverloadDecl.newMemberOverload("cidr_contains_ip_ip", SimpleType.BOOL, CIDR, IP),
                        CelOverloadDecl.newMemberOverload("cidr_contains_ip_string", SimpleType.BOOL, CIDR, STRING)),
                fn("containsCIDR",
                        CelOverloadDecl.newMemberOverload("cidr_contains_cidr", SimpleType.BOOL, CIDR, CIDR),
                        CelOverloadDecl.newMemberOverload("cidr_contains_cidr_string", SimpleType.BOOL, CIDR, STRING)),
                fn("masked", CelOverloadDecl.newMemberOverload("cidr_masked", CIDR, CIDR)),
                fn("prefixLength", CelOverloadDecl.newMemberOverload("cidr_prefix_length", SimpleType.INT, CIDR)));
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
                CelFunctionBinding.from("quantity_compare_to", Quantity.class, Quantity.class, (a, b) -> (long) Integer.signum(a.compareTo(b))),
                CelFunctionBinding.from("string_to_ip", String.class, KubernetesCelLibrary::ip),
                CelFunctionBinding.from("cidr_ip", Cidr.class, Cidr::ip),
                CelFunctionBinding.from("is_ip", String.class, s -> {
                    try {
                        ip(s);
                        return true;
                    } catch (CelEvaluationException e) {
                        return false;
                    }
                }),
                CelFunctionBinding.from("ip_family", Ip.class, i -> i.bytes().length == 4 ? 4L : 6L),
                CelFunctionBinding.from("ip_is_unspecified", Ip.class, i -> i.address().isAnyLocalAddress()),
                CelFunctionBinding.from("ip_is_loopback", Ip.class, i -> i.address().isLoopbackAddress()),
                CelFunctionBinding.from("ip_is_link_local_multicast", Ip.class, i -> i.address().isMCLinkLocal()),
                CelFunctionBinding.from("ip_is_link_local_unicast", Ip.class, i -> i.address().isLinkLocalAddress()),
                CelFunctionBinding.from("ip_is_global_unicast", Ip.class, i -> {
                    java.net.InetAddress a = i.address();
                    boolean broadcast = i.bytes().length == 4 && java.util.Arrays.equals(i.bytes(), new byte[]{-1, -1, -1, -1});
                    return !a.isAnyLocalAddress() && !a.isLoopbackAddress() && !a.isLinkLocalAddress() && !a.isMulticastAddress() && !broadcast;
                }),
                CelFunctionBinding.from("string_to_cidr", String.class, KubernetesCelLibrary::cidr),
                CelFunctionBinding.from("is_cidr", String.class, s -> {
                    try {
                        cidr(s);
                        return true;
                    } catch (CelEvaluationException e) {
                        return false;
                    }
                }),
                CelFunctionBinding.from("cidr_contains_ip_ip", Cidr.class, Ip.class, KubernetesCelLibrary::contains),
                CelFunctionBinding.from("cidr_contains_ip_string", Cidr.class, String.class, (c, s) -> contains(c, ip(s))),
                CelFunctionBinding.from("cidr_contains_cidr", Cidr.class, Cidr.class, KubernetesCelLibrary::contains),
                CelFunctionBinding.from("cidr_contains_cidr_string", Cidr.class, String.class, (c, s) -> contains(c, cidr(s))),
                CelFunctionBinding.from("cidr_masked", Cidr.class, c -> new Cidr(mask(c.ip(), c.prefixLength()), c.prefixLength())),
                CelFunctionBinding.from("cidr_prefix_length", Cidr.class, c -> (long) c.prefixLength()));
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

    // ---- ip.go, cidr.go ----------------------------------------------------------------------

    private static final Pattern IPV4 = Pattern.compile("^(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})\\.(0|[1-9][0-9]{0,2})$");
    private static final Pattern IPV6_CHARS = Pattern.compile("^[0-9A-Fa-f:.]+$");

    /** netip.ParseAddr as Kubernetes' ip() uses it: no zone, no IPv4-mapped IPv6; a literal only (never a DNS lookup). */
    private static Ip ip(String s) throws CelEvaluationException {
        if (s.contains("%")) {
            throw error("IP address \"" + s + "\" with zone value is not allowed");
        }
        byte[] bytes = literal(s);
        if (bytes == null) {
            throw error("IP Address \"" + s + "\" parse error during conversion from string: ParseAddr(\"" + s + "\"): unable to parse IP");
        }
        if (s.contains(":") && bytes.length == 4) {
            throw error("IPv4-mapped IPv6 address \"" + s + "\" is not allowed");
        }
        return new Ip(bytes);
    }

    // 4 bytes for a dotted IPv4, 16 for IPv6 (4 when IPv4-mapped, as Java reads it), null when neither
    private static byte[] literal(String s) {
        Matcher m = IPV4.matcher(s);
        if (m.matches()) {
            byte[] b = new byte[4];
            for (int i = 0; i < 4; i++) {
                int octet = Integer.parseInt(m.group(i + 1));
                if (octet > 255) {
                    return null;
                }
                b[i] = (byte) octet;
            }
            return b;
        }
        if (!s.contains(":") || !IPV6_CHARS.matcher(s).matches()) {
            return null;
        }
        try {
            // a literal of hex digits, ':' and '.': InetAddress parses it without resolving anything
            return java.net.InetAddress.getByName(s).getAddress();
        } catch (java.net.UnknownHostException e) {
            return null;
        }
    }

    /** netip.ParsePrefix: an address, '/', a prefix length within its family's bits. */
    private static Cidr cidr(String s) throws CelEvaluationException {
        int slash = s.indexOf('/');
        String why = null;
        Ip ip = null;
        int bits = -1;
        if (slash < 0) {
            why = "no '/'";
        } else {
            try {
                ip = ip(s.substring(0, slash));
                String len = s.substring(slash + 1);
                bits = len.matches("^(0|[1-9][0-9]*)$") && len.length() < 4 ? Integer.parseInt(len) : -1;
                if (bits < 0 || bits > ip.bytes().length * 8) {
                    why = "bad bits after slash: \"" + len + "\"";
                }
            } catch (CelEvaluationException e) {
                why = "unable to parse IP";
            }
        }
        if (why != null) {
            throw error("network address parse error during conversion from string: netip.ParsePrefix(\"" + s + "\"): " + why);
        }
        return new Cidr(ip, bits);
    }

    private static Ip mask(Ip ip, int bits) {
        byte[] b = ip.bytes().clone();
        for (int i = 0; i < b.length; i++) {
            int keep = Math.max(0, Math.min(8, bits - i * 8));
            b[i] = (byte) (b[i] & (0xFF << (8 - keep)));
        }
        return new Ip(b);
    }

    private static boolean contains(Cidr c, Ip ip) {
        return ip.bytes().length == c.ip().bytes().length && mask(ip, c.prefixLength()).equals(mask(c.ip(), c.prefixLength()));
    }

    private static boolean contains(Cidr c, Cidr other) {
        return other.prefixLength() >= c.prefixLength() && contains(c, other.ip());
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
