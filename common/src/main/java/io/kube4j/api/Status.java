package io.kube4j.api;

import com.fasterxml.jackson.annotation.JsonPropertyOrder;

import java.util.ArrayList;
import java.util.List;

/** The body of every error (and of some successful deletes). */
@JsonPropertyOrder({"kind", "apiVersion", "metadata", "status", "message", "reason", "details", "code"})
public class Status {
    public String kind = "Status";
    public String apiVersion = "v1";
    public ListMeta metadata = new ListMeta();
    public String status;
    public String message;
    public String reason;
    public Details details;
    public Integer code;

    /** Which object the status is about, and for 422 the per-field causes. */
    public static class Details {
        public String name;
        public String group;
        public String kind;
        public String uid;
        public List<Cause> causes = new ArrayList<>();
        public Integer retryAfterSeconds;
    }

    /** One reason a request was refused, e.g. one invalid field. */
    public static class Cause {
        public String reason;
        public String message;
        public String field;

        public Cause() {
        }

        public Cause(String reason, String message, String field) {
            this.reason = reason;
            this.message = message;
            this.field = field;
        }
    }

    public static Status failure(int code, String reason, String message) {
        Status s = new Status();
        s.status = "Failure";
        s.code = code;
        s.reason = reason;
        s.message = message;
        return s;
    }

    /**
     * The reason Kubernetes gives an HTTP code when nothing more specific is known, as
     * {@code k8s.io/apimachinery/pkg/api/errors.NewGenericServerResponse} does: 400 BadRequest, 401
     * Unauthorized, 403 Forbidden, 404 NotFound, 405 MethodNotAllowed, 406 NotAcceptable, 409 Conflict,
     * 413 RequestEntityTooLarge, 415 UnsupportedMediaType, 422 Invalid, 429 TooManyRequests, 503
     * ServiceUnavailable, 504 Timeout, any other 5xx InternalError; other codes have no reason (null).
     */
    public static String reasonFor(int code) {
        return switch (code) {
            case 400 -> "BadRequest";
            case 401 -> "Unauthorized";
            case 403 -> "Forbidden";
            case 404 -> "NotFound";
            case 405 -> "MethodNotAllowed";
            case 406 -> "NotAcceptable";
            case 409 -> "Conflict";
            case 413 -> "RequestEntityTooLarge";
            case 415 -> "UnsupportedMediaType";
            case 422 -> "Invalid";
            case 429 -> "TooManyRequests";
            case 503 -> "ServiceUnavailable";
            case 504 -> "Timeout";
            default -> code >= 500 ? "InternalError" : null;
        };
    }

    public static Status success() {
        Status s = new Status();
        s.status = "Success";
        s.code = 200;
        return s;
    }
}
