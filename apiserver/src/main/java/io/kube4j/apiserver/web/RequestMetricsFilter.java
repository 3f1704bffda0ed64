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

/** {@code apiserver_request_total} and {@code apiserver_request_duration_seconds} by verb, resource and code. */
@Component
class RequestMetricsFilter extends OncePerRequestFilter {
    private final MeterRegistry meters;

    RequestMetricsFilter(MeterRegistry meters) {
        this.meters = meters;
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
            String v = verb == null ? req.getMethod().toLowerCase() : verb.toString();
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
