package io.kube4j.apiserver.auth;

import jakarta.servlet.http.HttpServletRequest;

import java.util.List;
import java.util.Optional;

/**
 * {@code Authorization: Bearer <token>} checked against every {@link TokenAuthenticator} in order, as
 * Kubernetes' {@code bearertoken.Authenticator} over a union of token authenticators: a token that no
 * source accepts is 401 ("invalid bearer token"), never anonymous; a request without the header is not
 * this authenticator's.
 */
public final class BearerTokenAuthenticator implements Authenticator {
    private final List<TokenAuthenticator> sources;

    public BearerTokenAuthenticator(List<TokenAuthenticator> sources) {
        this.sources = List.copyOf(sources);
    }

    /** The token sources, in the order they are tried (TokenReview walks them itself, for its audiences). */
    public List<TokenAuthenticator> sources() {
        return sources;
    }

    @Override
    public Optional<UserInfo> authenticate(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null) return Optional.empty();
        String[] parts = header.trim().split("\\s+", 2);
        if (parts.length != 2 || !parts[0].equalsIgnoreCase("bearer")) return Optional.empty();
        String token = parts[1].trim();
        // Kubernetes: an empty token is not a credential at all
        if (token.isEmpty()) return Optional.empty();
        for (TokenAuthenticator source : sources) {
            Optional<UserInfo> user = source.authenticateToken(token);
            if (user.isPresent()) return user;
        }
        throw new AuthenticationFailure("invalid bearer token");
    }
}
