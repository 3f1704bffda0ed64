package io.kube4j.apiserver.web;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import jakarta.servlet.FilterChain;
import jakarta.servlet.ServletException;
import jakarta.servlet.http.HttpServletRequest;
import jakarta.servlet.http.HttpServletResponse;
import org.springframework.stereotype.Component;
import org.springframework.web.filter.OncePerRequestFilter;

import java.io.IOException;

/**
 * {@code apiserver_request_total} and {@code apiserver_request_duration_seconds} by verb, resource and
 * code. Every tag comes from a closed set, so no request can add series: verbs are the API verbs or, for
 * requests that never got one, the HTTP method if it is a standard one, else {@code other} (Kubernetes'
 * cleanVerb); resources are only those the URL parser accepted.
 */
@Component
class RequestMetricsFilter extends OncePerRequestFilter {
    private static final java.util.Set<String> METHODS = java.util.Set.of("GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS", "CONNECT");
    private final MeterRegistry meters;

    RequestMetricsFilter(MeterRegistry meters) {
        this.meters = meters;
    }

    static String cleanVerb(String method) {
        return METHODS.contains(method) ? method.toLowerCase() : "other";
    }

    @Override
    protected boolean shouldNotFilter(HttpServletRequest request) {
        String uri = request.getRequestURI();
        return !(uri.startsWith("/api/") || uri.startsWith("/apis/"));
    }

    @Override
    protected void doFilterInternal(HttpServletRequest req, HttpServletResponse resp, FilterChain chain) throws ServletException, IOException {
        long start = System.nanoTime();
        try {
            chain.doFilter(req, resp);
        } finally {
            Object verb = req.getAttribute(ResourceController.VERB);
            Object resource = req.getAttribute(ResourceController.RESOURCE);
            String v = verb == null ? cleanVerb(req.getMethod()) : verb.toString();
            String r = resource == null ? "" : resource.toString();
            String code = Integer.toString(resp.getStatus());
            Counter.builder("apiserver_request_total").description("apiserver requests by verb, resource and HTTP code")
                    .tag("verb", v).tag("resource", r).tag("code", code).register(meters).increment();
            Timer.builder("apiserver_request_duration_seconds").description("apiserver request latency")
                    .tag("verb", v).tag("resource", r).tag("code", code).register(meters)
                    .record(System.nanoTime() - start, java.util.concurrent.TimeUnit.NANOSECONDS);
        }
    }
}
