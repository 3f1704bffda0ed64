package io.kube4j.apiserver.web;

import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.Forbidden;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * Authorizes every request after authentication and impersonation unless {@code kube4j.security.insecure}
 * (Kubernetes' {@code filters.WithAuthorization}): the request's {@link RequestAttributes} go to the
 * {@link Authorizer}; a denial is 403 with Kubernetes' message ({@link Forbidden}) and nothing after
 * this filter runs. The attributes stay on the request under {@link #ATTRIBUTES} for the handlers
 * (escalation checks, reviews).
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 20)
@ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
class AuthorizationFilter extends OncePerRequestFilter {
    private static final Logger log = LoggerFactory.getLogger(AuthorizationFilter.class);
    /** Request attribute: the {@link RequestAttributes} the request was authorized with. */
    static final String ATTRIBUTES = RequestAttributes.class.getName();

    private final Authorizer authorizer;

    AuthorizationFilter(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        UserInfo user = UserInfo.of(req);
        RequestAttributes attrs = attributes(req, user);
        req.setAttribute(ATTRIBUTES, attrs);
        Authorizer.Decision d = authorizer.authorize(attrs);
        if (!d.allowed()) {
            log.debug("forbidden: {} {} as {}: {}", req.getMethod(), req.getRequestURI(), user == null ? null : user.name(), d.reason());
            AuthenticationFilter.write(resp, StatusErrorHandler.respond(req, Forbidden.error(attrs, d.reason()).status()));
            return;
        }
        chain.doFilter(req, resp);
    }

    /** The attributes of {@code req} as its user; the query is read from the query string only, never a form body. */
    static RequestAttributes attributes(HttpServletRequest req, UserInfo user) {
        String path = req.getRequestURI().substring(req.getContextPath().length());
        return RequestAttributes.parse(user, req.getMethod(), path, query(req.getQueryString()));
    }

    private static String decode(String s) {
        try {
            return URLDecoder.decode(s, StandardCharsets.UTF_8);
        } catch (IllegalArgumentException e) {
            // a bad %-escape: the handler answers 400 later; authorize on the raw text meanwhile
            return s;
        }
    }

    private static Map<String, String[]> query(String qs) {
        Map<String, List<String>> out = new HashMap<>();
        if (qs != null) {
            for (String kv : qs.split("&")) {
                if (kv.isEmpty()) continue;
                int eq = kv.indexOf('=');
                String k = decode(eq < 0 ? kv : kv.substring(0, eq));
                String v = eq < 0 ? "" : decode(kv.substring(eq + 1));
                out.computeIfAbsent(k, x -> new ArrayList<>()).add(v);
            }
        }
        Map<String, String[]> m = new HashMap<>();
        out.forEach((k, v) -> m.put(k, v.toArray(String[]::new)));
        return m;
    }
}
