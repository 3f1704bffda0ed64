package io.kube4j.client;

import io.kube4j.api.Status;

/** An API call that the apiserver refused (with its {@link Status}) or that could not reach any apiserver (code 0). */
public class ApiException extends RuntimeException {
    private final int code;
    private final Status status;

    public ApiException(int code, Status status, String message, Throwable cause) {
        super(message, cause);
        this.code = code;
        this.status = status;
    }

    public ApiException(Status status) {
        this(status.code == null ? 0 : status.code, status, status.message, null);
    }

    /** The HTTP code; 0 when no apiserver answered. */
    public int code() {
        return code;
    }

    public Status status() {
        return status;
    }

    public String reason() {
        return status == null ? null : status.reason;
    }

    public boolean isNotFound() {
        return code == 404;
    }

    public boolean isConflict() {
        return code == 409;
    }

    public boolean isAlreadyExists() {
        return code == 409 && "AlreadyExists".equals(reason());
    }

    /** 410 Expired: the resourceVersion is older than the server's watch window; re-list. */
    public boolean isGone() {
        return code == 410;
    }
}
