package io.kube4j.kubelet.server;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.security.GeneralSecurityException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.function.Function;

/**
 * Authentication and authorization of every request to the kubelet's API (Kubernetes' {@code pkg/kubelet/server/server.go}
 * {@code InstallAuthFilter}), before the log, stats and streaming handlers (SPDY and WebSocket upgrades included).
 *
 * <ol>
 *   <li>Authenticate: a client certificate when a client CA is configured ({@link ClientCertificateAuthenticator}),
 *       then a bearer token when the token webhook is on ({@link TokenReviewAuthenticator}); a certificate or token
 *       that fails the check is 401 even with anonymous access on (Kubernetes' fail-on-error union).
 *       No certificate: {@code system:anonymous} when anonymous access is on, else 401. A 401 is the text
 *       {@code Unauthorized}.</li>
 *   <li>Authorize {@link RequestAttributes}: an error is 500 {@code Authorization error (user=..., verb=..., resource=...,
 *       subresource=...)}, a denial 403 {@code Forbidden (user=..., verb=..., resource=..., subresource=...)}, as
 *       Kubernetes words them.</li>
 * </ol>
 *
 * <p>The actuator's {@code /actuator/health} and {@code /actuator/prometheus} are left open (kube4j's deviation: the
 * health checks of fixtures and orchestrators need no credentials; Kubernetes serves an unauthenticated
 * {@code /healthz} on 127.0.0.1:10248 instead and puts its {@code /metrics} under nodes/metrics).
 */
public final class KubeletAuthFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(KubeletAuthFilter.class);
    static final String CERTIFICATES = "jakarta.servlet.request.X509Certificate";
    private static final List<String> OPEN = List.of("/actuator/health", "/actuator/prometheus");

    private final ClientCertificateAuthenticator certificates;
    private final TokenReviewAuthenticator tokens;
    private final boolean anonymous;
    private final KubeletAuthorizer authorizer;
    private final Function<HttpServletRequest, String> nodeName;

    /**
     * @param certificates the client certificate check, or null when no client CA is configured
     * @param tokens       the bearer token check, or null when the token webhook is off
     * @param anonymous    whether requests without credentials are {@code system:anonymous}
     * @param authorizer   AlwaysAllow or Webhook
     * @param nodeName     the node a request is about (this kubelet's name; for hollow kubelets sharing a port, the one named)
     */
    public KubeletAuthFilter(ClientCertificateAuthenticator certificates, TokenReviewAuthenticator tokens, boolean anonymous,
                             KubeletAuthorizer authorizer, Function<HttpServletRequest, String> nodeName) {
        this.certificates = certificates;
        this.tokens = tokens;
        this.anonymous = anonymous;
        this.authorizer = authorizer;
        this.nodeName = nodeName;
    }

    @Override
    protected boolean shouldNotFilterAsyncDispatch() {
        // a follow=true log is an async request: its re-dispatches were authorized when it began
        return true;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        String path = req.getRequestURI();
        if (OPEN.stream().anyMatch(p -> RequestAttributes.isSubpath(path, p))) {
            chain.doFilter(req, resp);
            return;
        }
        User user;
        try {
            user = authenticate(req).orElse(null);
        } catch (GeneralSecurityException e) {
            log.info("Unable to authenticate the request due to an error: {}", e.getMessage());
            user = null;
        }
        if (user == null) {
            write(resp, HttpServletResponse.SC_UNAUTHORIZED, "Unauthorized");
            return;
        }
        RequestAttributes attrs = RequestAttributes.of(user, req, nodeName.apply(req));
        String what = "(user=" + user.name() + ", verb=" + attrs.verb() + ", resource=" + attrs.resource() + ", subresource=" + attrs.subresource() + ")";
        boolean allowed;
        try {
            allowed = authorizer.authorize(attrs);
        } catch (RuntimeException e) {
            log.error("Authorization error {}: {}", what, e.toString());
            write(resp, HttpServletResponse.SC_INTERNAL_SERVER_ERROR, "Authorization error " + what);
            return;
        }
        if (!allowed) {
            log.debug("Forbidden {}", what);
            write(resp, HttpServletResponse.SC_FORBIDDEN, "Forbidden " + what);
            return;
        }
        chain.doFilter(req, resp);
    }

    // Kubernetes' order: the certificate's user, the bearer token's, then anonymous; empty means 401
    private Optional<User> authenticate(HttpServletRequest req) throws GeneralSecurityException {
        if (certificates != null && req.getAttribute(CERTIFICATES) instanceof X509Certificate[] chain && chain.length > 0) {
            Optional<User> user = certificates.authenticate(Arrays.asList(chain));
            if (user.isPresent()) {
                return user;
            }
        }
        if (tokens != null) {
            Optional<User> user = tokens.authenticate(req.getHeader("Authorization"));
            if (user.isPresent()) {
                return user;
            }
        }
        return anonymous ? Optional.of(User.ANONYMOUS) : Optional.empty();
    }

    // go-restful's WriteErrorString: the status and the text, which Go's server types as text/plain
    private static void write(HttpServletResponse resp, int status, String message) throws IOException {
        resp.setStatus(status);
        resp.setContentType("text/plain; charset=utf-8");
        resp.getOutputStream().write(message.getBytes(StandardCharsets.UTF_8));
    }
}
