package io.kube4j.kubelet.fieldpath;

import io.kube4j.api.Pod;

import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

/**
 * The downward API's pod fields as strings: Kubernetes' {@code ConvertDownwardAPIFieldLabel}
 * ({@code pkg/apis/core/pods/helpers.go}) and {@code ExtractFieldPathAsString} ({@code pkg/fieldpath/fieldpath.go}).
 * Errors are {@link IllegalArgumentException}s carrying Kubernetes' messages.
 */
public final class FieldPath {
    // the labels ConvertDownwardAPIFieldLabel accepts for pods (v1)
    private static final Set<String> POD_FIELD_LABELS = Set.of("metadata.annotations", "metadata.labels", "metadata.name",
            "metadata.namespace", "metadata.uid", "spec.nodeName", "spec.restartPolicy", "spec.serviceAccountName",
            "spec.schedulerName", "status.phase", "status.hostIP", "status.hostIPs", "status.podIP", "status.podIPs");

    private FieldPath() {
    }

    /**
     * Kubernetes' {@code ConvertDownwardAPIFieldLabel}: checks the version ({@code v1}; null counts as v1, the
     * apiserver's default) and that the label is a pod field the downward API knows; {@code spec.host} is the
     * old name of {@code spec.nodeName}. Returns the internal field path.
     *
     * @throws IllegalArgumentException {@code unsupported pod version: v2}, {@code field label not supported: x},
     *                                  {@code field label does not support subscript: x}
     */
    public static String convertDownwardApiFieldLabel(String apiVersion, String label) {
        if (apiVersion != null && !apiVersion.isEmpty() && !"v1".equals(apiVersion)) {
            throw new IllegalArgumentException("unsupported pod version: " + apiVersion);
        }
        String[] subscripted = splitMaybeSubscriptedPath(label);
        if (subscripted != null) {
            if (subscripted[0].equals("metadata.annotations") || subscripted[0].equals("metadata.labels")) {
                return label;
            }
            throw new IllegalArgumentException("field label does not support subscript: " + label);
        }
        if (POD_FIELD_LABELS.contains(label)) {
            return label;
        }
        if ("spec.host".equals(label)) {
            return "spec.nodeName";
        }
        throw new IllegalArgumentException("field label not supported: " + label);
    }

    /**
     * Kubernetes' {@code ExtractFieldPathAsString} for a pod: {@code metadata.name}, {@code .namespace},
     * {@code .uid}, {@code metadata.labels} / {@code metadata.annotations} (all of them, {@code key="value"}
     * lines sorted by key) and one of them by key ({@code metadata.labels['app']}, empty when absent).
     *
     * @throws IllegalArgumentException {@code unsupported fieldPath: x}, {@code fieldPath "x" does not support subscript}
     */
    public static String extract(Pod pod, String fieldPath) {
        String[] subscripted = splitMaybeSubscriptedPath(fieldPath);
        if (subscripted != null) {
            return switch (subscripted[0]) {
                case "metadata.annotations" -> orEmpty(pod.metadata.annotations).getOrDefault(subscripted[1], "");
                case "metadata.labels" -> orEmpty(pod.metadata.labels).getOrDefault(subscripted[1], "");
                default -> throw new IllegalArgumentException("fieldPath \"" + fieldPath + "\" does not support subscript");
            };
        }
        return switch (fieldPath) {
            case "metadata.annotations" -> formatMap(pod.metadata.annotations);
            case "metadata.labels" -> formatMap(pod.metadata.labels);
            case "metadata.name" -> nullToEmpty(pod.metadata.name);
            case "metadata.namespace" -> nullToEmpty(pod.metadata.namespace);
            case "metadata.uid" -> nullToEmpty(pod.metadata.uid);
            default -> throw new IllegalArgumentException("unsupported fieldPath: " + fieldPath);
        };
    }

    /** Kubernetes' {@code FormatMap}: one {@code key="value"} line per entry (value quoted as Go's %q), sorted by key. */
    public static String formatMap(Map<String, String> m) {
        StringBuilder out = new StringBuilder();
        for (Map.Entry<String, String> e : new TreeMap<>(orEmpty(m)).entrySet()) {
            if (!out.isEmpty()) {
                out.append('\n');
            }
            out.append(e.getKey()).append('=').append(goQuote(e.getValue()));
        }
        return out.toString();
    }

    /**
     * Kubernetes' {@code SplitMaybeSubscriptedPath}: {@code metadata.labels['app']} is {@code [metadata.labels, app]};
     * null when the path has no subscript.
     */
    static String[] splitMaybeSubscriptedPath(String fieldPath) {
        if (fieldPath == null || !fieldPath.endsWith("']")) {
            return null;
        }
        String s = fieldPath.substring(0, fieldPath.length() - 2);
        int open = s.indexOf("['");
        if (open <= 0) {
            return null;
        }
        return new String[]{s.substring(0, open), s.substring(open + 2)};
    }

    /** Go's {@code %q} of a string: double quotes, backslash escapes for quotes, backslashes and control characters. */
    static String goQuote(String s) {
        StringBuilder out = new StringBuilder("\"");
        for (int i = 0; i < s.length(); ) {
            int cp = s.codePointAt(i);
            i += Character.charCount(cp);
            switch (cp) {
                case '"' -> out.append("\\\"");
                case '\\' -> out.append("\\\\");
                case '\n' -> out.append("\\n");
                case '\t' -> out.append("\\t");
                case '\r' -> out.append("\\r");
                case 0x07 -> out.append("\\a");
                case '\b' -> out.append("\\b");
                case '\f' -> out.append("\\f");
                case 0x0b -> out.append("\\v");
                default -> {
                    if (cp < 0x20 || cp == 0x7f) {
                        out.append(String.format("\\x%02x", cp));
                    } else if (!Character.isDefined(cp) || Character.getType(cp) == Character.CONTROL) {
                        out.append(cp <= 0xffff ? String.format("\\u%04x", cp) : String.format("\\U%08x", cp));
                    } else {
                        out.appendCodePoint(cp);
                    }
                }
            }
        }
        return out.append('"').toString();
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static String nullToEmpty(String s) {
        return s == null ? "" : s;
    }
}
