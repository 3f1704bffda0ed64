package io.kube4j.apiserver.errors;

import io.kube4j.api.Status;

import java.util.List;

/**
 * An error the apiserver answers with: carries the Kubernetes {@link Status} (code, reason, message,
 * details). Thrown anywhere below the REST layer; {@link StatusErrorHandler} turns it into the response.
 */
public class ApiError extends RuntimeException {
    private final Status status;

    public ApiError(Status status) {
        super(status.message);
        this.status = status;
    }

    public Status status() {
        return status;
    }

    public int code() {
        return status.code;
    }

    private static ApiError of(int code, String reason, String message, String kind, String name) {
        Status s = Status.failure(code, reason, message);
        if (kind != null || name != null) {
            s.details = new Status.Details();
            s.details.kind = kind;
            s.details.name = name;
        }
        return new ApiError(s);
    }

    private static Status.Details details(String group, String resource, String name) {
        Status.Details d = new Status.Details();
        d.group = group == null || group.isEmpty() ? null : group;
        d.kind = resource;
        d.name = name;
        return d;
    }

    private static String qualified(String group, String resource) {
        return group == null || group.isEmpty() ? resource : resource + "." + group;
    }

    public static ApiError notFound(String group, String resource, String name) {
        ApiError e = of(404, "NotFound", qualified(group, resource) + " \"" + name + "\" not found", null, null);
        e.status.details = details(group, resource, name);
        return e;
    }

    public static ApiError alreadyExists(String group, String resource, String name) {
        ApiError e = of(409, "AlreadyExists", qualified(group, resource) + " \"" + name + "\" already exists", null, null);
        e.status.details = details(group, resource, name);
        return e;
    }

    public static ApiError conflict(String group, String resource, String name, String why) {
        ApiError e = of(409, "Conflict", "Operation cannot be fulfilled on " + qualified(group, resource) + " \"" + name + "\": " + why, null, null);
        e.status.details = details(group, resource, name);
        return e;
    }

    /** 422 with one cause per invalid field, worded as Kubernetes does. */
    public static ApiError invalid(String group, String kind, String name, List<Status.Cause> causes) {
        // NewInvalid words the kind qualified by its group: "CronTab.stable.example.com", "Deployment.apps"
        StringBuilder msg = new StringBuilder(kind).append(group == null || group.isEmpty() ? "" : "." + group).append(" \"").append(name == null ? "" : name).append("\" is invalid: ");
        if (causes.size() == 1) {
            msg.append(causes.get(0).field).append(": ").append(causes.get(0).message);
        } else {
            msg.append('[');
            for (int i = 0; i < causes.size(); i++) {
                if (i > 0) {
                    msg.append(", ");
                }
                msg.append(causes.get(i).field).append(": ").append(causes.get(i).message);
            }
            msg.append(']');
        }
        Status s = Status.failure(422, "Invalid", msg.toString());
        s.details = new Status.Details();
        s.details.group = group == null || group.isEmpty() ? null : group;
        s.details.kind = kind;
        s.details.name = name;
        s.details.causes = causes;
        return new ApiError(s);
    }

    /**
     * 401 as Kubernetes answers any failed authentication (responsewriters.Unauthorized): the message is
     * just "Unauthorized", so a caller learns nothing about which credential check failed.
     */
    public static ApiError unauthorized() {
        return new ApiError(Status.failure(401, "Unauthorized", "Unauthorized"));
    }

    public static ApiError badRequest(String message) {
        return of(400, "BadRequest", message, null, null);
    }

    public static ApiError forbidden(String group, String resource, String name, String why) {
        ApiError e = of(403, "Forbidden", qualified(group, resource) + " \"" + name + "\" is forbidden: " + why, null, null);
        e.status.details = details(group, resource, name);
        return e;
    }

    public static ApiError methodNotAllowed(String message) {
        return of(405, "MethodNotAllowed", message, null, null);
    }

    public static ApiError gone(String message) {
        return of(410, "Expired", message, null, null);
    }

    public static ApiError tooLarge(long limit) {
        return of(413, "RequestEntityTooLarge", "the request body is too large: the limit is " + limit + " bytes", null, null);
    }

    public static ApiError unsupportedMediaType(String contentType, List<String> supported) {
        return of(415, "UnsupportedMediaType", "the body of the request was in an unknown format - accepted media types include: "
                + String.join(", ", supported) + " (got " + contentType + ")", null, null);
    }

    public static ApiError unavailable(String message) {
        return of(503, "ServiceUnavailable", message, null, null);
    }

    public static ApiError internal(String message) {
        return of(500, "InternalError", "Internal error occurred: " + message, null, null);
    }
}
