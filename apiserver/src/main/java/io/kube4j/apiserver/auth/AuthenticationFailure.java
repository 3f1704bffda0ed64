package io.kube4j.apiserver.auth;

import io.kube4j.apiserver.errors.ApiError;

/**
 * A credential that was recognised but is invalid: the response is Kubernetes' plain 401
 * ({@link ApiError#unauthorized()}, message "Unauthorized"), while {@link #reason()} keeps the
 * authenticator's own words (e.g. {@code service account token has expired}) for the log and for
 * TokenReview's {@code status.error}, as Kubernetes reports them only there.
 */
public final class AuthenticationFailure extends ApiError {
    private final String reason;

    public AuthenticationFailure(String reason) {
        super(ApiError.unauthorized().status());
        this.reason = reason;
    }

    /** Why the credential was refused, in the words of Kubernetes' authenticator. */
    public String reason() {
        return reason;
    }
}
