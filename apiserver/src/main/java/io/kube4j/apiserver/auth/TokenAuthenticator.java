package io.kube4j.apiserver.auth;

import java.util.Optional;

/**
 * One source of bearer tokens (Kubernetes' {@code authenticator.Token}): a static token file,
 * ServiceAccount JWTs. Returns empty when the token is not one of its own (the next source is tried),
 * the user when it is valid; throws {@link io.kube4j.apiserver.errors.ApiError#unauthorized()} when it
 * is one of its own but invalid (expired, bound object gone).
 */
public interface TokenAuthenticator {
    Optional<UserInfo> authenticateToken(String token);
}
