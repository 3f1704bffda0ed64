package io.kube4j.apiserver.schema;

import io.kube4j.apiserver.errors.ApiError;
import io.kube4j.apiserver.warning.WarningRecorder;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import tools.jackson.databind.JsonNode;

import java.util.List;

/**
 * The {@code fieldValidation} query parameter: {@code Strict} refuses a body with unknown or duplicate
 * fields (400 naming every one), {@code Warn} (the default, as in Kubernetes) accepts it with one {@code Warning}
 * header per field (bounded by {@link WarningRecorder}), {@code Ignore} skips the check.
 */
public final class FieldValidation {
    private FieldValidation() {
    }

    /** Checks {@code body} as a {@code kind} of {@code apiVersion} (Java type {@code type}) under the request's mode. */
    public static void check(HttpServletRequest req, HttpServletResponse resp, JsonNode body, Class<?> type, String kind, String apiVersion) {
        String mode = req.getParameter("fieldValidation");
        if (mode == null || mode.isEmpty()) {
            mode = "Warn";
        }
        switch (mode) {
            case "Ignore" -> {
                return;
            }
            case "Strict", "Warn" -> {
            }
            default -> throw ApiError.badRequest("fieldValidation must be one of Ignore, Warn or Strict, not \"" + mode + "\"");
        }
        @SuppressWarnings("unchecked")
        List<String> duplicates = req.getAttribute(DuplicateFields.ATTRIBUTE) instanceof List<?> l ? (List<String>) l : List.of();
        report(req, resp, UnknownFields.strictErrors(body, type, duplicates), kind, apiVersion);
    }

    /**
     * As {@link #check}, with the unknown fields already found (a custom resource's are the fields its
     * schema prunes).
     */
    public static void check(HttpServletRequest req, HttpServletResponse resp, List<String> unknownFields, String kind, String apiVersion) {
        String mode = req.getParameter("fieldValidation");
        if (mode == null || mode.isEmpty()) {
            mode = "Warn";
        }
        switch (mode) {
            case "Ignore" -> {
                return;
            }
            case "Strict", "Warn" -> {
            }
            default -> throw ApiError.badRequest("fieldValidation must be one of Ignore, Warn or Strict, not \"" + mode + "\"");
        }
        @SuppressWarnings("unchecked")
        List<String> duplicates = req.getAttribute(DuplicateFields.ATTRIBUTE) instanceof List<?> l ? (List<String>) l : List.of();
        List<String> errors = new java.util.ArrayList<>();
        unknownFields.forEach(f -> errors.add("unknown field \"" + f + "\""));
        duplicates.forEach(f -> errors.add("duplicate field \"" + f + "\""));
        report(req, resp, errors, kind, apiVersion);
    }

    /** {@code errors} are Kubernetes' strict decoding errors ({@code unknown field "p"}, {@code duplicate field "p"}). */
    private static void report(HttpServletRequest req, HttpServletResponse resp, List<String> errors, String kind, String apiVersion) {
        String mode = req.getParameter("fieldValidation");
        if (mode == null || mode.isEmpty()) {
            mode = "Warn";
        }
        if (errors.isEmpty()) {
            return;
        }
        if (mode.equals("Strict")) {
            StringBuilder msg = new StringBuilder(kind).append(" in version \"").append(version(apiVersion))
                    .append("\" cannot be handled as a ").append(kind).append(": strict decoding error: ");
            msg.append(String.join(", ", errors));
            throw ApiError.badRequest(msg.toString());
        }
        WarningRecorder warnings = WarningRecorder.of(req, resp);
        errors.forEach(warnings::add);
    }

    private static String version(String apiVersion) {
        int slash = apiVersion.indexOf('/');
        return slash < 0 ? apiVersion : apiVersion.substring(slash + 1);
    }
}
