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

    /**
     * The request attribute holding the warning for an {@code Authorization} header with extra space before
     * its token; {@code AuthenticationFilter} writes it as a {@code Warning} header (Go's warning.AddWarning).
     */
    public static final String WARNING_ATTRIBUTE = BearerTokenAuthenticator.class.getName() + ".warning";
    /** bearertoken.go's invalidTokenWithSpaceWarning. */
    static final String EXTRA_SPACE_WARNING = "the provided Authorization header contains extra space before the bearer token, and is ignored";

    /**
     * As bearertoken.go AuthenticateRequest: the header, trimmed, is split on single spaces into at most
     * three parts; the first must be {@code bearer} (any case) and the second is the token, so
     * {@code "Bearer  <token>"} (two spaces) has an empty token: not this authenticator's, with a warning.
     */
    @Override
    public Optional<UserInfo> authenticate(HttpServletRequest request) {
        String header = request.getHeader("Authorization");
        if (header == null) return Optional.empty();
        String auth = header.strip();
        if (auth.isEmpty()) return Optional.empty();
        // strings.SplitN(auth, " ", 3)
        String[] parts = auth.split(" ", 3);
        if (parts.length < 2 || !parts[0].toLowerCase(java.util.Locale.ROOT).equals("bearer")) return Optional.empty();
        String token = parts[1];
        // empty bearer tokens are not valid: the request is not authenticated by this source
        if (token.isEmpty()) {
            if (parts.length == 3) {
                request.setAttribute(WARNING_ATTRIBUTE, EXTRA_SPACE_WARNING);
            }
            return Optional.empty();
        }
        for (TokenAuthenticator source : sources) {
            Optional<UserInfo> user = source.authenticateToken(token);
            if (user.isPresent()) return user;
        }
        throw new AuthenticationFailure("invalid bearer token");
    }
}
