package io.kube4j.apiserver.auth;

import jakarta.servlet.http.HttpServletRequest;

import java.util.Optional;

/**
 * One way of authenticating a request (Kubernetes' {@code authenticator.Request}): an X.509 client
 * certificate, a bearer token, ...
 *
 * <p>Returns empty when the request carries no credential of this kind, the user when it carries a
 * valid one, and throws {@link io.kube4j.apiserver.errors.ApiError#unauthorized()} (401) when it carries
 * one that is invalid (a bad signature, expired, revoked). The chain then tries the next authenticator
 * (Kubernetes' {@code union.New}); an invalid credential that no other authenticator outweighs never
 * falls back to anonymous, as Kubernetes' {@code union.NewFailOnError}.
 */
public interface Authenticator {
    Optional<UserInfo> authenticate(HttpServletRequest request);
}
