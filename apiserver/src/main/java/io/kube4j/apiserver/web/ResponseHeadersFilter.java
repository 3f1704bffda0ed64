package io.kube4j.apiserver.web;

import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.core.Ordered;
import org.springframework.core.annotation.Order;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;
import java.util.UUID;

/**
 * The headers kube-apiserver puts on every response its handler chain writes, set before anything else
 * runs so that 401 (authentication), 403 (impersonation, authorization), 404 and every other answer carry
 * them, as in Kubernetes' {@code DefaultBuildHandlerChain} (staging/src/k8s.io/apiserver/pkg/server/config.go),
 * where both filters below wrap authentication:
 * <ul>
 *   <li>{@code Audit-Id}: {@code filters.WithAuditInit} (endpoints/filters/audit_init.go), the outermost filter:
 *   the request's {@code Audit-ID} header as is when it has a non-empty one, else a new random UUID
 *   ({@code uuid.New().String()}, lower-case 8-4-4-4-12 hex); Go's {@code Header().Set} writes the name
 *   canonicalized, {@code Audit-Id}.</li>
 *   <li>{@code Cache-Control: no-cache, private}: {@code filters.WithCacheControl} (endpoints/filters/cachecontrol.go)
 *   on every path (responses are per user, behind authentication and authorization), unless a handler sets its
 *   own: set before the chain, a later {@code setHeader} replaces it, as a handler's {@code Header().Set} does in Go.</li>
 * </ul>
 * Answers the HTTP connector gives before any handler (a malformed request, headers over the limit: Go's
 * {@code conn.serve} and the HTTP/2 server's {@code handleHeaderListTooLong}) carry neither, in Kubernetes too.
 * Kubernetes' API Priority and Fairness headers ({@code X-Kubernetes-Pf-Flowschema-Uid},
 * {@code X-Kubernetes-Pf-Prioritylevel-Uid}) are not sent: kube4j serves FlowSchemas and
 * PriorityLevelConfigurations but classifies no request by them.
 */
@Component
@Order(Ordered.HIGHEST_PRECEDENCE + 1)
class ResponseHeadersFilter extends OncePerRequestFilter {
    /** auditinternal.HeaderAuditID; request headers are matched case-insensitively, as Go's Header.Get does. */
    static final String AUDIT_ID = "Audit-Id";
    static final String CACHE_CONTROL = "Cache-Control";
    static final String NO_CACHE_PRIVATE = "no-cache, private";

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        String auditId = req.getHeader(AUDIT_ID);
        if (auditId == null || auditId.isEmpty()) {
            auditId = UUID.randomUUID().toString();
        }
        resp.setHeader(AUDIT_ID, auditId);
        resp.setHeader(CACHE_CONTROL, NO_CACHE_PRIVATE);
        chain.doFilter(req, resp);
    }
}
