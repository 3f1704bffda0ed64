package io.kube4j.apiserver.web;

import io.kube4j.apiserver.ApiServerProperties;
import io.kube4j.apiserver.auth.Authenticator;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.errors.ApiError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.http.ResponseEntity;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * Authenticates every request unless {@code kube4j.security.insecure} (Kubernetes'
 * {@code filters.WithAuthentication}): the first {@link Authenticator} that accepts a credential
 * decides; an invalid credential is remembered and the next authenticator tried, and only when none
 * accepts one is it 401 {@code Unauthorized}; no credential is {@code system:anonymous}
 * (group {@code system:unauthenticated}) unless anonymous auth is off, then 401. An authenticated
 * user gets the group {@code system:authenticated} (Kubernetes' AuthenticatedGroupAdder). The user goes
 * on the request as {@link UserInfo#ATTRIBUTE}; the {@code Authorization} header is then hidden from
 * everything after this filter, so no proxy passes the caller's credential on.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 10)
@ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
class AuthenticationFilter extends OncePerRequestFilter {
    private static final org.slf4j.Logger log = org.slf4j.LoggerFactory.getLogger(AuthenticationFilter.class);
    private final ObjectProvider<Authenticator> authenticators;
    private final boolean anonymous;
    // the authenticator beans in order, resolved at the first request: ObjectProvider.orderedStream() looks
    // the beans up and sorts them on every call, a cost every request (each long-poll of a watch) paid
    private volatile List<Authenticator> chain;

    AuthenticationFilter(ObjectProvider<Authenticator> authenticators, ApiServerProperties props) {
        this.authenticators = authenticators;
        this.anonymous = props.security().anonymous();
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        UserInfo user;
        try {
            user = authenticate(req);
        } catch (ApiError e) {
            addAuthenticationWarning(req, resp);
            if (e instanceof io.kube4j.apiserver.auth.AuthenticationFailure f) {
                // the caller only learns "Unauthorized"; the reason is for the operator, as kube-apiserver logs it
                log.info("Unable to authenticate the request from {}: {}", req.getRemoteAddr(), f.reason());
            }
            write(resp, StatusErrorHandler.respond(req, e.status()));
            return;
        }
        addAuthenticationWarning(req, resp);
        req.setAttribute(UserInfo.ATTRIBUTE, user);
        chain.doFilter(new HiddenHeadersRequest(req, name -> "Authorization".equalsIgnoreCase(name)), resp);
    }

    /**
     * Kubernetes' chain: {@code union.New} over the request authenticators (an authenticator's error is
     * remembered and the next one tried, so a failing client certificate does not hide a valid bearer
     * token), then {@code union.NewFailOnError} with anonymous: when no authenticator succeeded, any error
     * is 401 and only a request without errors becomes anonymous.
     */
    private UserInfo authenticate(HttpServletRequest req) {
        ApiError firstError = null;
        for (Authenticator a : chain()) {
            Optional<UserInfo> user;
            try {
                user = a.authenticate(req);
            } catch (ApiError e) {
                if (e instanceof io.kube4j.apiserver.auth.AuthenticationFailure f && firstError != null) {
                    log.info("Unable to authenticate the request from {}: {}", req.getRemoteAddr(), f.reason());
                }
                if (firstError == null) firstError = e;
                continue;
            }
            if (user.isPresent()) return withAuthenticatedGroup(user.get());
        }
        if (firstError != null) throw firstError;
        if (!anonymous) throw ApiError.unauthorized();
        return UserInfo.anonymous();
    }

    private List<Authenticator> chain() {
        List<Authenticator> c = chain;
        if (c == null) {
            c = authenticators.orderedStream().toList();
            chain = c;
        }
        return c;
    }

    /** The warning an authenticator left on the request (bearertoken.go's extra-space warning) as a Warning header. */
    private static void addAuthenticationWarning(HttpServletRequest req, HttpServletResponse resp) {
        if (req.getAttribute(io.kube4j.apiserver.auth.BearerTokenAuthenticator.WARNING_ATTRIBUTE) instanceof String warning) {
            io.kube4j.apiserver.warning.WarningRecorder.of(req, resp).add(warning);
        }
    }

    private static UserInfo withAuthenticatedGroup(UserInfo u) {
        if (u.name().equals(UserInfo.ANONYMOUS) || u.groups().contains(UserInfo.ALL_AUTHENTICATED)
                || u.groups().contains(UserInfo.ALL_UNAUTHENTICATED)) {
            return u;
        }
        List<String> groups = new ArrayList<>(u.groups());
        groups.add(UserInfo.ALL_AUTHENTICATED);
        return new UserInfo(u.name(), u.uid(), groups, u.extra());
    }

    static void write(HttpServletResponse resp, ResponseEntity<byte[]> answer) throws IOException {
        resp.setStatus(answer.getStatusCode().value());
        answer.getHeaders().forEach((name, values) -> values.forEach(v -> resp.addHeader(name, v)));
        byte[] body = answer.getBody();
        if (body != null) resp.getOutputStream().write(body);
    }
}
