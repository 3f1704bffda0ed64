package io.kube4j.apiserver.validation;

import io.kube4j.api.Status;

import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/** Collects per-field validation failures, worded like Kubernetes' field.ErrorList. */
public final class FieldErrors {
    static final Pattern DNS1123_LABEL = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?$");
    static final Pattern DNS1123_SUBDOMAIN = Pattern.compile("^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$");
    static final Pattern DNS1035_LABEL = Pattern.compile("^[a-z]([-a-z0-9]*[a-z0-9])?$");
    static final Pattern LABEL_VALUE = Pattern.compile("^(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?$");
    static final Pattern QUALIFIED_NAME = Pattern.compile("^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$");

    private final List<Status.Cause> causes = new ArrayList<>();

    public List<Status.Cause> causes() {
        return causes;
    }

    public boolean isEmpty() {
        return causes.isEmpty();
    }

    public void required(String field, String detail) {
        causes.add(new Status.Cause("FieldValueRequired", "Required value" + (detail == null ? "" : ": " + detail), field));
    }

    public void invalid(String field, Object value, String detail) {
        causes.add(new Status.Cause("FieldValueInvalid", "Invalid value: " + quote(value) + ": " + detail, field));
    }

    public void notSupported(String field, Object value, List<String> supported) {
        causes.add(new Status.Cause("FieldValueNotSupported", "Unsupported value: " + quote(value) + ": supported values: "
                + String.join(", ", supported.stream().map(s -> "\"" + s + "\"").toList()), field));
    }

    public void duplicate(String field, Object value) {
        causes.add(new Status.Cause("FieldValueDuplicate", "Duplicate value: " + quote(value), field));
    }

    /** field.TooLong: "Too long: must have at most N bytes". */
    public void tooLong(String field, long max) {
        causes.add(new Status.Cause("FieldValueTooLong", "Too long: must have at most " + max + " bytes", field));
    }

    /** field.NotFound: "Not found: <value>". */
    public void notFound(String field, Object value) {
        causes.add(new Status.Cause("FieldValueNotFound", "Not found: " + quote(value), field));
    }

    public void forbidden(String field, String detail) {
        causes.add(new Status.Cause("FieldValueForbidden", "Forbidden: " + detail, field));
    }

    private static String quote(Object value) {
        return value instanceof String s ? "\"" + s + "\"" : String.valueOf(value);
    }

    /** A DNS-1123 label (namespaces, container names, port names): lower case alphanumerics and '-', at most 63. */
    public void dns1123Label(String field, String value) {
        if (value == null || value.isEmpty()) {
            required(field, null);
        } else if (value.length() > 63 || !DNS1123_LABEL.matcher(value).matches()) {
            invalid(field, value, "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
        }
    }

    /** A DNS-1123 subdomain (most object names): labels joined by '.', at most 253. */
    public void dns1123Subdomain(String field, String value) {
        if (value == null || value.isEmpty()) {
            required(field, "name or generateName is required");
        } else if (value.length() > 253 || !DNS1123_SUBDOMAIN.matcher(value).matches()) {
            invalid(field, value, "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character (e.g. 'example.com', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
        }
    }

    /** A DNS-1035 label (service names): must start with a letter. */
    public void dns1035Label(String field, String value) {
        if (value == null || value.isEmpty()) {
            required(field, "name or generateName is required");
        } else if (value.length() > 63 || !DNS1035_LABEL.matcher(value).matches()) {
            invalid(field, value, "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character (e.g. 'my-name',  or 'abc-123', regex used for validation is '[a-z]([-a-z0-9]*[a-z0-9])?')");
        }
    }

    /** Label keys (optional DNS prefix + name) and values. */
    public void labels(String field, java.util.Map<String, String> labels) {
        if (labels == null) {
            return;
        }
        labels.forEach((k, v) -> {
            qualifiedKey(field, k);
            labelValue(field, v);
        });
    }

    /** IsValidLabelValue: empty, or at most 63 alphanumerics, '-', '_' and '.', alphanumeric at both ends. */
    public void labelValue(String field, String v) {
        if (v == null || v.length() > 63 || !LABEL_VALUE.matcher(v).matches()) {
            invalid(field, v, "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
        }
    }

    /** An annotation or label key: {@code [prefix/]name}. */
    public void qualifiedKey(String field, String key) {
        String name = key;
        int slash = key.indexOf('/');
        if (slash >= 0) {
            String prefix = key.substring(0, slash);
            name = key.substring(slash + 1);
            if (prefix.isEmpty() || prefix.length() > 253 || !DNS1123_SUBDOMAIN.matcher(prefix).matches()) {
                invalid(field, key, "prefix part a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character");
                return;
            }
        }
        if (name.isEmpty() || name.length() > 63 || !QUALIFIED_NAME.matcher(name).matches()) {
            invalid(field, key, "name part must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character (e.g. 'MyName',  or 'my.name',  or '123-abc', regex used for validation is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
        }
    }

    public void port(String field, Integer port) {
        if (port == null || port == 0) {
            required(field, null);
        } else if (port < 1 || port > 65535) {
            invalid(field, port, "must be between 1 and 65535, inclusive");
        }
    }

    /** IsValidIP (k8s.io/apimachinery/pkg/util/validation/ip.go): an IPv4 or IPv6 literal. */
    public void ip(String field, String value) {
        if (!isIp(value)) {
            invalid(field, value, "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)");
        }
    }

    /** IsValidCIDR: an IP literal, a slash and a prefix length in range for its family. */
    public void cidr(String field, String value) {
        int slash = value == null ? -1 : value.indexOf('/');
        boolean ok = false;
        if (slash > 0 && isIp(value.substring(0, slash))) {
            String bits = value.substring(slash + 1);
            int max = value.substring(0, slash).contains(":") ? 128 : 32;
            ok = bits.matches("\\d{1,3}") && Integer.parseInt(bits) <= max;
        }
        if (!ok) {
            invalid(field, value, "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");
        }
    }

    /**
     * Whether {@code s} is an IP literal as Go's {@code netutils.ParseIPSloppy} reads one: four dotted
     * decimal parts of 0-255 (leading zeros allowed), or an IPv6 literal without a zone. Never resolves a
     * name: {@link java.net.InetAddress#ofLiteral} only parses.
     */
    public static boolean isIp(String s) {
        if (s == null || s.isEmpty()) {
            return false;
        }
        if (!s.contains(":")) {
            String[] parts = s.split("\\.", -1);
            if (parts.length != 4) {
                return false;
            }
            for (String p : parts) {
                if (!p.matches("\\d{1,3}") || Integer.parseInt(p) > 255) {
                    return false;
                }
            }
            return true;
        }
        if (s.contains("%") || s.contains("[") || s.contains("]") || s.contains("/")) {
            return false;
        }
        try {
            java.net.InetAddress.ofLiteral(s);
            return true;
        } catch (IllegalArgumentException e) {
            return false;
        }
    }
}
