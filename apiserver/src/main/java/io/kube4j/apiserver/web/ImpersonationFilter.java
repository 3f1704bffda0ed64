package io.kube4j.apiserver.web;

import io.kube4j.apiserver.auth.Authorizer;
import io.kube4j.apiserver.auth.Forbidden;
import io.kube4j.apiserver.auth.RequestAttributes;
import io.kube4j.apiserver.auth.UserInfo;
import io.kube4j.apiserver.auth.rbac.RbacRules;
import io.kube4j.apiserver.errors.ApiError;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * {@code Impersonate-User}, {@code Impersonate-Group}, {@code Impersonate-Uid} and
 * {@code Impersonate-Extra-<key>} (kubectl {@code --as}, {@code --as-group}), as Kubernetes'
 * {@code filters.WithImpersonation} (staging/src/k8s.io/apiserver/pkg/endpoints/filters/impersonation.go):
 * the authenticated user must be allowed the verb {@code impersonate} on {@code users},
 * {@code serviceaccounts} (in the ServiceAccount's namespace), {@code groups},
 * {@code uids.authentication.k8s.io} and {@code userextras.authentication.k8s.io/<key>} for each value
 * asked for; otherwise 403 with Kubernetes' message. The request then continues as the impersonated
 * user, without the Impersonate-* headers. Runs between authentication and authorization.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 15)
@ConditionalOnProperty(name = "kube4j.security.insecure", havingValue = "false", matchIfMissing = true)
class ImpersonationFilter extends OncePerRequestFilter {
    private static final String USER = "Impersonate-User";
    private static final String GROUP = "Impersonate-Group";
    private static final String UID = "Impersonate-Uid";
    private static final String EXTRA_PREFIX = "Impersonate-Extra-";

    private final Authorizer authorizer;

    ImpersonationFilter(Authorizer authorizer) {
        this.authorizer = authorizer;
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        UserInfo actor = UserInfo.of(req);
        List<String> groups = Collections.list(req.getHeaders(GROUP));
        String uid = req.getHeader(UID);
        Map<String, List<String>> extra = new LinkedHashMap<>();
        for (String h : Collections.list(req.getHeaderNames())) {
            if (h.regionMatches(true, 0, EXTRA_PREFIX, 0, EXTRA_PREFIX.length())) {
                // header names are case-insensitive: Kubernetes lower-cases the key and unescapes it
                String key = URLDecoder.decode(h.substring(EXTRA_PREFIX.length()).toLowerCase(Locale.ROOT), StandardCharsets.UTF_8);
                extra.computeIfAbsent(key, k -> new ArrayList<>()).addAll(Collections.list(req.getHeaders(h)));
            }
        }
        String name = req.getHeader(USER);
        if (name == null && groups.isEmpty() && uid == null && extra.isEmpty()) {
            chain.doFilter(req, resp);
            return;
        }
        try {
            if (name == null || name.isEmpty()) {
                throw ApiError.badRequest("requested " + describe(groups, uid, extra) + " without impersonating a user");
            }
            UserInfo as = impersonate(actor, name, groups, uid, extra);
            req.setAttribute(UserInfo.ATTRIBUTE, as);
        } catch (ApiError e) {
            AuthenticationFilter.write(resp, StatusErrorHandler.respond(req, e.status()));
            return;
        }
        chain.doFilter(new HiddenHeadersRequest(req, header -> header.regionMatches(true, 0, "Impersonate-", 0, "Impersonate-".length())), resp);
    }

    /** Checks every impersonation asked for and returns the user the request continues as. */
    private UserInfo impersonate(UserInfo actor, String name, List<String> groups, String uid, Map<String, List<String>> extra) {
        List<String> outGroups = new ArrayList<>();
        if (name.startsWith(RbacRules.SERVICE_ACCOUNT_PREFIX) && name.split(":").length == 4) {
            String[] p = name.split(":");
            check(RequestAttributes.resource(actor, "impersonate", "", "serviceaccounts", "", p[2], p[3]));
            // Kubernetes' serviceaccount.MakeGroupNames
            outGroups.add("system:serviceaccounts");
            outGroups.add("system:serviceaccounts:" + p[2]);
        } else {
            check(RequestAttributes.resource(actor, "impersonate", "", "users", "", "", name));
        }
        for (String g : groups) {
            check(RequestAttributes.resource(actor, "impersonate", "", "groups", "", "", g));
            outGroups.add(g);
        }
        if (uid != null) check(RequestAttributes.resource(actor, "impersonate", "authentication.k8s.io", "uids", "", "", uid));
        for (var e : extra.entrySet()) {
            for (String v : e.getValue()) {
                check(RequestAttributes.resource(actor, "impersonate", "authentication.k8s.io", "userextras", e.getKey(), "", v));
            }
        }
        if (name.equals(UserInfo.ANONYMOUS)) {
            if (!outGroups.contains(UserInfo.ALL_UNAUTHENTICATED)) outGroups.add(UserInfo.ALL_UNAUTHENTICATED);
        } else if (!outGroups.contains(UserInfo.ALL_AUTHENTICATED) && !outGroups.contains(UserInfo.ALL_UNAUTHENTICATED)) {
            outGroups.add(UserInfo.ALL_AUTHENTICATED);
        }
        return new UserInfo(name, uid == null ? "" : uid, outGroups, extra);
    }

    private void check(RequestAttributes a) {
        Authorizer.Decision d = authorizer.authorize(a);
        if (!d.allowed()) throw Forbidden.error(a, d.reason());
    }

    private static String describe(List<String> groups, String uid, Map<String, List<String>> extra) {
        List<String> parts = new ArrayList<>();
        if (!groups.isEmpty()) parts.add("groups " + groups);
        if (uid != null) parts.add("uid " + uid);
        if (!extra.isEmpty()) parts.add("extra " + extra);
        return String.join(", ", parts);
    }
}
